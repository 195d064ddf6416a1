/// How a holiday's date is found each year.
public enum HolidayRule: Hashable, Sendable {
  /// Once, on this date.
  case date(CivilDate)
  /// Every solar year on this month and day (a 29 February only in leap years).
  case solar(month: Int, day: Int)
  /// Every lunar year on this day of this month; day 30 of a 29-day month
  /// falls on day 29, and a leap-month rule only in years having that leap month.
  case lunar(month: Int, day: Int, isLeapMonth: Bool)
}

/// A holiday or commemoration (ngày lễ, ngày kỷ niệm).
public struct Holiday: Hashable, Sendable, Identifiable {
  /// ASCII, e.g. `quoc-khanh`.
  public let id: String
  /// Vietnamese, e.g. "Quốc khánh".
  public let name: String
  public let rule: HolidayRule
  /// The year of the founding event, from which anniversaries are counted.
  public let foundingYear: Int?
  /// A public day off (ngày nghỉ lễ).
  public let isDayOff: Bool

  public init(
    id: String, name: String, rule: HolidayRule, foundingYear: Int? = nil, isDayOff: Bool = false
  ) {
    self.id = id
    self.name = name
    self.rule = rule
    self.foundingYear = foundingYear
    self.isDayOff = isDayOff
  }

  /// Every date in `range` on which this holiday falls, ascending.
  public func dates(in range: CivilDateRange) -> [CivilDate] {
    guard range.lower <= range.upper else { return [] }
    switch rule {
    case .date(let date):
      return range.contains(date) ? [date] : []
    case .solar(let month, let day):
      return (range.lower.year...range.upper.year).compactMap {
        CivilDate(year: $0, month: month, day: day)
      }.filter(range.contains)
    case .lunar(let month, let day, let isLeapMonth):
      // A lunar year starts in late January or February, so the lunar
      // years touching a solar range are the solar years and the one before.
      return (range.lower.year - 1...range.upper.year).compactMap { year in
        guard
          let length = LunarCalendar.monthLength(year: year, month: month, isLeapMonth: isLeapMonth)
        else { return nil }
        return LunarCalendar.solarDate(
          for: LunarDate(year: year, month: month, day: min(day, length), isLeapMonth: isLeapMonth))
      }.filter(range.contains)
    }
  }

  /// Which anniversary falls on `date` (80 for Quốc khánh on 2025-09-02), or
  /// nil without a founding year or before it.
  public func anniversary(on date: CivilDate) -> Int? {
    guard let foundingYear else { return nil }
    let year: Int
    if case .lunar = rule {
      year = LunarCalendar.lunarDate(for: date).year
    } else {
      year = date.year
    }
    return year > foundingYear ? year - foundingYear : nil
  }
}
