import Foundation

/// Buffered writing to standard output, so that printing a hundred thousand
/// calendar rows costs a few system calls rather than one each.
struct StandardOutput {
  private var buffer: [UInt8] = []

  init() { buffer.reserveCapacity(1 << 16) }

  mutating func write(_ text: String) {
    buffer.append(contentsOf: text.utf8)
    if buffer.count >= 1 << 16 { flush() }
  }

  mutating func line(_ text: String = "") {
    write(text)
    write("\n")
  }

  mutating func flush() {
    guard !buffer.isEmpty else { return }
    FileHandle.standardOutput.write(Data(buffer))
    buffer.removeAll(keepingCapacity: true)
  }
}

/// Writes a line to standard error.
func printError(_ text: String) {
  FileHandle.standardError.write(Data((text + "\n").utf8))
}

/// Formats instants as ISO 8601 with the station's offset: `2025-10-01T05:30:00+07:00`.
struct StationTime {
  let zone: TimeZone

  func iso(_ date: Date) -> String {
    let offset = zone.secondsFromGMT(for: date)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
    let sign = offset < 0 ? "-" : "+"
    let hours = abs(offset) / 3600
    let minutes = abs(offset) / 60 % 60
    return "\(digits(c.year ?? 0, 4))-\(digits(c.month ?? 0, 2))-\(digits(c.day ?? 0, 2))T"
      + "\(digits(c.hour ?? 0, 2)):\(digits(c.minute ?? 0, 2)):\(digits(c.second ?? 0, 2))"
      + "\(sign)\(digits(hours, 2)):\(digits(minutes, 2))"
  }

  /// `HH:MM:SS` on the station's clock.
  func clock(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let c = calendar.dateComponents([.hour, .minute, .second], from: date)
    return "\(digits(c.hour ?? 0, 2)):\(digits(c.minute ?? 0, 2)):\(digits(c.second ?? 0, 2))"
  }
}

func digits(_ value: Int, _ width: Int) -> String {
  let text = String(value)
  return String(repeating: "0", count: max(0, width - text.count)) + text
}
