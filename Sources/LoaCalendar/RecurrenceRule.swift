// Recurrence rules: the date-level subset of RFC 5545 §3.3.10 (RRULE).
// This file holds the model; RecurrenceRuleParser.swift reads the text form
// and RecurrenceRuleExpansion.swift turns a rule into dates.

/// Why a recurrence rule cannot be read, and where.
public struct RecurrenceRuleError: Error, Hashable, Sendable, CustomStringConvertible {
  /// The 0-based `Character` offset in the rule text where the problem starts,
  /// so that a caller can point at file:line:col.
  public let offset: Int
  /// What is wrong and, where obvious, what to write instead.
  public let message: String

  public init(offset: Int, message: String) {
    self.offset = offset
    self.message = message
  }

  public var description: String { message }
}

/// A day of the week, optionally the Nth (or Nth from last) in its month or
/// year: `-1SU`, `2MO`, `FR`.
public struct WeekdayNum: Hashable, Sendable, CustomStringConvertible {
  /// 1 for the first, -1 for the last; nil for every such weekday.
  public let ordinal: Int?
  public let weekday: Weekday

  public init(ordinal: Int? = nil, weekday: Weekday) {
    self.ordinal = ordinal
    self.weekday = weekday
  }

  /// The RFC 5545 form: `-1SU`, `2MO`, `FR`.
  public var description: String { (ordinal.map(String.init) ?? "") + weekday.icalCode }
}

/// A recurrence rule (RFC 5545 RRULE) restricted to what selects days.
///
/// Programs air at a fixed time of day, so only FREQ DAILY, WEEKLY, MONTHLY
/// and YEARLY are read, with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,
/// BYMONTH, BYSETPOS and WKST. Parse one with `init(parsing:)` and expand it
/// with `dates(start:in:)`.
public struct RecurrenceRule: Hashable, Sendable, CustomStringConvertible {
  /// The length of the period the rule repeats in.
  public enum Frequency: String, Sendable, CaseIterable {
    case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY"
  }

  public let frequency: Frequency
  /// Every how many periods the rule applies (1 unless INTERVAL says otherwise).
  public let interval: Int
  /// How many dates the rule selects in all, counted from DTSTART.
  public let count: Int?
  /// Where the rule ends (UNTIL), inclusive: see `RecurrenceEnd`.
  public let until: RecurrenceEnd?
  public let byDay: [WeekdayNum]
  /// Days of the month, 1...31, or -31...-1 counting from the month's end.
  public let byMonthDay: [Int]
  public let byMonth: [Int]
  /// Which of each period's dates to keep, 1 for the first, -1 for the last.
  public let bySetPosition: [Int]
  /// The first day of a week (WKST, Monday unless given).
  public let weekStart: Weekday

  init(
    frequency: Frequency, interval: Int = 1, count: Int? = nil, until: RecurrenceEnd? = nil,
    byDay: [WeekdayNum] = [], byMonthDay: [Int] = [], byMonth: [Int] = [],
    bySetPosition: [Int] = [], weekStart: Weekday = .monday
  ) {
    self.frequency = frequency
    self.interval = interval
    self.count = count
    self.until = until
    self.byDay = byDay
    self.byMonthDay = byMonthDay
    self.byMonth = byMonth
    self.bySetPosition = bySetPosition
    self.weekStart = weekStart
  }

  /// True when the dates depend on DTSTART as more than a lower bound.
  ///
  /// That is the case with INTERVAL > 1 (which periods count), COUNT (where
  /// counting begins), BYSETPOS, and when a field is taken from DTSTART:
  /// the weekday of a WEEKLY rule without BYDAY, the day of a MONTHLY or
  /// YEARLY rule without BYDAY or BYMONTHDAY (and the month of a YEARLY rule
  /// that has no BYMONTH either). A schedule then needs an explicit `from`.
  public var dependsOnStart: Bool {
    if interval > 1 || count != nil || !bySetPosition.isEmpty { return true }
    switch frequency {
    case .daily: return false
    case .weekly: return byDay.isEmpty
    case .monthly, .yearly: return byDay.isEmpty && byMonthDay.isEmpty
    }
  }

  /// The canonical text, e.g. `FREQ=MONTHLY;BYDAY=-1SU`.
  ///
  /// Parts come in a fixed order, upper case, defaults left out, UNTIL in
  /// the form it was written; parsing it gives back an equal rule.
  public var description: String {
    func list(_ values: [some CustomStringConvertible]) -> String {
      values.map(\.description).joined(separator: ",")
    }
    var parts = ["FREQ=\(frequency.rawValue)"]
    if interval != 1 { parts.append("INTERVAL=\(interval)") }
    if let count { parts.append("COUNT=\(count)") }
    if let until { parts.append("UNTIL=\(until)") }
    if !byMonth.isEmpty { parts.append("BYMONTH=\(list(byMonth))") }
    if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=\(list(byMonthDay))") }
    if !byDay.isEmpty { parts.append("BYDAY=\(list(byDay))") }
    if !bySetPosition.isEmpty { parts.append("BYSETPOS=\(list(bySetPosition))") }
    if weekStart != .monday { parts.append("WKST=\(weekStart.icalCode)") }
    return parts.joined(separator: ";")
  }
}

/// Where a recurrence rule ends (UNTIL, RFC 5545 §3.3.10), inclusive.
///
/// A date ends the rule on that day, whatever time its programs air. A date
/// and time ends it at that instant: an occurrence airs if its own start is
/// not after it. With a `Z` the instant is in UTC, as every calendar reads
/// it; without, it is on the station's clock (a "floating" time).
public enum RecurrenceEnd: Hashable, Sendable, CustomStringConvertible {
  /// `UNTIL=20261015`: the last day the rule may select.
  case day(CivilDate)
  /// `UNTIL=20261015T021400`: a date and time on the station's clock.
  case local(CivilDate, secondOfDay: Int)
  /// `UNTIL=20261015T000000Z`: a date and time in UTC.
  case utc(CivilDate, secondOfDay: Int)

  /// The last day on which an occurrence at `secondOfDay` on the station's
  /// clock is not after this end; `utcOffset` is the station's offset from
  /// UTC in seconds at this end (only an end in UTC needs it).
  public func lastDay(secondOfDay: Int, utcOffset: Int) -> CivilDate {
    let date: CivilDate
    let second: Int
    switch self {
    case .day(let day): return day
    case .local(let day, let at): (date, second) = (day, at)
    case .utc(let day, let at):
      // The same instant on the station's clock, perhaps on another day.
      let local = at + utcOffset
      let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
      (date, second) = (day.adding(days: days), local - days * 86_400)
    }
    return secondOfDay <= second ? date : date.adding(days: -1)
  }

  /// Seconds since 1970-01-01T00:00Z of an end in UTC, so that a caller can
  /// find the station's offset then; nil for the other forms.
  public var secondsSince1970: Int? {
    guard case .utc(let day, let second) = self else { return nil }
    return (day.julianDay - 2_440_588) * 86_400 + second
  }

  /// The RFC 5545 form: `20261015`, `20261015T021400` or `20261015T000000Z`.
  public var description: String {
    func ymd(_ day: CivilDate) -> String { pad(day.year, 4) + pad(day.month, 2) + pad(day.day, 2) }
    func hms(_ second: Int) -> String {
      pad(second / 3600, 2) + pad(second / 60 % 60, 2) + pad(second % 60, 2)
    }
    switch self {
    case .day(let day): return ymd(day)
    case .local(let day, let second): return ymd(day) + "T" + hms(second)
    case .utc(let day, let second): return ymd(day) + "T" + hms(second) + "Z"
    }
  }
}
