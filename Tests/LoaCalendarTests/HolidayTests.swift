import Testing

@testable import LoaCalendar

@Suite("Holidays")
struct HolidayTests {
  func dates(_ id: String, _ from: String, _ to: String) -> [CivilDate] {
    HolidayCatalog.holiday(id: id)?.dates(in: CivilDateRange(date(from), through: date(to))) ?? []
  }

  @Test("the catalog holds every holiday of PRODUCT §4, with unique ASCII ids and Vietnamese names")
  func catalog() {
    let ids = [
      "tet-duong-lich", "thanh-lap-dang", "tet-nguyen-dan", "giao-thua", "ram-thang-gieng",
      "quoc-te-phu-nu",
      "thanh-lap-doan", "gio-to-hung-vuong", "giai-phong-mien-nam", "quoc-te-lao-dong",
      "chien-thang-dien-bien-phu", "sinh-nhat-bac-ho", "phat-dan", "bao-chi-cach-mang",
      "gia-dinh-viet-nam",
      "thuong-binh-liet-si", "vu-lan", "cach-mang-thang-tam", "quoc-khanh", "trung-thu",
      "phu-nu-viet-nam",
      "dai-doan-ket", "nha-giao-viet-nam", "quan-doi-nhan-dan",
    ]
    for id in ids { #expect(HolidayCatalog.holiday(id: id) != nil, "\(id)") }
    #expect(Set(HolidayCatalog.builtIn.map(\.id)).count == HolidayCatalog.builtIn.count)
    #expect(
      HolidayCatalog.builtIn.allSatisfy {
        $0.id.allSatisfy(\.isASCII) && !$0.name.allSatisfy(\.isASCII)
      })
  }

  @Test("lunar holidays of 2025 and 2026 fall on their solar dates")
  func lunarHolidays() {
    #expect(dates("tet-nguyen-dan", "2026-01-01", "2026-12-31") == [date("2026-02-17")])
    #expect(dates("giao-thua", "2026-01-01", "2026-12-31") == [date("2026-02-16")])
    #expect(dates("gio-to-hung-vuong", "2025-01-01", "2025-12-31") == [date("2025-04-07")])
    #expect(dates("trung-thu", "2025-01-01", "2025-12-31") == [date("2025-10-06")])
    #expect(dates("vu-lan", "2025-01-01", "2025-12-31") == [date("2025-09-06")])
    #expect(dates("phat-dan", "2025-01-01", "2025-12-31") == [date("2025-05-12")])
  }

  @Test("giao thừa is the last day of lunar month 12, whether it has 29 or 30 days")
  func giaoThua() {
    // Month 12 has 29 days in lunar 2024 and 2025 (so the eve is day 29),
    // 30 in lunar 2022 (the eve of Tết 2023 was 2023-01-21).
    #expect(dates("giao-thua", "2025-01-01", "2025-12-31") == [date("2025-01-28")])
    #expect(
      LunarCalendar.lunarDate(for: date("2026-02-16")) == LunarDate(year: 2025, month: 12, day: 29))
    #expect(dates("giao-thua", "2023-01-01", "2023-12-31") == [date("2023-01-21")])
    #expect(
      LunarCalendar.lunarDate(for: date("2023-01-21")) == LunarDate(year: 2022, month: 12, day: 30))
    for year in 2000...2050 {
      guard let eve = dates("giao-thua", "\(year)-01-01", "\(year)-12-31").first else {
        Issue.record("no giao thừa in \(year)")
        continue
      }
      #expect(LunarCalendar.lunarDate(for: eve.adding(days: 1)).day == 1)
      #expect(LunarCalendar.lunarDate(for: eve.adding(days: 1)).month == 1)
    }
  }

  @Test("a range across the year end finds the holidays on both sides, in order")
  func acrossYearEnd() {
    #expect(
      dates("giao-thua", "2025-12-01", "2026-03-01") == [date("2026-02-16")])
    #expect(
      dates("ram-thang-gieng", "2025-01-01", "2026-12-31") == [
        date("2025-02-12"), date("2026-03-03"),
      ])
    #expect(dates("tet-duong-lich", "2025-12-15", "2026-01-15") == [date("2026-01-01")])
    #expect(dates("quan-doi-nhan-dan", "2025-12-15", "2026-01-15") == [date("2025-12-22")])
    #expect(
      dates("tet-nguyen-dan", "2025-01-01", "2026-12-31") == [
        date("2025-01-29"), date("2026-02-17"),
      ])
  }

  @Test("anniversaries count from the founding year; none before it or without one")
  func anniversaries() throws {
    let national = try #require(HolidayCatalog.holiday(id: "quoc-khanh"))
    #expect(national.anniversary(on: date("2025-09-02")) == 80)
    #expect(national.anniversary(on: date("1945-09-02")) == nil)
    #expect(
      HolidayCatalog.holiday(id: "sinh-nhat-bac-ho")?.anniversary(on: date("2025-05-19")) == 135)
    #expect(HolidayCatalog.holiday(id: "trung-thu")?.anniversary(on: date("2025-10-06")) == nil)
    let lunarFounded = Holiday(
      id: "le-hoi", name: "Lễ hội", rule: .lunar(month: 1, day: 10, isLeapMonth: false),
      foundingYear: 2000)
    #expect(lunarFounded.anniversary(on: date("2025-02-07")) == 25)
  }

  @Test("public days off are marked")
  func daysOff() {
    let off = Set(HolidayCatalog.builtIn.filter(\.isDayOff).map(\.id))
    #expect(
      off == [
        "tet-duong-lich", "giao-thua", "tet-nguyen-dan", "gio-to-hung-vuong", "giai-phong-mien-nam",
        "quoc-te-lao-dong", "quoc-khanh",
      ])
  }

  @Test("a leap-month rule occurs only in years that have that leap month")
  func leapRule() {
    let leapSix = Holiday(
      id: "x", name: "Rằm tháng Sáu nhuận", rule: .lunar(month: 6, day: 15, isLeapMonth: true))
    let found = leapSix.dates(in: CivilDateRange(date("2020-01-01"), through: date("2030-12-31")))
    #expect(found == [date("2025-08-08")])
  }

  @Test("a day-30 rule falls on day 29 in a 29-day month")
  func dayThirty() {
    let rule = Holiday(
      id: "x", name: "Ngày cuối tháng Chạp", rule: .lunar(month: 12, day: 30, isLeapMonth: false))
    #expect(
      rule.dates(in: CivilDateRange(date("2025-01-01"), through: date("2025-12-31"))) == [
        date("2025-01-28")
      ])
  }

  @Test("a one-off date falls once, inside the range only")
  func oneOff() {
    let congress = Holiday(
      id: "dai-hoi-tinh", name: "Đại hội Đảng bộ tỉnh Ninh Bình lần thứ I",
      rule: .date(date("2025-10-01")))
    #expect(
      congress.dates(in: CivilDateRange(date("2025-01-01"), through: date("2026-12-31"))) == [
        date("2025-10-01")
      ])
    #expect(
      congress.dates(in: CivilDateRange(date("2026-01-01"), through: date("2026-12-31"))).isEmpty)
    #expect(
      congress.dates(in: CivilDateRange(date("2025-12-31"), through: date("2025-01-01"))).isEmpty)
  }

  @Test("a 29 February rule occurs in leap years only")
  func leapDay() {
    let rule = Holiday(id: "x", name: "Ngày nhuận", rule: .solar(month: 2, day: 29))
    #expect(
      rule.dates(in: CivilDateRange(date("2023-01-01"), through: date("2028-12-31"))) == [
        date("2024-02-29"), date("2028-02-29"),
      ])
  }
}
