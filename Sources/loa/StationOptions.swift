import ArgumentParser
import Foundation
import LoaAudio
import LoaCalendar
import LoaPlanner
import LoaPlayout
import LoaSchedule

/// Where the schedule and the state live; every command takes these.
struct StationOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "The schedule: a YAML file or a folder of them (default: $LOA_SCHEDULE, else ./schedules, else /etc/loa).",
      valueName: "path"))
  var schedule: String?

  @Option(
    name: .long,
    help: ArgumentHelp(
      "Folder for the airing log, caches and the control socket (default: $LOA_STATE_DIR, else ./state next to ./schedules, else /var/lib/loa).",
      valueName: "dir"))
  var state: String?

  /// The schedule path this invocation uses.
  func schedulePath(_ explicit: String? = nil) -> String {
    if let path = explicit ?? schedule { return path }
    if let path = ProcessInfo.processInfo.environment["LOA_SCHEDULE"], !path.isEmpty { return path }
    if FileManager.default.fileExists(atPath: "schedules") { return "schedules" }
    return "/etc/loa"
  }

  /// The state folder this invocation uses.
  var stateDirectory: String { chosenStateDirectory ?? "/var/lib/loa" }

  /// The state folder the operator chose, with --state, `$LOA_STATE_DIR`
  /// or by running loa where ./schedules is; nil for the system's.
  var chosenStateDirectory: String? {
    if let state { return state }
    if let path = ProcessInfo.processInfo.environment["LOA_STATE_DIR"], !path.isEmpty {
      return path
    }
    return FileManager.default.fileExists(atPath: "schedules") ? "state" : nil
  }

  /// The station's clock: its schedule's time zone when the schedule
  /// reads, else this machine's.
  func stationClock() -> StationClock {
    let path = schedulePath()
    let loaded = ScheduleLoader(probe: nil).load(path: path)
    let zone = loaded.schedule.flatMap { TimeZone(identifier: $0.station.timeZone) }
    return StationClock(zone: zone ?? .current)
  }

  /// The cache of audio measurements in the state folder; with
  /// `inSystemState` false, kept in memory unless a state folder was chosen.
  func audioMeasurements(
    inSystemState: Bool = true, measuring: (@Sendable (String) -> Void)? = nil
  ) -> AudioMeasurements {
    let folder = inSystemState ? stateDirectory : chosenStateDirectory
    return AudioMeasurements(
      file: folder.map { $0 + "/audio-measurements.tsv" }, measuring: measuring)
  }

  /// Loads the schedule, printing its errors to standard error; exits
  /// with status 1 when it is invalid.
  ///
  /// - Parameter measurements: where audio files are measured for their
  ///   real length, as planning needs; without it the files are only looked up.
  func loadSchedule(measurements: AudioMeasurements?) throws -> LoadedSchedule {
    let path = schedulePath()
    if schedule == nil, !FileManager.default.fileExists(atPath: path) {
      printError(
        "error: no schedule at '\(path)': give one with --schedule PATH or LOA_SCHEDULE, "
          + "or run loa where ./schedules is")
      throw ExitCode(1)
    }
    let loaded = ScheduleLoader(probe: measurements.map(MeasuringProbe.init)).load(path: path)
    for diagnostic in loaded.diagnostics where diagnostic.severity == .error {
      printError(diagnostic.description)
    }
    guard loaded.isValid else { throw ExitCode(1) }
    return loaded
  }
}

/// Output formats; each command accepts the ones that make sense for it.
enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
  case text, json, csv
}

extension CivilDate: ExpressibleByArgument {
  public init?(argument: String) { self.init(iso: argument) }
}

/// A range of days, as `plan`, `calendar` and (later) `log` and `report` take it.
struct DateRangeOptions: ParsableArguments {
  @Option(help: ArgumentHelp("First day, YYYY-MM-DD.", valueName: "date"))
  var from: CivilDate?

  @Option(help: ArgumentHelp("Last day, YYYY-MM-DD.", valueName: "date"))
  var to: CivilDate?
}
