/// The built-in holidays and commemorations of Vietnam (PRODUCT §4).
public enum HolidayCatalog {
  /// Every built-in holiday. `isDayOff` marks the public
  /// holidays of the Labour Code (Tết Dương lịch, the Tết break with giao
  /// thừa, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh).
  public static let builtIn: [Holiday] = [
    Holiday(
      id: "tet-duong-lich", name: "Tết Dương lịch", rule: .solar(month: 1, day: 1), isDayOff: true),
    Holiday(
      id: "thanh-lap-dang", name: "Ngày thành lập Đảng Cộng sản Việt Nam",
      rule: .solar(month: 2, day: 3),
      foundingYear: 1930),
    // The last day of lunar month 12, written as day 30: the rule's clamp
    // puts it on day 29 in a year whose month 12 has 29 days.
    Holiday(
      id: "giao-thua", name: "Giao thừa", rule: .lunar(month: 12, day: 30, isLeapMonth: false),
      isDayOff: true),
    Holiday(
      id: "tet-nguyen-dan", name: "Tết Nguyên đán",
      rule: .lunar(month: 1, day: 1, isLeapMonth: false), isDayOff: true),
    Holiday(
      id: "ram-thang-gieng", name: "Rằm tháng Giêng",
      rule: .lunar(month: 1, day: 15, isLeapMonth: false)),
    Holiday(id: "quoc-te-phu-nu", name: "Ngày Quốc tế Phụ nữ", rule: .solar(month: 3, day: 8)),
    Holiday(
      id: "thanh-lap-doan", name: "Ngày thành lập Đoàn Thanh niên Cộng sản Hồ Chí Minh",
      rule: .solar(month: 3, day: 26), foundingYear: 1931),
    Holiday(
      id: "gio-to-hung-vuong", name: "Giỗ Tổ Hùng Vương",
      rule: .lunar(month: 3, day: 10, isLeapMonth: false),
      isDayOff: true),
    Holiday(
      id: "giai-phong-mien-nam", name: "Ngày Giải phóng miền Nam, thống nhất đất nước",
      rule: .solar(month: 4, day: 30), foundingYear: 1975, isDayOff: true),
    Holiday(
      id: "quoc-te-lao-dong", name: "Ngày Quốc tế Lao động", rule: .solar(month: 5, day: 1),
      isDayOff: true),
    Holiday(
      id: "chien-thang-dien-bien-phu", name: "Ngày Chiến thắng Điện Biên Phủ",
      rule: .solar(month: 5, day: 7),
      foundingYear: 1954),
    Holiday(
      id: "sinh-nhat-bac-ho", name: "Ngày sinh Chủ tịch Hồ Chí Minh",
      rule: .solar(month: 5, day: 19),
      foundingYear: 1890),
    Holiday(
      id: "phat-dan", name: "Lễ Phật đản", rule: .lunar(month: 4, day: 15, isLeapMonth: false)),
    Holiday(
      id: "bao-chi-cach-mang", name: "Ngày Báo chí Cách mạng Việt Nam",
      rule: .solar(month: 6, day: 21),
      foundingYear: 1925),
    Holiday(
      id: "gia-dinh-viet-nam", name: "Ngày Gia đình Việt Nam", rule: .solar(month: 6, day: 28)),
    Holiday(
      id: "thuong-binh-liet-si", name: "Ngày Thương binh - Liệt sĩ",
      rule: .solar(month: 7, day: 27),
      foundingYear: 1947),
    Holiday(id: "vu-lan", name: "Lễ Vu Lan", rule: .lunar(month: 7, day: 15, isLeapMonth: false)),
    Holiday(
      id: "cach-mang-thang-tam", name: "Ngày Cách mạng tháng Tám thành công",
      rule: .solar(month: 8, day: 19),
      foundingYear: 1945),
    Holiday(
      id: "quoc-khanh", name: "Quốc khánh", rule: .solar(month: 9, day: 2), foundingYear: 1945,
      isDayOff: true),
    Holiday(
      id: "trung-thu", name: "Tết Trung thu", rule: .lunar(month: 8, day: 15, isLeapMonth: false)),
    Holiday(
      id: "phu-nu-viet-nam", name: "Ngày Phụ nữ Việt Nam", rule: .solar(month: 10, day: 20),
      foundingYear: 1930),
    Holiday(
      id: "dai-doan-ket", name: "Ngày hội Đại đoàn kết toàn dân tộc",
      rule: .solar(month: 11, day: 18),
      foundingYear: 1930),
    Holiday(
      id: "nha-giao-viet-nam", name: "Ngày Nhà giáo Việt Nam", rule: .solar(month: 11, day: 20),
      foundingYear: 1982),
    Holiday(
      id: "quan-doi-nhan-dan", name: "Ngày thành lập Quân đội nhân dân Việt Nam",
      rule: .solar(month: 12, day: 22),
      foundingYear: 1944),
  ]

  // Ids are unique (a test checks); the first would win if they were not.
  private static let byID: [String: Holiday] = Dictionary(
    builtIn.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

  /// The built-in holiday with this id, or nil.
  public static func holiday(id: String) -> Holiday? { byID[id] }
}
