import ArgumentParser
import Foundation
import LoaCalendar
import LoaPlanner
import LoaSchedule

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract: "Show what will air, with every campaign spot.")

  @OptionGroup var station: StationOptions

  /// Without --from, the plan starts today at the station.
  @OptionGroup var dates: DateRangeOptions

  @Option(help: ArgumentHelp("Number of days (default 7).", valueName: "n"))
  var days: Int?

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    if dates.to != nil, days != nil {
      throw ValidationError("give either --to or --days, not both")
    }
    if let days, days < 1 || days > 3660 {
      throw ValidationError("--days must be between 1 and 3660")
    }
    if format == .csv { throw ValidationError("plan prints text or json") }
  }

  func run() throws {
    let loaded = try station.loadSchedule(measurements: station.audioMeasurements())
    let planner = try Planner(loaded: loaded)
    let first = dates.from ?? planner.clock.day(of: Date())
    let last = dates.to ?? first.adding(days: (days ?? 7) - 1)
    guard first <= last else { throw ValidationError("--to \(last) is before --from \(first)") }
    guard first.days(to: last) < 3660 else {
      throw ValidationError("plan at most ten years at a time (3660 days)")
    }
    let airings = planner.plan(from: first, through: last)
    let time = planner.clock
    var out = StandardOutput()
    switch format {
    case .json:
      out.line(JSON.array(airings.map { json($0, time) }).serialized())
    default:
      printText(airings, planner.schedule, CivilDateRange(first, through: last), time, &out)
    }
    out.flush()
  }

  private func json(_ airing: PlannedAiring, _ time: StationClock) -> JSON {
    .object([
      ("program", .string(airing.id)),
      ("kind", .string(airing.kind.rawValue)),
      ("title", .string(airing.title)),
      ("start", .string(time.iso(airing.start))),
      ("end", .string(time.iso(airing.end))),
      ("priority", .string(airing.priority.rawValue)),
      (
        "items",
        .array(
          airing.items.map { item in
            .object([
              ("kind", .string(item.kind.rawValue)),
              ("file", .string(item.file)),
              ("campaign", .string(item.campaign)),
              ("plan_item", .string(item.planItem)),
              ("duration_s", .double(item.duration.seconds)),
              ("cut", .bool(item.isCut)),
            ])
          })
      ),
    ])
  }

  private func printText(
    _ airings: [PlannedAiring], _ schedule: Schedule, _ range: CivilDateRange, _ time: StationClock,
    _ out: inout StandardOutput
  ) {
    out.line("\(schedule.station.name) — plan \(range.lower) to \(range.upper)")
    let holidays = holidaysByDate(schedule, range)
    var byDate: [CivilDate: [PlannedAiring]] = [:]
    for airing in airings { byDate[airing.localStart.date, default: []].append(airing) }
    for date in range {
      let lunar = LunarCalendar.lunarDate(for: date)
      var header = "\n\(date) \(date.weekday.shortName) · âm lịch \(lunar.day)/\(lunar.month)"
      header += lunar.isLeapMonth ? " nhuận" : ""
      header += " \(CanChi.year(lunar.year))"
      for holiday in holidays[date] ?? [] { header += " · \(holiday.name)" }
      out.line(header)
      let day = byDate[date] ?? []
      if day.isEmpty { out.line("  (nothing airs)") }
      for airing in day {
        let priority = airing.priority == .normal ? "" : " [\(airing.priority.rawValue)]"
        out.line(
          "  \(time.time(airing.start))–\(time.time(airing.end))  \(airing.id)  \(airing.title)\(priority)"
        )
        let width = airing.items.map { ($0.file ?? "").count }.max() ?? 0
        for item in airing.items {
          let at = time.time(airing.start.addingTimeInterval(item.offset.seconds))
          let kind = item.kind.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
          let file = (item.file ?? "").padding(toLength: width, withPad: " ", startingAt: 0)
          let length = item.duration.shortDescription
          var line =
            "      \(at)  \(kind)  \(file)  \(String(repeating: " ", count: max(0, 6 - length.count)))\(length)"
          if let campaign = item.campaign {
            line += "  \(campaign)\(item.planItem.map { " (\($0))" } ?? "")"
          }
          if item.isCut { line += "  cut by max_length" }
          out.line(line)
        }
      }
    }
  }
}

/// The holidays (built-in and the schedule's own) falling on each day of `range`.
func holidaysByDate(_ schedule: Schedule?, _ range: CivilDateRange) -> [CivilDate: [Holiday]] {
  let all = schedule.map { Array($0.allHolidays.values) } ?? HolidayCatalog.builtIn
  var result: [CivilDate: [Holiday]] = [:]
  for holiday in all.sorted(by: { $0.id < $1.id }) {
    for date in holiday.dates(in: range) { result[date, default: []].append(holiday) }
  }
  return result
}
