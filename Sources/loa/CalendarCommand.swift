import ArgumentParser
import Foundation
import LoaCalendar
import LoaPlanner
import LoaSchedule

struct CalendarCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "calendar",
    abstract: "Solar and lunar days, and the holidays on them.",
    discussion: """
      Lists every day from --from to --to (or the whole --year; default: this year) with its \
      lunar date (Vietnamese calendar, UTC+7) and holidays, built-in and the schedule's own. \
      With --holidays, lists the holidays instead. Correct for 1900–2199.
      """)

  @OptionGroup var station: StationOptions

  @OptionGroup var dates: DateRangeOptions

  @Option(help: ArgumentHelp("A whole solar year.", valueName: "year"))
  var year: Int?

  @Flag(help: "List the holidays in the range rather than every day.")
  var holidays = false

  @Option(help: "Output format: text, csv or json.")
  var format: OutputFormat = .text

  func validate() throws {
    if year != nil, dates.from != nil || dates.to != nil {
      throw ValidationError("give --year or --from/--to, not both")
    }
    if (dates.from == nil) != (dates.to == nil) {
      throw ValidationError("give both --from and --to")
    }
    if let from = dates.from, let to = dates.to, to < from {
      throw ValidationError("--to \(to) is before --from \(from)")
    }
    for date in [dates.from, dates.to].compactMap({ $0 }) where !(1900...2199).contains(date.year) {
      throw ValidationError("the calendar covers 1900-01-01 to 2199-12-31; \(date) is outside")
    }
    if let year, !(1900...2199).contains(year) {
      throw ValidationError("the calendar covers the years 1900 to 2199")
    }
  }

  func run() throws {
    let schedule = try scheduleIfAny()
    let range = self.range(zone: schedule.flatMap { TimeZone(identifier: $0.station.timeZone) })
    var out = StandardOutput()
    let byDate = holidaysByDate(schedule, range)
    if holidays {
      writeHolidays(byDate, range, &out)
    } else {
      writeDays(byDate, range, &out)
    }
    out.flush()
  }

  /// The schedule's holidays count too, when there is a schedule to read.
  private func scheduleIfAny() throws -> Schedule? {
    let path = station.schedulePath()
    guard FileManager.default.fileExists(atPath: path) else {
      if station.schedule != nil { throw ValidationError("no schedule at '\(path)'") }
      return nil
    }
    return try station.loadSchedule(measurements: nil).schedule
  }

  private func range(zone: TimeZone?) -> CivilDateRange {
    if let from = dates.from, let to = dates.to { return CivilDateRange(from, through: to) }
    let year = self.year ?? StationClock(zone: zone ?? .current).day(of: Date()).year
    return CivilDateRange(
      CivilDate(year: year, month: 1, day: 1) ?? CivilDate(julianDay: 0),
      through: CivilDate(year: year, month: 12, day: 31) ?? CivilDate(julianDay: 0))
  }

  private func writeDays(
    _ byDate: [CivilDate: [Holiday]], _ range: CivilDateRange, _ out: inout StandardOutput
  ) {
    switch format {
    case .csv:
      out.line("date,weekday,lunar_day,lunar_month,lunar_leap,lunar_year,can_chi_year,holidays")
      for date in range {
        let lunar = LunarCalendar.lunarDate(for: date)
        let ids = (byDate[date] ?? []).map(\.id).joined(separator: ";")
        out.line(
          "\(date),\(date.weekday.shortName),\(lunar.day),\(lunar.month),\(lunar.isLeapMonth),"
            + "\(lunar.year),\(CanChi.year(lunar.year)),\(ids)")
      }
    case .json:
      let days = range.map { date -> JSON in
        let lunar = LunarCalendar.lunarDate(for: date)
        return .object([
          ("date", .string(date.description)),
          ("weekday", .string(date.weekday.shortName)),
          ("lunar_day", .int(lunar.day)),
          ("lunar_month", .int(lunar.month)),
          ("lunar_leap", .bool(lunar.isLeapMonth)),
          ("lunar_year", .int(lunar.year)),
          ("can_chi_year", .string(CanChi.year(lunar.year).description)),
          ("holidays", .array((byDate[date] ?? []).map { .string($0.id) })),
        ])
      }
      out.line(JSON.array(days).serialized())
    case .text:
      for date in range {
        let lunar = LunarCalendar.lunarDate(for: date)
        var line =
          "\(date) \(date.weekday.vietnameseName.padding(toLength: 8, withPad: " ", startingAt: 0))"
        line +=
          "  âm lịch \(lunar.day)/\(lunar.month)\(lunar.isLeapMonth ? " nhuận" : "") \(CanChi.year(lunar.year))"
        for holiday in byDate[date] ?? [] { line += "  · \(holiday.name)" }
        out.line(line)
      }
    }
  }

  private func writeHolidays(
    _ byDate: [CivilDate: [Holiday]], _ range: CivilDateRange, _ out: inout StandardOutput
  ) {
    let entries = byDate.keys.sorted().flatMap { date in (byDate[date] ?? []).map { (date, $0) } }
    switch format {
    case .json:
      let items = entries.map { date, holiday -> JSON in
        .object([
          ("id", .string(holiday.id)),
          ("name", .string(holiday.name)),
          ("date", .string(date.description)),
          ("lunar", .string(LunarCalendar.lunarDate(for: date).description)),
          ("anniversary", .int(holiday.anniversary(on: date))),
          ("day_off", .bool(holiday.isDayOff)),
        ])
      }
      out.line(JSON.array(items).serialized())
    case .csv:
      out.line("id,name,date,lunar,anniversary,day_off")
      for (date, holiday) in entries {
        let anniversary = holiday.anniversary(on: date).map(String.init) ?? ""
        out.line(
          "\(holiday.id),\(csvField(holiday.name)),\(date),\(LunarCalendar.lunarDate(for: date)),"
            + "\(anniversary),\(holiday.isDayOff)")
      }
    case .text:
      for (date, holiday) in entries {
        var line =
          "\(date.vietnameseDescription)  (âm lịch \(LunarCalendar.lunarDate(for: date)))  \(holiday.name)"
        if let years = holiday.anniversary(on: date) { line += " — kỷ niệm \(years) năm" }
        if holiday.isDayOff { line += " — nghỉ lễ" }
        line += "  [\(holiday.id)]"
        out.line(line)
      }
    }
  }
}
