// Turning a recurrence rule into dates, following RFC 5545 §3.3.10: the
// rule steps from DTSTART's period by INTERVAL periods; in each, BYxxx parts
// expand or limit the candidate days (the table in §3.3.10), BYSETPOS picks
// among them, and COUNT and UNTIL end the series. Days are Julian Day
// Numbers throughout, so that stepping is integer arithmetic.

extension RecurrenceRule {
  /// The dates the rule selects with DTSTART `start`, within `range`, ascending.
  ///
  /// Follows RFC 5545, with one deliberate difference: a `start` that the
  /// rule does not select is not an occurrence (the RFC counts DTSTART as
  /// the first instance regardless), because a station wants the rule's days
  /// and nothing else. COUNT therefore counts only dates the rule selects.
  /// Dates before `start` or after UNTIL are never returned; days that do
  /// not exist (30 February, the 31st of a 30-day month) are skipped.
  ///
  /// Without COUNT, expansion starts at the period containing `range.lower`,
  /// so a rule that began long ago costs no more than one that began today.
  ///
  /// An UNTIL with a time is compared with each occurrence's start:
  /// `secondOfDay` on the station's clock, whose offset from UTC at UNTIL is
  /// `utcOffset` seconds (see `RecurrenceEnd`).
  public func dates(
    start: CivilDate, in range: CivilDateRange, secondOfDay: Int = 0, utcOffset: Int = 0
  ) -> [CivilDate] {
    let first = start.julianDay
    let lastDay = until?.lastDay(secondOfDay: secondOfDay, utcOffset: utcOffset)
    let last = Swift.min(range.upper.julianDay, lastDay?.julianDay ?? Int.max)
    let wanted = Swift.max(first, range.lower.julianDay)
    guard wanted <= last else { return [] }
    let periods = RecurrencePeriods(rule: self, start: start)
    var index = 0
    if count == nil {
      // The periods that count are DTSTART's and every INTERVAL-th after it.
      let containing = periods.index(containing: wanted)
      index = containing - containing % interval
    }
    var result: [CivilDate] = []
    // At most one date a day; a year of a daily rule then never reallocates.
    result.reserveCapacity(Swift.min(last - wanted + 1, 400))
    var emitted = 0
    if frequency == .daily, bySetPosition.isEmpty {
      // A day is its own period, so each period has at most one candidate:
      // step through the days directly instead of filling buffers.
      for day in stride(from: first + index, through: last, by: interval)
      where periods.matchesLimits(day) {
        emitted += 1
        if day >= wanted { result.append(CivilDate(julianDay: day)) }
        if let count, emitted >= count { break }
      }
      return result
    }
    var candidates: [Int] = []
    var chosen: [Int] = []
    while true {
      let period = periods.period(index)
      guard period.first <= last else { break }
      candidates.removeAll(keepingCapacity: true)
      periods.collect(period, into: &candidates)
      if !bySetPosition.isEmpty {
        chosen.removeAll(keepingCapacity: true)
        for position in bySetPosition {
          let at = position > 0 ? position - 1 : candidates.count + position
          if candidates.indices.contains(at) { chosen.append(candidates[at]) }
        }
        chosen.sortAndRemoveDuplicates()
        swap(&candidates, &chosen)
      }
      for day in candidates where day >= first {
        guard day <= last else { return result }
        emitted += 1
        if day >= wanted { result.append(CivilDate(julianDay: day)) }
        if let count, emitted >= count { return result }
      }
      index += interval
    }
    return result
  }
}

/// One period of a rule: a day, a week from WKST, a month or a year.
private struct RecurrencePeriod {
  /// First and last day, as Julian Day Numbers.
  var first: Int
  var last: Int
  /// The month for a MONTHLY period, 1...12; the year for MONTHLY and YEARLY.
  var year: Int
  var month: Int
}

/// A rule's periods, counted from the one holding DTSTART, and the candidate
/// days in each.
private struct RecurrencePeriods {
  let rule: RecurrenceRule
  let start: CivilDate
  let startDay: Int
  /// Weekdays selected without an ordinal, as a bit per ISO weekday number;
  /// for DAILY and WEEKLY rules, whose BYDAY has no ordinals.
  let weekdayMask: Int
  /// Whether a day must be checked against BYMONTH or BYMONTHDAY, which needs
  /// its month and day and so a conversion from its day number.
  let checksCalendarFields: Bool

  init(rule: RecurrenceRule, start: CivilDate) {
    self.rule = rule
    self.start = start
    startDay = start.julianDay
    // A WEEKLY rule without BYDAY repeats on DTSTART's weekday.
    let weekdays =
      rule.byDay.isEmpty
      ? (rule.frequency == .weekly ? [start.weekday] : Weekday.allCases)
      : rule.byDay.map(\.weekday)
    weekdayMask = weekdays.reduce(0) { $0 | 1 << $1.rawValue }
    checksCalendarFields = !rule.byMonth.isEmpty || !rule.byMonthDay.isEmpty
  }

  /// Which period (0 for DTSTART's) holds `day`; `day` is not before DTSTART.
  func index(containing day: Int) -> Int {
    switch rule.frequency {
    case .daily: return day - startDay
    case .weekly: return (weekBeginning(day) - weekBeginning(startDay)) / 7
    case .monthly:
      let date = CivilDate(julianDay: day)
      return (date.year - start.year) * 12 + date.month - start.month
    case .yearly: return CivilDate(julianDay: day).year - start.year
    }
  }

  func period(_ index: Int) -> RecurrencePeriod {
    switch rule.frequency {
    case .daily:
      return RecurrencePeriod(first: startDay + index, last: startDay + index, year: 0, month: 0)
    case .weekly:
      let first = weekBeginning(startDay) + 7 * index
      return RecurrencePeriod(first: first, last: first + 6, year: 0, month: 0)
    case .monthly:
      let months = start.year * 12 + start.month - 1 + index
      let (year, month) = (months / 12, months % 12 + 1)
      let first = julianDayOfFirst(year: year, month: month)
      let last = first + CivilDate.daysIn(month: month, year: year) - 1
      return RecurrencePeriod(first: first, last: last, year: year, month: month)
    case .yearly:
      let year = start.year + index
      let first = CivilDate(firstOfYear: year).julianDay
      return RecurrencePeriod(
        first: first, last: CivilDate(firstOfYear: year + 1).julianDay - 1, year: year, month: 0)
    }
  }

  /// Appends the period's candidate days, ascending and distinct.
  func collect(_ period: RecurrencePeriod, into days: inout [Int]) {
    switch rule.frequency {
    case .daily, .weekly:
      // BYDAY expands a week and limits a day; BYMONTH (and, for DAILY,
      // BYMONTHDAY) limit both. Walking a week day by day keeps it sorted.
      for day in period.first...period.last where matchesLimits(day) { days.append(day) }
    case .monthly:
      guard rule.byMonth.isEmpty || rule.byMonth.contains(period.month) else { return }
      collectMonth(year: period.year, month: period.month, ordinalScope: nil, into: &days)
      days.sortAndRemoveDuplicates()
    case .yearly:
      collectYear(period, into: &days)
      days.sortAndRemoveDuplicates()
    }
  }

  private func collectYear(_ period: RecurrencePeriod, into days: inout [Int]) {
    let year = period.year
    if !rule.byMonth.isEmpty {
      // BYMONTH expands to its months; BYDAY ordinals then count in the month.
      for month in 1...12 where rule.byMonth.contains(month) {
        collectMonth(year: year, month: month, ordinalScope: nil, into: &days)
      }
    } else if !rule.byMonthDay.isEmpty {
      // BYMONTHDAY expands to every month; BYDAY limits, ordinals in the year.
      for month in 1...12 {
        collectMonth(year: year, month: month, ordinalScope: period, into: &days)
      }
    } else if !rule.byDay.isEmpty {
      appendWeekdays(from: period.first, through: period.last, into: &days)
    } else if let date = CivilDate(year: year, month: start.month, day: start.day) {
      days.append(date.julianDay)  // skipped in years without 29 February
    }
  }

  /// The days of one month that BYMONTHDAY and BYDAY select (DTSTART's day
  /// when neither is given). BYDAY ordinals count within `ordinalScope`, or
  /// within the month when it is nil.
  private func collectMonth(
    year: Int, month: Int, ordinalScope: RecurrencePeriod?, into days: inout [Int]
  ) {
    let length = CivilDate.daysIn(month: month, year: year)
    let first = julianDayOfFirst(year: year, month: month)
    let last = first + length - 1
    if !rule.byMonthDay.isEmpty {
      // BYMONTHDAY expands; BYDAY, when also given, only limits.
      let scope =
        ordinalScope ?? RecurrencePeriod(first: first, last: last, year: year, month: month)
      for value in rule.byMonthDay {
        let dayOfMonth = value > 0 ? value : length + value + 1
        guard (1...length).contains(dayOfMonth) else { continue }  // no 30 February
        let day = first + dayOfMonth - 1
        if rule.byDay.isEmpty || matchesByDay(day, scope: scope) { days.append(day) }
      }
    } else if !rule.byDay.isEmpty {
      appendWeekdays(from: first, through: last, into: &days)
    } else if start.day <= length {
      days.append(first + start.day - 1)
    }
  }

  /// The days from `first` through `last` that BYDAY names, ordinals counted
  /// in that span (`2MO` the second Monday, `-1SU` the last Sunday).
  private func appendWeekdays(from first: Int, through last: Int, into days: inout [Int]) {
    for entry in rule.byDay {
      let weekday = entry.weekday.rawValue
      let earliest = first + (weekday - weekdayNumber(first) + 7) % 7
      switch entry.ordinal {
      case nil:
        days.append(contentsOf: stride(from: earliest, through: last, by: 7))
      case let ordinal? where ordinal > 0:
        let day = earliest + 7 * (ordinal - 1)
        if day <= last { days.append(day) }
      case let ordinal?:
        let latest = last - (weekdayNumber(last) - weekday + 7) % 7
        let day = latest + 7 * (ordinal + 1)
        if day >= first { days.append(day) }
      }
    }
  }

  /// Whether BYDAY names `day`, ordinals counted within `scope`.
  private func matchesByDay(_ day: Int, scope: RecurrencePeriod) -> Bool {
    let weekday = weekdayNumber(day)
    return rule.byDay.contains { entry in
      guard entry.weekday.rawValue == weekday else { return false }
      guard let ordinal = entry.ordinal else { return true }
      return ordinal > 0
        ? (day - scope.first) / 7 + 1 == ordinal : (scope.last - day) / 7 + 1 == -ordinal
    }
  }

  /// The limits DAILY and WEEKLY rules apply to each day.
  func matchesLimits(_ day: Int) -> Bool {
    guard weekdayMask & (1 << weekdayNumber(day)) != 0 else { return false }
    guard checksCalendarFields else { return true }
    let date = CivilDate(julianDay: day)
    if !rule.byMonth.isEmpty, !rule.byMonth.contains(date.month) { return false }
    if !rule.byMonthDay.isEmpty {
      let length = CivilDate.daysIn(month: date.month, year: date.year)
      return rule.byMonthDay.contains { $0 > 0 ? $0 == date.day : length + $0 + 1 == date.day }
    }
    return true
  }

  /// The first day of the WKST-based week holding `day`.
  private func weekBeginning(_ day: Int) -> Int {
    day - (weekdayNumber(day) - rule.weekStart.rawValue + 7) % 7
  }
}

/// The ISO weekday number (Monday 1) of a Julian Day Number, as `CivilDate.weekday`.
private func weekdayNumber(_ day: Int) -> Int { day % 7 + 1 }

/// The Julian Day Number of the first of `month`.
private func julianDayOfFirst(year: Int, month: Int) -> Int {
  var day = CivilDate(firstOfYear: year).julianDay
  for earlier in 1..<month { day += CivilDate.daysIn(month: earlier, year: year) }
  return day
}

extension Array where Element == Int {
  fileprivate mutating func sortAndRemoveDuplicates() {
    guard count > 1 else { return }
    sort()
    var kept = 1
    for index in 1..<count where self[index] != self[kept - 1] {
      self[kept] = self[index]
      kept += 1
    }
    removeLast(count - kept)
  }
}
