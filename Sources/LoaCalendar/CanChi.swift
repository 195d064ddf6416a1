/// A name in the sexagenary cycle: a heavenly stem (can) and an earthly branch (chi).
public struct CanChi: Hashable, Sendable, CustomStringConvertible {
  static let stems = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"]
  static let branches = [
    "Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi",
  ]

  /// 0…9: Giáp … Quý.
  public let stem: Int
  /// 0…11: Tý … Hợi.
  public let branch: Int

  /// The name of lunar year `lunarYear` (1984 was Giáp Tý).
  public static func year(_ lunarYear: Int) -> CanChi {
    CanChi(stem: ((lunarYear + 6) % 10 + 10) % 10, branch: ((lunarYear + 8) % 12 + 12) % 12)
  }

  /// The stem, then the branch, in Vietnamese: "Ất Tỵ".
  public var description: String { "\(Self.stems[stem]) \(Self.branches[branch])" }
}
