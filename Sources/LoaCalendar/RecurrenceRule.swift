/// Why a recurrence rule cannot be read; `offset` is where in the text
/// (0-based, in characters) the problem starts.
public struct RecurrenceRuleError: Error, Hashable, Sendable, CustomStringConvertible {
  public let offset: Int
  public let message: String

  public init(offset: Int, message: String) {
    self.offset = offset
    self.message = message
  }

  public var description: String { message }
}

/// A day of the week, optionally the Nth (or Nth from last) in its month or year: `-1SU`, `2MO`, `FR`.
public struct WeekdayNum: Hashable, Sendable, CustomStringConvertible {
  public let ordinal: Int?
  public let weekday: Weekday

  public init(ordinal: Int?, weekday: Weekday) {
    self.ordinal = ordinal
    self.weekday = weekday
  }

  public var description: String { (ordinal.map(String.init) ?? "") + weekday.icalCode }
}

/// The date-level subset of an RFC 5545 recurrence rule (RRULE): FREQ
/// DAILY/WEEKLY/MONTHLY/YEARLY with INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY,
/// BYMONTH, BYSETPOS and WKST. Programs air at a fixed time, so rules select days.
public struct RecurrenceRule: Hashable, Sendable, CustomStringConvertible {
  public enum Frequency: String, Sendable, CaseIterable {
    case daily = "DAILY", weekly = "WEEKLY", monthly = "MONTHLY", yearly = "YEARLY"
  }

  public let frequency: Frequency
  public let interval: Int
  public let count: Int?
  public let until: CivilDate?
  public let byDay: [WeekdayNum]
  public let byMonthDay: [Int]
  public let byMonth: [Int]
  public let bySetPosition: [Int]
  public let weekStart: Weekday

  static let supported = [
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST",
  ]
  static let timeParts = ["BYHOUR", "BYMINUTE", "BYSECOND", "BYYEARDAY", "BYWEEKNO"]

  /// Parses `FREQ=…;…`, with or without an `RRULE:` prefix; names are case-insensitive.
  public init(parsing text: String) throws(RecurrenceRuleError) {
    var offset = 0
    var body = Substring(text)
    if body.uppercased().hasPrefix("RRULE:") {
      body = body.dropFirst(6)
      offset = 6
    }
    var parts: [String: (value: String, offset: Int)] = [:]
    for part in body.split(separator: ";", omittingEmptySubsequences: false) {
      defer { offset += part.count + 1 }
      guard let equals = part.firstIndex(of: "=") else {
        throw RecurrenceRuleError(offset: offset, message: "'\(part)' is not NAME=VALUE")
      }
      let name = part[..<equals].uppercased()
      let value = String(part[part.index(after: equals)...]).uppercased()
      let valueOffset = offset + name.count + 1
      if Self.timeParts.contains(name) {
        throw RecurrenceRuleError(
          offset: offset, message: "\(name) is not supported: programs air at a fixed time of day")
      }
      guard Self.supported.contains(name) else {
        let hint =
          suggestion(name, Self.supported + Self.timeParts).map { " (did you mean \($0)?)" } ?? ""
        throw RecurrenceRuleError(offset: offset, message: "unknown part '\(name)'\(hint)")
      }
      guard parts[name] == nil else {
        throw RecurrenceRuleError(offset: offset, message: "\(name) is given twice")
      }
      guard !value.isEmpty else {
        throw RecurrenceRuleError(offset: valueOffset, message: "\(name) has no value")
      }
      parts[name] = (value, valueOffset)
    }
    guard let freq = parts["FREQ"] else {
      throw RecurrenceRuleError(
        offset: 0, message: "FREQ is missing: start with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY")
    }
    guard let frequency = Frequency(rawValue: freq.value) else {
      let message =
        ["HOURLY", "MINUTELY", "SECONDLY"].contains(freq.value)
        ? "FREQ=\(freq.value) is not supported: programs air at a fixed time of day"
        : "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, found '\(freq.value)'"
      throw RecurrenceRuleError(offset: freq.offset, message: message)
    }
    self.frequency = frequency

    func integers(_ name: String, _ range: ClosedRange<Int>, nonZero: Bool)
      throws(RecurrenceRuleError) -> [Int]
    {
      guard let part = parts[name] else { return [] }
      var result: [Int] = []
      var at = part.offset
      for item in part.value.split(separator: ",", omittingEmptySubsequences: false) {
        guard let value = Int(item), range.contains(value), !(nonZero && value == 0) else {
          throw RecurrenceRuleError(
            offset: at,
            message:
              "\(name) value '\(item)' must be a whole number from \(range.lowerBound) to \(range.upperBound)\(nonZero ? ", not 0" : "")"
          )
        }
        result.append(value)
        at += item.count + 1
      }
      return result
    }
    interval = try integers("INTERVAL", 1...10_000, nonZero: true).first ?? 1
    count = try integers("COUNT", 1...100_000, nonZero: true).first
    byMonthDay = try integers("BYMONTHDAY", -31...31, nonZero: true)
    byMonth = try integers("BYMONTH", 1...12, nonZero: true)
    bySetPosition = try integers("BYSETPOS", -366...366, nonZero: true)
    if let until = parts["UNTIL"] {
      let digits = until.value.prefix(8)
      guard digits.count == 8, digits.allSatisfy(\.isNumber),
        let date = CivilDate(
          iso: "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))")
      else {
        throw RecurrenceRuleError(
          offset: until.offset,
          message: "UNTIL must be a date like 20251231, found '\(until.value)'")
      }
      // A date is inclusive. A date-time is an instant: programs air after
      // midnight, so UNTIL=…T000000 (midnight) ends the day before. The
      // zone of a date-time is not applied; the rule is read on the
      // station's calendar.
      let time = until.value.dropFirst(8)
      let midnight = time.hasPrefix("T000000")
      self.until = midnight ? date.adding(days: -1) : date
    } else {
      self.until = nil
    }
    if count != nil, until != nil {
      throw RecurrenceRuleError(
        offset: parts["COUNT"]?.offset ?? 0, message: "COUNT and UNTIL cannot both be given")
    }
    var weekStart = Weekday.monday
    if let wkst = parts["WKST"] {
      guard let day = Weekday(icalCode: wkst.value) else {
        throw RecurrenceRuleError(
          offset: wkst.offset, message: "WKST must be MO, TU, WE, TH, FR, SA or SU")
      }
      weekStart = day
    }
    self.weekStart = weekStart
    var byDay: [WeekdayNum] = []
    if let part = parts["BYDAY"] {
      var at = part.offset
      for item in part.value.split(separator: ",", omittingEmptySubsequences: false) {
        let code = String(item.suffix(2))
        let number = item.dropLast(2)
        guard let weekday = Weekday(icalCode: code),
          number.isEmpty || (Int(number).map { $0 != 0 && (-53...53).contains($0) } ?? false)
        else {
          throw RecurrenceRuleError(
            offset: at, message: "BYDAY value '\(item)' must be a day like MO, 2MO or -1SU")
        }
        let ordinal = number.isEmpty ? nil : Int(number)
        if ordinal != nil, frequency != .monthly, frequency != .yearly {
          throw RecurrenceRuleError(
            offset: at, message: "BYDAY with a number ('\(item)') needs FREQ=MONTHLY or YEARLY")
        }
        byDay.append(WeekdayNum(ordinal: ordinal, weekday: weekday))
        at += item.count + 1
      }
    }
    self.byDay = byDay
    if !byMonthDay.isEmpty, frequency == .weekly {
      throw RecurrenceRuleError(
        offset: parts["BYMONTHDAY"]?.offset ?? 0,
        message: "BYMONTHDAY cannot be used with FREQ=WEEKLY")
    }
  }

  /// True when the dates depend on DTSTART beyond being a lower bound.
  public var dependsOnStart: Bool {
    if interval > 1 || count != nil || !bySetPosition.isEmpty { return true }
    switch frequency {
    case .daily: return false
    case .weekly: return byDay.isEmpty
    case .monthly: return byDay.isEmpty && byMonthDay.isEmpty
    case .yearly: return byDay.isEmpty && byMonthDay.isEmpty
    }
  }

  public var description: String {
    var parts = ["FREQ=\(frequency.rawValue)"]
    if interval != 1 { parts.append("INTERVAL=\(interval)") }
    if let count { parts.append("COUNT=\(count)") }
    if let until { parts.append("UNTIL=\(until.description.replacingDashes)") }
    if !byMonth.isEmpty {
      parts.append("BYMONTH=" + byMonth.map(String.init).joined(separator: ","))
    }
    if !byMonthDay.isEmpty {
      parts.append("BYMONTHDAY=" + byMonthDay.map(String.init).joined(separator: ","))
    }
    if !byDay.isEmpty { parts.append("BYDAY=" + byDay.map(\.description).joined(separator: ",")) }
    if !bySetPosition.isEmpty {
      parts.append("BYSETPOS=" + bySetPosition.map(String.init).joined(separator: ","))
    }
    if weekStart != .monday { parts.append("WKST=\(weekStart.icalCode)") }
    return parts.joined(separator: ";")
  }

  // MARK: Expansion

  /// The dates the rule selects with DTSTART `start`, within `range`, ascending.
  ///
  /// A DTSTART that the rule does not select is not an occurrence (RFC 5545
  /// counts it anyway; a station wants only the rule's days).
  public func dates(start: CivilDate, in range: CivilDateRange) -> [CivilDate] {
    var result: [CivilDate] = []
    var emitted = 0
    let last = until.map { Swift.min($0, range.upper) } ?? range.upper
    guard start <= last else { return [] }
    var period = 0
    if count == nil {
      // Skip whole periods before the range: no count to keep.
      period = Swift.max(0, periodIndex(of: range.lower, start: start) / interval - 1)
    }
    while let origin = periodStart(period * interval, start: start), origin <= last {
      let candidates = expand(periodNumber: period * interval, start: start)
      period += 1
      for date in candidates where date >= start {
        if date > last { return result }
        emitted += 1
        if date >= range.lower { result.append(date) }
        if let count, emitted >= count { return result }
      }
    }
    return result
  }

  /// How many whole periods of the rule's frequency lie between DTSTART's period and `date`'s.
  private func periodIndex(of date: CivilDate, start: CivilDate) -> Int {
    switch frequency {
    case .daily: return start.days(to: date)
    case .weekly: return weekStartDay(start).days(to: weekStartDay(date)) / 7
    case .monthly: return (date.year - start.year) * 12 + date.month - start.month
    case .yearly: return date.year - start.year
    }
  }

  private func weekStartDay(_ date: CivilDate) -> CivilDate {
    let back = (date.weekday.rawValue - weekStart.rawValue + 7) % 7
    return date.adding(days: -back)
  }

  private func periodStart(_ n: Int, start: CivilDate) -> CivilDate? {
    switch frequency {
    case .daily: return start.adding(days: n)
    case .weekly: return weekStartDay(start).adding(days: 7 * n)
    case .monthly:
      let months = start.year * 12 + start.month - 1 + n
      return CivilDate(year: months / 12, month: months % 12 + 1, day: 1)
    case .yearly: return CivilDate(year: start.year + n, month: 1, day: 1)
    }
  }

  /// The sorted dates of the `n`th period after DTSTART's.
  private func expand(periodNumber n: Int, start: CivilDate) -> [CivilDate] {
    guard let origin = periodStart(n, start: start) else { return [] }
    var set: [CivilDate]
    switch frequency {
    case .daily:
      set = [origin]
      set = set.filter { matchesMonth($0) && matchesMonthDay($0) && matchesWeekday($0) }
    case .weekly:
      let week = (0..<7).map { origin.adding(days: $0) }
      let days = byDay.isEmpty ? [start.weekday] : byDay.map(\.weekday)
      set = week.filter { days.contains($0.weekday) && matchesMonth($0) }
    case .monthly:
      set =
        matchesMonth(origin) ? monthDays(year: origin.year, month: origin.month, start: start) : []
    case .yearly:
      let year = origin.year
      if !byDay.isEmpty, byMonth.isEmpty, byMonthDay.isEmpty {
        set = weekdaysIn(first: origin, last: CivilDate(year: year, month: 12, day: 31) ?? origin)
      } else {
        let months =
          !byMonth.isEmpty
          ? byMonth : (byMonthDay.isEmpty && byDay.isEmpty ? [start.month] : Array(1...12))
        set = months.sorted().flatMap { monthDays(year: year, month: $0, start: start) }
      }
    }
    set.sort()
    guard !bySetPosition.isEmpty else { return set }
    var picked: [CivilDate] = []
    for position in bySetPosition {
      let index = position > 0 ? position - 1 : set.count + position
      if set.indices.contains(index) { picked.append(set[index]) }
    }
    return Array(Set(picked)).sorted()
  }

  /// The days of one month that BYMONTHDAY and BYDAY select (DTSTART's day when neither is given).
  private func monthDays(year: Int, month: Int, start: CivilDate) -> [CivilDate] {
    let length = CivilDate.daysIn(month: month, year: year)
    guard let first = CivilDate(year: year, month: month, day: 1) else { return [] }
    let lastDay = first.adding(days: length - 1)
    if byMonthDay.isEmpty, byDay.isEmpty {
      return CivilDate(year: year, month: month, day: start.day).map { [$0] } ?? []
    }
    var days: [CivilDate]
    if !byMonthDay.isEmpty {
      days = byMonthDay.compactMap { value in
        let day = value > 0 ? value : length + value + 1
        return (1...length).contains(day) ? CivilDate(year: year, month: month, day: day) : nil
      }
      if !byDay.isEmpty { days = days.filter(matchesWeekday) }
    } else {
      days = weekdaysIn(first: first, last: lastDay)
    }
    return days
  }

  /// The days between `first` and `last` that BYDAY selects, ordinals counted within that span.
  private func weekdaysIn(first: CivilDate, last: CivilDate) -> [CivilDate] {
    var result: [CivilDate] = []
    for entry in byDay {
      let offset = (entry.weekday.rawValue - first.weekday.rawValue + 7) % 7
      var all: [CivilDate] = []
      var day = first.adding(days: offset)
      while day <= last {
        all.append(day)
        day = day.adding(days: 7)
      }
      if let ordinal = entry.ordinal {
        let index = ordinal > 0 ? ordinal - 1 : all.count + ordinal
        if all.indices.contains(index) { result.append(all[index]) }
      } else {
        result += all
      }
    }
    return result
  }

  private func matchesMonth(_ date: CivilDate) -> Bool {
    byMonth.isEmpty || byMonth.contains(date.month)
  }

  private func matchesMonthDay(_ date: CivilDate) -> Bool {
    guard !byMonthDay.isEmpty else { return true }
    let length = CivilDate.daysIn(month: date.month, year: date.year)
    return byMonthDay.contains { $0 > 0 ? $0 == date.day : length + $0 + 1 == date.day }
  }

  private func matchesWeekday(_ date: CivilDate) -> Bool {
    byDay.isEmpty || byDay.contains { $0.weekday == date.weekday }
  }
}

private func suggestion(_ word: String, _ candidates: [String]) -> String? {
  candidates.first { candidate in
    candidate.count == word.count && zip(candidate, word).filter { $0 != $1 }.count <= 2
      && candidate.sorted() == word.sorted()
  } ?? candidates.first { $0.hasPrefix(word.prefix(4)) && abs($0.count - word.count) <= 1 }
}

extension String {
  fileprivate var replacingDashes: String { filter { $0 != "-" } }
}
