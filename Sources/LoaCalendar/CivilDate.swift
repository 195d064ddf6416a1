// LoaCalendar owns dates: the proleptic Gregorian (solar) calendar, the
// Vietnamese lunar calendar, can-chi names, the holiday catalog and
// recurrence rules. It is pure: no I/O, no clock, no C.

/// A day of the week, numbered as ISO 8601 does (Monday is 1).
public enum Weekday: Int, CaseIterable, Sendable, Comparable {
  case monday = 1, tuesday, wednesday, thursday, friday, saturday, sunday

  public static func < (lhs: Weekday, rhs: Weekday) -> Bool { lhs.rawValue < rhs.rawValue }

  /// The two-letter code RFC 5545 uses (`MO`, `TU`, …).
  public var icalCode: String {
    ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][rawValue - 1]
  }

  /// The Vietnamese name as printed on calendars ("Thứ Hai", …, "Chủ nhật").
  public var vietnameseName: String {
    ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"][rawValue - 1]
  }

  /// The English three-letter abbreviation, for machine-readable output.
  public var shortName: String {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][rawValue - 1]
  }

  public init?(icalCode: String) {
    guard let index = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].firstIndex(of: icalCode) else {
      return nil
    }
    self.init(rawValue: index + 1)
  }
}

/// A day on the proleptic Gregorian calendar, with no time and no zone.
///
/// Days are counted by their Julian Day Number, which makes date arithmetic
/// an integer addition and comparison an integer comparison.
public struct CivilDate: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let year: Int
  public let month: Int
  public let day: Int

  /// A date, or nil when the month or day does not exist (2025-02-29).
  public init?(year: Int, month: Int, day: Int) {
    guard (1...12).contains(month), day >= 1, day <= CivilDate.daysIn(month: month, year: year)
    else { return nil }
    self.year = year
    self.month = month
    self.day = day
  }

  /// January 1st of `year`, which always exists.
  init(firstOfYear year: Int) {
    self.year = year
    month = 1
    day = 1
  }

  /// The date with the given Julian Day Number (2451545 is 2000-01-01).
  public init(julianDay: Int) {
    // Fliegel & Van Flandern's inverse, valid for all positive day numbers.
    let a = julianDay + 32044
    let b = (4 * a + 3) / 146097
    let c = a - 146097 * b / 4
    let d = (4 * c + 3) / 1461
    let e = c - 1461 * d / 4
    let m = (5 * e + 2) / 153
    day = e - (153 * m + 2) / 5 + 1
    month = m + 3 - 12 * (m / 10)
    year = 100 * b + d - 4800 + m / 10
  }

  /// Parses `YYYY-MM-DD`; nil for anything else or a day that does not exist.
  public init?(iso text: some StringProtocol) {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
      parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
      let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
    else { return nil }
    self.init(year: year, month: month, day: day)
  }

  /// The Julian Day Number of this date (at noon, as astronomers count).
  public var julianDay: Int {
    let a = (14 - month) / 12
    let y = year + 4800 - a
    let m = month + 12 * a - 3
    return day + (153 * m + 2) / 5 + 365 * y + y / 4 - y / 100 + y / 400 - 32045
  }

  public var weekday: Weekday {
    // JDN 0 was a Monday.
    Weekday(rawValue: julianDay % 7 + 1) ?? .monday
  }

  /// Day of the year, 1 for January 1st.
  public var dayOfYear: Int {
    julianDay - CivilDate(firstOfYear: year).julianDay + 1
  }

  public func adding(days: Int) -> CivilDate {
    CivilDate(julianDay: julianDay + days)
  }

  /// Days from this date to `other` (positive when `other` is later).
  public func days(to other: CivilDate) -> Int {
    other.julianDay - julianDay
  }

  public static func isLeapYear(_ year: Int) -> Bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
  }

  public static func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: return isLeapYear(year) ? 29 : 28
    case 4, 6, 9, 11: return 30
    case 1...12: return 31
    default: return 0
    }
  }

  public static func < (lhs: CivilDate, rhs: CivilDate) -> Bool {
    (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
  }

  /// `YYYY-MM-DD`.
  public var description: String {
    "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  /// `dd/mm/yyyy`, as dates are written in Vietnamese documents.
  public var vietnameseDescription: String {
    "\(pad(day, 2))/\(pad(month, 2))/\(pad(year, 4))"
  }
}

/// Every date from `lower` through `upper`, in order.
public struct CivilDateRange: Sequence, Sendable {
  public let lower: CivilDate
  public let upper: CivilDate

  public init(_ lower: CivilDate, through upper: CivilDate) {
    self.lower = lower
    self.upper = upper
  }

  public func contains(_ date: CivilDate) -> Bool { lower <= date && date <= upper }

  public var count: Int { Swift.max(0, lower.days(to: upper) + 1) }

  public func makeIterator() -> AnyIterator<CivilDate> {
    var next = lower.julianDay
    let last = upper.julianDay
    return AnyIterator {
      guard next <= last else { return nil }
      defer { next += 1 }
      return CivilDate(julianDay: next)
    }
  }
}

func pad(_ value: Int, _ width: Int) -> String {
  let digits = String(abs(value))
  let padded = String(repeating: "0", count: max(0, width - digits.count)) + digits
  return value < 0 ? "-" + padded : padded
}
