import Foundation
import LoaAudio
import LoaDaemon
import LoaLog
import LoaPlanner
import LoaPlayout
import LoaSchedule
import LoaTesting
import Synchronization
import Testing

/// The repository's sample station.
let sampleSchedule = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("../../schedules").standardizedFileURL.path

/// A daemon on a simulated clock, with its log in a temporary folder, and
/// what it said.
final class SimulatedStation {
  let state: TemporaryFolder
  let clock: SimulatedClock
  let schedulePath: String
  /// The folder of the schedule and its audio, when the station owns it.
  var scheduleFolder: TemporaryFolder?
  let measurements: AudioMeasurements
  let probe: any AudioProbe
  var broken: Set<String> = []
  let messages = Messages()
  let amplifier = RecordingAmplifier()

  init(schedule: String, start: Date, probe: (any AudioProbe)? = nil) throws {
    state = try TemporaryFolder()
    clock = SimulatedClock(start)
    schedulePath = schedule
    measurements = AudioMeasurements(file: state.path + "/audio-measurements.tsv")
    self.probe = probe ?? MeasuringProbe(measurements: measurements)
    amplifier.clock = clock
  }

  func load() -> LoadedSchedule {
    ScheduleLoader(probe: probe).load(path: schedulePath)
  }

  /// Runs a daemon, as a process started now would, until the clock reaches
  /// `end`; the daemon is then dropped as if the process died.
  func run(until end: Date, settings: DaemonSettings = DaemonSettings()) throws {
    let daemon = try makeDaemon(settings: settings)
    daemon.run(until: end)
  }

  /// - Parameter inLine: loads and measures on the loop's thread, for
  ///   results that do not depend on another thread's timing.
  func makeDaemon(settings: DaemonSettings = DaemonSettings(), inLine: Bool = true) throws
    -> Daemon
  {
    let loaded = load()
    var settings = settings
    settings.loadInBackground = !inLine
    let (schedulePath, probe, clock) = (schedulePath, probe, clock)
    // Files as the schedule loaded then, or as the probe finds them (a
    // file a reload brought in).
    let known = Dictionary(
      loaded.audio.values.map { ($0.path, $0.duration) }, uniquingKeysWith: { a, _ in a })
    let station = loaded.schedule?.station
    let durations: @Sendable (String) -> Duration? = { path in
      guard FileManager.default.fileExists(atPath: path) else { return nil }
      return known[path] ?? station.flatMap { try? probe.duration(ofFileAt: path, for: $0) }
    }
    return try Daemon(
      loaded: loaded, load: { ScheduleLoader(probe: probe).load(path: schedulePath) },
      measurements: measurements,
      log: try AiringLog.openForWriting(folder: state.path, now: clock.now(), durable: false),
      clock: clock, player: SimulatedPlayer(clock: clock, durations: durations, broken: broken),
      amplifier: { [amplifier] _ in amplifier }, settings: settings,
      say: { [messages] text in messages.lines.withLock { $0.append(text) } })
  }

  /// The full path of an audio file beside the schedule.
  func audio(_ name: String) -> String {
    URL(fileURLWithPath: schedulePath).deletingLastPathComponent().appendingPathComponent(
      "audio/" + name
    ).path
  }

  func airings() throws -> [LoggedAiring] {
    try AiringLog.openForReading(folder: state.path).airings()
  }

  /// Everything the daemon said, for a failing expectation's message.
  var transcript: Comment {
    Comment(rawValue: messages.lines.withLock { $0.joined(separator: "\n") })
  }

  func said(_ text: String) -> Bool {
    messages.lines.withLock { $0.contains { $0.contains(text) } }
  }
}

/// What a daemon said, from whichever thread.
final class Messages: Sendable {
  let lines = Mutex<[String]>([])
}

/// Writes a schedule file, and an empty audio file for each name in `audio`.
func writeStation(in folder: String, yaml: String, audio: [String]) throws -> String {
  let audioFolder = folder + "/audio"
  try FileManager.default.createDirectory(atPath: audioFolder, withIntermediateDirectories: true)
  for name in audio {
    _ = FileManager.default.createFile(atPath: audioFolder + "/" + name, contents: Data())
  }
  let path = folder + "/station.yaml"
  try yaml.write(toFile: path, atomically: true, encoding: .utf8)
  return path
}

/// A station of `yaml` with the test's audio files (their durations from
/// their names) in a temporary folder, on a simulated clock from `start`.
func namedStation(_ yaml: String, start: String) throws -> SimulatedStation {
  let folder = try TemporaryFolder()
  let path = try writeStation(in: folder.path, yaml: yaml, audio: audioFiles)
  let station = try SimulatedStation(
    schedule: path, start: at(start), probe: NamedDurationProbe())
  station.scheduleFolder = folder
  return station
}

/// An instant at the station (UTC+7), from `YYYY-MM-DD HH:MM:SS`.
func at(_ text: String) -> Date {
  let planner = Planner(
    schedule: Schedule(station: Station(name: "", audioDirectory: "/")), durations: [:])
  return planner.instant(LocalDateTime(parsing: text)!)
}
