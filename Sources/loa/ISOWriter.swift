import Foundation
import LoaCalendar
import LoaPlanner

/// Writes ISO 8601 times on the station's clock straight into the output,
/// reusing the day's `YYYY-MM-DDT` and the zone's offset from one row to
/// the next: a million log rows format in a fraction of a second.
struct ISOWriter {
  let clock: StationClock
  private var day = Int.min
  private var dayPrefix: [UInt8] = []
  private var hour = Int.min
  private var offset = 0
  private var offsetSuffix: [UInt8] = []

  init(clock: StationClock) { self.clock = clock }

  mutating func write(_ instant: Date, to out: inout StandardOutput) {
    let seconds = Int(instant.timeIntervalSince1970.rounded(.down))
    let utcHour = seconds >= 0 ? seconds / 3600 : (seconds - 3599) / 3600
    // A zone's offset changes on the hour, if ever.
    if utcHour != hour {
      hour = utcHour
      offset = clock.calendar.timeZone.secondsFromGMT(for: instant)
      let minutes = abs(offset) / 60
      offsetSuffix = Array(
        ((offset < 0 ? "-" : "+") + twoDigits(minutes / 60) + ":" + twoDigits(minutes % 60)).utf8)
    }
    let local = seconds + offset
    let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    if days != day {
      day = days
      dayPrefix = Array("\(CivilDate(julianDay: days + 2_440_588))T".utf8)
    }
    let second = local - days * 86_400
    out.write(bytes: dayPrefix)
    out.write(decimal: second / 3600, width: 2)
    out.write(bytes: [0x3A])
    out.write(decimal: second / 60 % 60, width: 2)
    out.write(bytes: [0x3A])
    out.write(decimal: second % 60, width: 2)
    out.write(bytes: offsetSuffix)
  }

  private func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
