import LoaCalendar

/// A time on the station's wall clock, to the second.
public struct TimeOfDay: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let secondsSinceMidnight: Int

  public init?(hour: Int, minute: Int, second: Int = 0) {
    guard (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second) else {
      return nil
    }
    secondsSinceMidnight = hour * 3600 + minute * 60 + second
  }

  /// Parses `HH:MM` or `HH:MM:SS` (one-digit hours are accepted: `5:30`).
  public init?(parsing text: some StringProtocol) {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard (2...3).contains(parts.count),
      parts.allSatisfy({
        !$0.isEmpty && $0.count <= 2 && $0.allSatisfy { $0.isASCII && $0.isNumber }
      }),
      parts.dropFirst().allSatisfy({ $0.count == 2 }),
      let hour = Int(parts[0]), let minute = Int(parts[1])
    else { return nil }
    let second = parts.count == 3 ? Int(parts[2]) ?? -1 : 0
    self.init(hour: hour, minute: minute, second: second)
  }

  public var hour: Int { secondsSinceMidnight / 3600 }
  public var minute: Int { secondsSinceMidnight / 60 % 60 }
  public var second: Int { secondsSinceMidnight % 60 }

  public static func < (lhs: TimeOfDay, rhs: TimeOfDay) -> Bool {
    lhs.secondsSinceMidnight < rhs.secondsSinceMidnight
  }

  /// `HH:MM`, or `HH:MM:SS` when the seconds are not zero.
  public var description: String {
    let hm = "\(twoDigits(hour)):\(twoDigits(minute))"
    return second == 0 ? hm : "\(hm):\(twoDigits(second))"
  }
}

/// A date and a wall-clock time at the station, before any time zone is applied.
public struct LocalDateTime: Hashable, Comparable, Sendable, CustomStringConvertible {
  public let date: CivilDate
  public let time: TimeOfDay

  public init(date: CivilDate, time: TimeOfDay) {
    self.date = date
    self.time = time
  }

  /// Parses `YYYY-MM-DD HH:MM[:SS]` (a `T` between them is accepted too).
  public init?(parsing text: String) {
    let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" })
    guard parts.count == 2, let date = CivilDate(iso: parts[0]),
      let time = TimeOfDay(parsing: parts[1])
    else { return nil }
    self.init(date: date, time: time)
  }

  public static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool {
    (lhs.date, lhs.time) < (rhs.date, rhs.time)
  }

  public var description: String { "\(date) \(time)" }
}

/// Parses durations as schedules write them: `90s`, `15m`, `1h30m`, `14d`,
/// `500ms`, `1.5s`. Units must come from largest to smallest, each at most once.
public func parseDuration(_ text: String) -> Duration? {
  let units: [(suffix: String, milliseconds: Double)] = [
    ("d", 86_400_000), ("h", 3_600_000), ("ms", 1), ("m", 60_000), ("s", 1_000),
  ]
  let order = ["d", "h", "m", "s", "ms"]
  var rest = Substring(text.trimmingSpaces)
  guard !rest.isEmpty else { return nil }
  var total = 0.0
  var lastRank = -1
  while !rest.isEmpty {
    let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
    guard !number.isEmpty, let value = Double(number) else { return nil }
    rest = rest.dropFirst(number.count)
    guard let unit = units.first(where: { rest.hasPrefix($0.suffix) }),
      let rank = order.firstIndex(of: unit.suffix), rank > lastRank
    else { return nil }
    lastRank = rank
    rest = rest.dropFirst(unit.suffix.count)
    total += value * unit.milliseconds
  }
  guard total.isFinite, total < 1e15 else { return nil }
  return .milliseconds(Int64(total.rounded()))
}

extension Duration {
  /// The duration in seconds, as a floating-point number.
  public var seconds: Double {
    let (seconds, attoseconds) = components
    return Double(seconds) + Double(attoseconds) / 1e18
  }

  /// Whole days, for durations such as `14d`.
  public var wholeDays: Int { Int(components.seconds / 86_400) }

  /// Short human form: `7.5s`, `2m05s`, `1h02m`.
  public var shortDescription: String {
    let total = seconds
    if total < 60 {
      let rounded = (total * 10).rounded() / 10
      return rounded == rounded.rounded() ? "\(Int(rounded))s" : "\(rounded)s"
    }
    let whole = Int(total.rounded())
    if whole < 3600 { return "\(whole / 60)m\(twoDigits(whole % 60))s" }
    return "\(whole / 3600)h\(twoDigits(whole / 60 % 60))m"
  }
}

func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

extension StringProtocol {
  var trimmingSpaces: Substring {
    let s = self[...]
    guard let first = s.firstIndex(where: { !$0.isWhitespace }),
      let last = s.lastIndex(where: { !$0.isWhitespace })
    else { return "" }
    return Substring(s[first...last])
  }
}
