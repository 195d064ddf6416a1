import ArgumentParser
import Foundation
import LoaPlanner
import LoaSchedule

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a schedule and its audio; report every problem at once.",
    discussion: "Exit status 0 when the schedule is valid (warnings allowed), 1 when it is not.")

  @OptionGroup var station: StationOptions

  @Argument(
    help: ArgumentHelp("The schedule file or folder (overrides --schedule).", valueName: "schedule")
  )
  var path: String?

  func run() throws {
    let path = station.schedulePath(self.path)
    let loaded = ScheduleLoader(probe: SoundFileProbe()).load(path: path)
    var diagnostics = loaded.diagnostics
    var summary = ""
    if let schedule = loaded.schedule {
      let planner = Planner(schedule: schedule, durations: loaded.audio.mapValues(\.duration))
      let zone = TimeZone(identifier: schedule.station.timeZone) ?? .current
      diagnostics += planner.review(horizon: planner.reviewHorizon(today: stationToday(zone: zone)))
      let total = loaded.audio.values.reduce(Duration.zero) { $0 + $1.duration }
      summary =
        "\(path): valid: \(schedule.programs.count) programs, \(schedule.campaigns.count) campaigns, "
        + "\(schedule.announcements.count) announcements, \(schedule.holidays.count) holidays of its own, "
        + "\(loaded.audio.count) audio files (\(total.shortDescription))"
    }
    var out = StandardOutput()
    for diagnostic in diagnostics.sortedByLocation() { out.line(diagnostic.description) }
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.count - errors
    if loaded.isValid {
      out.line(summary + (warnings > 0 ? "; \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
    } else {
      out.line(
        "\(path): invalid: \(errors) error\(errors == 1 ? "" : "s")"
          + (warnings > 0 ? ", \(warnings) warning\(warnings == 1 ? "" : "s")" : ""))
    }
    out.flush()
    if !loaded.isValid { throw ExitCode(1) }
  }
}
