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
  /// The last day the rule may select (inclusive).
  ///
  /// `UNTIL=20251231` and `UNTIL=20251231T235959Z` both give 2025-12-31: a
  /// time is read on the station's calendar, without its zone. One exception
  /// keeps the RFC's own examples true: a time of exactly midnight
  /// (`T000000`) is the instant the day begins, before any program of that
  /// day airs, so it ends the rule the day before.
  public let until: CivilDate?
  public let byDay: [WeekdayNum]
  /// Days of the month, 1...31, or -31...-1 counting from the month's end.
  public let byMonthDay: [Int]
  public let byMonth: [Int]
  /// Which of each period's dates to keep, 1 for the first, -1 for the last.
  public let bySetPosition: [Int]
  /// The first day of a week (WKST, Monday unless given).
  public let weekStart: Weekday

  init(
    frequency: Frequency, interval: Int = 1, count: Int? = nil, until: CivilDate? = nil,
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
  /// Parts come in a fixed order, upper case, defaults left out, UNTIL as a
  /// date; parsing it gives back an equal rule.
  public var description: String {
    func list(_ values: [some CustomStringConvertible]) -> String {
      values.map(\.description).joined(separator: ",")
    }
    var parts = ["FREQ=\(frequency.rawValue)"]
    if interval != 1 { parts.append("INTERVAL=\(interval)") }
    if let count { parts.append("COUNT=\(count)") }
    if let until {
      parts.append("UNTIL=\(pad(until.year, 4))\(pad(until.month, 2))\(pad(until.day, 2))")
    }
    if !byMonth.isEmpty { parts.append("BYMONTH=\(list(byMonth))") }
    if !byMonthDay.isEmpty { parts.append("BYMONTHDAY=\(list(byMonthDay))") }
    if !byDay.isEmpty { parts.append("BYDAY=\(list(byDay))") }
    if !bySetPosition.isEmpty { parts.append("BYSETPOS=\(list(bySetPosition))") }
    if weekStart != .monday { parts.append("WKST=\(weekStart.icalCode)") }
    return parts.joined(separator: ";")
  }
}
