// Reading the text form of a recurrence rule, with errors that say where
// (a character offset) and what to write instead.

extension RecurrenceRule {
  /// Reads a rule such as `FREQ=MONTHLY;BYDAY=-1SU`.
  ///
  /// An `RRULE:` prefix is accepted; parts are separated by `;` and may come
  /// in any order; names and values are case-insensitive. Anything outside
  /// the supported subset, and anything RFC 5545 forbids (COUNT with UNTIL,
  /// a part given twice, BYDAY ordinals with DAILY or WEEKLY, …), is an error.
  public init(parsing text: String) throws(RecurrenceRuleError) {
    self = try RuleReader(text).rule()
  }
}

/// One `NAME=VALUE` part of the rule text, with where its pieces start.
private struct RulePart {
  /// Upper-cased.
  let name: String
  let nameOffset: Int
  /// As written, for messages.
  let value: String
  let valueOffset: Int

  var upperValue: String { value.uppercased() }
}

/// The parts of a rule's text, checked one at a time.
private struct RuleReader {
  static let supported = [
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST",
  ]
  static let frequencies = RecurrenceRule.Frequency.allCases.map(\.rawValue)
  static let frequencyList = "DAILY, WEEKLY, MONTHLY or YEARLY"

  let characters: [Character]

  init(_ text: String) {
    characters = Array(text)
  }

  func rule() throws(RecurrenceRuleError) -> RecurrenceRule {
    let parts = try split()
    var byName: [String: RulePart] = [:]
    for part in parts { byName[part.name] = part }
    guard let freqPart = byName["FREQ"] else {
      throw RecurrenceRuleError(
        offset: parts.first?.nameOffset ?? 0,
        message: "FREQ is missing: start the rule with FREQ=\(Self.frequencyList)")
    }
    let frequency = try self.frequency(freqPart)

    var interval = 1
    var count: Int?
    var until: RecurrenceEnd?
    var byDay: [(WeekdayNum, offset: Int)] = []
    var byMonthDay: [Int] = []
    var byMonth: [Int] = []
    var bySetPosition: [Int] = []
    var weekStart = Weekday.monday
    for part in parts {
      switch part.name {
      case "INTERVAL":
        interval = try number(part, 1...10_000, "a whole number of periods from 1 to 10000")
      case "COUNT":
        count = try number(part, 1...100_000, "a whole number of dates from 1 to 100000")
      case "UNTIL": until = try self.until(part)
      case "BYDAY": byDay = try weekdays(part, frequency)
      case "BYMONTHDAY":
        byMonthDay = try numbers(
          part, 1...31, "1 to 31, or -31 to -1 counting from the month's end")
      case "BYMONTH": byMonth = try numbers(part, 1...12, "1 to 12", signed: false)
      case "BYSETPOS":
        bySetPosition = try numbers(part, 1...366, "1 to 366, or -366 to -1 from the period's end")
      case "WKST": weekStart = try self.weekStart(part)
      default: break  // FREQ, read above
      }
    }

    if let countPart = byName["COUNT"], let untilPart = byName["UNTIL"] {
      throw RecurrenceRuleError(
        offset: max(countPart.nameOffset, untilPart.nameOffset),
        message: "COUNT and UNTIL cannot both be given: keep one")
    }
    if frequency == .weekly, let part = byName["BYMONTHDAY"] {
      throw RecurrenceRuleError(
        offset: part.nameOffset,
        message:
          "BYMONTHDAY cannot be used with FREQ=WEEKLY: use FREQ=MONTHLY, or BYDAY for weekdays"
      )
    }
    if let part = byName["BYSETPOS"], byDay.isEmpty, byMonthDay.isEmpty, byMonth.isEmpty {
      throw RecurrenceRuleError(
        offset: part.nameOffset,
        message: "BYSETPOS picks among the dates of BYDAY, BYMONTHDAY or BYMONTH: add one of them")
    }
    // Ordinals count within the month unless a YEARLY rule has no BYMONTH
    // (RFC 5545 §3.3.10); one that can never match is a mistake worth naming.
    let yearWide = frequency == .yearly && byMonth.isEmpty
    for (day, offset) in byDay {
      guard let ordinal = day.ordinal else { continue }
      let limit = yearWide ? 53 : 5
      guard abs(ordinal) > limit else { continue }
      throw RecurrenceRuleError(
        offset: offset,
        message: yearWide
          ? "BYDAY '\(day)' never occurs: a year has at most 53 of each weekday"
          : "BYDAY '\(day)' never occurs: a month has at most 5 of each weekday "
            + "(-1\(day.weekday.icalCode) is the last)"
      )
    }

    return RecurrenceRule(
      frequency: frequency, interval: interval, count: count, until: until,
      byDay: byDay.map(\.0), byMonthDay: byMonthDay, byMonth: byMonth,
      bySetPosition: bySetPosition, weekStart: weekStart)
  }

  // MARK: Parts

  /// The `NAME=VALUE` parts, each name known, supported and given once.
  private func split() throws(RecurrenceRuleError) -> [RulePart] {
    var start = 0
    if characters.count >= 6, String(characters[0..<6]).uppercased() == "RRULE:" { start = 6 }
    if let space = characters.firstIndex(where: \.isWhitespace) {
      throw RecurrenceRuleError(
        offset: space, message: "a rule has no spaces: write it like FREQ=WEEKLY;BYDAY=MO,TH")
    }
    guard start < characters.count else {
      throw RecurrenceRuleError(
        offset: start, message: "the rule is empty: write it like FREQ=WEEKLY;BYDAY=MO,TH")
    }
    var parts: [RulePart] = []
    var partStart = start
    for end in start...characters.count where end == characters.count || characters[end] == ";" {
      defer { partStart = end + 1 }
      let piece = characters[partStart..<end]
      guard !piece.isEmpty else {
        // Point at the `;` that is one too many.
        let extra = end == characters.count ? partStart - 1 : end
        throw RecurrenceRuleError(offset: extra, message: "empty part: remove the extra ';'")
      }
      guard let equals = piece.firstIndex(of: "=") else {
        throw RecurrenceRuleError(offset: partStart, message: missingEquals(String(piece)))
      }
      let name = String(piece[..<equals]).uppercased()
      guard !name.isEmpty else {
        throw RecurrenceRuleError(
          offset: partStart, message: "a part has no name before '=': write it like BYDAY=MO")
      }
      try checkName(name, at: partStart)
      if let earlier = parts.first(where: { $0.name == name }) {
        throw RecurrenceRuleError(
          offset: partStart,
          message: "\(name) is given twice (also at character \(earlier.nameOffset + 1)): keep one")
      }
      let value = String(piece[(equals + 1)...])
      guard !value.isEmpty else {
        throw RecurrenceRuleError(offset: equals + 1, message: "\(name) has no value")
      }
      parts.append(
        RulePart(name: name, nameOffset: partStart, value: value, valueOffset: equals + 1))
    }
    return parts
  }

  private func missingEquals(_ piece: String) -> String {
    let upper = piece.uppercased()
    if Self.frequencies.contains(upper) { return "'\(piece)' needs a name: write FREQ=\(upper)" }
    if Self.supported.contains(upper) { return "\(upper) has no value: write \(upper)=…" }
    return "'\(piece)' is not NAME=VALUE: write parts like FREQ=WEEKLY, separated by ';'"
  }

  private func checkName(_ name: String, at offset: Int) throws(RecurrenceRuleError) {
    if Self.supported.contains(name) { return }
    let message: String
    switch name {
    case "BYHOUR", "BYMINUTE", "BYSECOND":
      message = "\(name) is not supported: programs air at a fixed time of day"
    case "BYYEARDAY", "BYWEEKNO":
      // Not about time of day: these select days, only through numbering
      // that no station schedule needs; say what to use instead.
      message = "\(name) is not supported: select days with BYMONTH, BYMONTHDAY and BYDAY"
    case "DTSTART":
      message = "DTSTART is not part of a rule: the first date is given separately"
    default:
      let hint = suggestion(for: name, among: Self.supported).map { " (did you mean \($0)?)" }
      message = "unknown part '\(name)'\(hint ?? "")"
    }
    throw RecurrenceRuleError(offset: offset, message: message)
  }

  // MARK: Values

  private func frequency(_ part: RulePart) throws(RecurrenceRuleError) -> RecurrenceRule.Frequency {
    let value = part.upperValue
    if let frequency = RecurrenceRule.Frequency(rawValue: value) { return frequency }
    let message: String
    switch value {
    case "HOURLY", "MINUTELY", "SECONDLY":
      message = "FREQ=\(value) is not supported: programs air at a fixed time of day"
    default:
      let hint = suggestion(for: value, among: Self.frequencies).map { " (did you mean \($0)?)" }
      message = "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not '\(part.value)'\(hint ?? "")"
    }
    throw RecurrenceRuleError(offset: part.valueOffset, message: message)
  }

  /// The comma-separated items of a value, each with its offset.
  private func items(_ part: RulePart) throws(RecurrenceRuleError) -> [(text: String, offset: Int)]
  {
    var result: [(text: String, offset: Int)] = []
    var offset = part.valueOffset
    for item in part.value.split(separator: ",", omittingEmptySubsequences: false) {
      guard !item.isEmpty else {
        let extra = offset == part.valueOffset ? offset : offset - 1
        throw RecurrenceRuleError(
          offset: extra, message: "\(part.name) has an empty item: remove the extra ','")
      }
      result.append((String(item), offset))
      offset += item.count + 1
    }
    return result
  }

  private func number(_ part: RulePart, _ range: ClosedRange<Int>, _ what: String)
    throws(RecurrenceRuleError) -> Int
  {
    guard let value = wholeNumber(part.value, signed: false), range.contains(value) else {
      throw RecurrenceRuleError(
        offset: part.valueOffset, message: "\(part.name) must be \(what), not '\(part.value)'")
    }
    return value
  }

  /// A list of numbers from `range`, or (when `signed`) their negatives.
  private func numbers(
    _ part: RulePart, _ range: ClosedRange<Int>, _ what: String, signed: Bool = true
  ) throws(RecurrenceRuleError) -> [Int] {
    var result: [Int] = []
    for (text, offset) in try items(part) {
      guard let value = wholeNumber(text, signed: signed), range.contains(abs(value)) else {
        throw RecurrenceRuleError(
          offset: offset, message: "\(part.name) values are \(what), not '\(text)'")
      }
      result.append(value)
    }
    return result
  }

  private func until(_ part: RulePart) throws(RecurrenceRuleError) -> RecurrenceEnd {
    let text = Array(part.upperValue)
    let form = "a date like 20251231 or a date-time like 20251231T235959Z"
    func digits(_ range: Range<Int>) -> Int? {
      let slice = text[range]
      guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
      return Int(String(slice))
    }
    var time: (hour: Int, minute: Int, second: Int)?
    if text.count == 15 || (text.count == 16 && text[15] == "Z"), text[8] == "T" {
      guard let hour = digits(9..<11), let minute = digits(11..<13), let second = digits(13..<15),
        hour < 24, minute < 60, second <= 60
      else {
        throw RecurrenceRuleError(
          offset: part.valueOffset + 9,
          message: "UNTIL has no valid time after 'T': write it like 20251231T235959Z")
      }
      time = (hour, minute, second)
    } else if text.count != 8 {
      throw RecurrenceRuleError(
        offset: part.valueOffset, message: "UNTIL must be \(form), not '\(part.value)'")
    }
    guard let year = digits(0..<4), let month = digits(4..<6), let day = digits(6..<8) else {
      throw RecurrenceRuleError(
        offset: part.valueOffset, message: "UNTIL must be \(form), not '\(part.value)'")
    }
    guard let date = CivilDate(year: year, month: month, day: day) else {
      throw RecurrenceRuleError(
        offset: part.valueOffset,
        message: "UNTIL \(String(text[0..<8])) is not a date (\(pad(year, 4))-\(pad(month, 2)) "
          + "has \(CivilDate.daysIn(month: month, year: year)) days)")
    }
    guard let time else { return .day(date) }
    // A leap second (60) ends the rule with the minute's last second.
    let second = min(time.hour * 3600 + time.minute * 60 + time.second, 86_399)
    return text.count == 16 ? .utc(date, secondOfDay: second) : .local(date, secondOfDay: second)
  }

  private func weekStart(_ part: RulePart) throws(RecurrenceRuleError) -> Weekday {
    guard let day = Weekday(icalCode: part.upperValue) else {
      throw RecurrenceRuleError(
        offset: part.valueOffset,
        message: "WKST must be MO, TU, WE, TH, FR, SA or SU, not '\(part.value)'")
    }
    return day
  }

  private func weekdays(_ part: RulePart, _ frequency: RecurrenceRule.Frequency)
    throws(RecurrenceRuleError) -> [(WeekdayNum, offset: Int)]
  {
    var result: [(WeekdayNum, offset: Int)] = []
    for (text, offset) in try items(part) {
      let upper = Array(text.uppercased())
      let letters = upper.firstIndex(where: \.isLetter) ?? upper.count
      let number = String(upper[..<letters])
      let code = String(upper[letters...])
      let form = "BYDAY values are days like MO, 2MO (the second Monday) or -1SU (the last Sunday)"
      guard let weekday = Weekday(icalCode: code) else {
        // `MON`, `MONDAY`, `TUE`: the two-letter code was meant.
        let meant =
          code.count > 2 ? Weekday(icalCode: String(code.prefix(2)))?.icalCode : nil
        let hint = meant.map { " (did you mean \(number)\($0)?)" } ?? ""
        throw RecurrenceRuleError(offset: offset, message: "\(form), not '\(text)'\(hint)")
      }
      var ordinal: Int?
      if !number.isEmpty {
        guard let value = wholeNumber(number, signed: true) else {
          throw RecurrenceRuleError(offset: offset, message: "\(form), not '\(text)'")
        }
        guard value != 0 else {
          throw RecurrenceRuleError(
            offset: offset,
            message: "BYDAY '\(text)': count from 1 (the first) or -1 (the last), not 0")
        }
        guard frequency == .monthly || frequency == .yearly else {
          throw RecurrenceRuleError(
            offset: offset,
            message: "BYDAY '\(text)': a number needs FREQ=MONTHLY or YEARLY; with "
              + "FREQ=\(frequency.rawValue) write \(code)")
        }
        ordinal = value
      }
      result.append((WeekdayNum(ordinal: ordinal, weekday: weekday), offset))
    }
    return result
  }
}

/// `12`, or with `signed` also `+12` and `-12`; ASCII digits only, no spaces.
private func wholeNumber(_ text: String, signed: Bool) -> Int? {
  var digits = Substring(text)
  var sign = 1
  if signed, let first = digits.first, first == "+" || first == "-" {
    sign = first == "-" ? -1 : 1
    digits = digits.dropFirst()
  }
  // Nine digits are more than any part allows and cannot overflow.
  guard (1...9).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }),
    let value = Int(digits)
  else { return nil }
  return sign * value
}

/// The candidate a near-miss `word` most likely meant: within two edits
/// (a swap of neighbours is one), or a longer spelling of it (`FREQUENCY`).
private func suggestion(for word: String, among candidates: [String]) -> String? {
  guard word.count >= 3 else { return nil }
  let scored = candidates.map { (candidate: $0, distance: Spelling.distance(word, $0)) }
  if let best = scored.min(by: { $0.distance < $1.distance }), best.distance <= 2 {
    return best.candidate
  }
  return candidates.first { word.count >= 4 && $0.count >= 4 && word.hasPrefix($0) }
}
