import ArgumentParser
import Foundation
import LoaAudio
import LoaPlanner
import LoaPlayout
import LoaSchedule

struct ValidateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "validate",
    abstract: "Check a schedule and its audio; report every problem at once.",
    discussion: """
      Every audio file is decoded whole and measured (once per content: the measurements are \
      kept in the state folder when one is chosen, with --state, LOA_STATE_DIR or ./state next \
      to ./schedules, and else only for the run: checking a schedule writes nothing into \
      /var/lib/loa unasked), and listed with its length, loudness and the gain that brings it \
      to the station's loudness.
      Exit status 0 when the schedule is valid (warnings allowed), 1 when it is not.
      """)

  @OptionGroup var station: StationOptions

  @Argument(
    help: ArgumentHelp("The schedule file or folder (overrides --schedule).", valueName: "schedule")
  )
  var path: String?

  /// Files at least this many seconds long are announced as they are
  /// measured: decoding runs at about 200 times real time.
  static let announcedLength: Int64 = 300

  func run() throws {
    let path = station.schedulePath(self.path)
    // A file of hours decodes for most of a minute: say so before, on
    // standard error, so that the wait is not silence. Checking a schedule
    // writes nothing to the system's state folder.
    let measurements = station.audioMeasurements(inSystemState: false) { path in
      guard let length = try? SoundFile(readingAt: path).format.duration,
        length >= .seconds(Self.announcedLength)
      else { return }
      printError("measuring \(path) (\(length.shortDescription))…")
    }
    let loaded = ScheduleLoader(probe: MeasuringProbe(measurements: measurements)).load(path: path)
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
    if loaded.isValid, let station = loaded.schedule?.station {
      let width = loaded.audio.keys.map(\.count).max() ?? 0
      for (name, file) in loaded.audio.sorted(by: { $0.key < $1.key }) {
        guard let m = try? measurements.measurement(of: file.path, channels: station.channels)
        else { continue }
        let padded = name.padding(toLength: width, withPad: " ", startingAt: 0)
        out.line(audioLine(padded, m, target: station.loudness))
      }
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

/// `  tin-sang.ogg  1m05s  -18.2 LUFS  -3.1 dBTP  gain +2.2 dB`.
private func audioLine(_ name: String, _ m: AudioMeasurement, target: Double?) -> String {
  let level = m.loudness.isFinite ? String(format: "%6.1f LUFS", m.loudness) : "silent"
  let peak = m.truePeak.isFinite ? String(format: "%5.1f dBTP", m.truePeak) : ""
  let gain = target.map { String(format: "  gain %+.1f dB", m.gain(toReach: $0)) } ?? ""
  let length = m.duration.shortDescription
  return
    "  \(name)  \(String(repeating: " ", count: max(0, 6 - length.count)))\(length)  \(level)  \(peak)\(gain)"
}

/// "1 program", "3 programs".
func counted(_ count: Int, _ noun: String) -> String {
  "\(count) \(noun)\(count == 1 ? "" : "s")"
}
