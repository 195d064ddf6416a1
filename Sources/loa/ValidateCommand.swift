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
      let today = planner.clock.day(of: Date())
      diagnostics += planner.review(horizon: planner.reviewHorizon(today: today))
      let total = loaded.audio.values.reduce(Duration.zero) { $0 + $1.duration }
      summary =
        "\(path): valid: "
        + [
          counted(schedule.programs.count, "program"),
          counted(schedule.campaigns.count, "campaign"),
          counted(schedule.announcements.count, "announcement"),
          counted(schedule.holidays.count, "holiday") + " of its own",
          counted(loaded.audio.count, "audio file") + " (\(total.shortDescription))",
        ].joined(separator: ", ")
    }
    var out = StandardOutput()
    for diagnostic in diagnostics.sortedByLocation() { out.line(diagnostic.description) }
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.count - errors
    if loaded.isValid {
      out.line(summary + (warnings > 0 ? "; " + counted(warnings, "warning") : ""))
    } else {
      out.line(
        "\(path): invalid: " + counted(errors, "error")
          + (warnings > 0 ? ", " + counted(warnings, "warning") : ""))
    }
    out.flush()
    if !loaded.isValid { throw ExitCode(1) }
  }
}

/// "1 program", "3 programs".
func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}
