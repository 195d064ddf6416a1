import ArgumentParser
import Foundation
import LoaAudio
import LoaLog
import LoaPlayout
import LoaSchedule
import LoaService
import Synchronization

struct PlayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "play",
    abstract: "Play audio files now (or at --at), back to back with no gap, to an ALSA device.",
    discussion: """
      A file that cannot be decoded is skipped and reported; the others still play, and the \
      exit status is then 1. A device that fails is reopened for up to 10 minutes. Ctrl-C \
      stops the playing with a short fade (exit status 130); a second Ctrl-C at once.
      """)

  @OptionGroup var station: StationOptions

  @Option(
    help: ArgumentHelp(
      "ALSA PCM to play to, e.g. default, hw:1,0, pulse, null or file:'/tmp/out.wav',wav.",
      valueName: "pcm"))
  var output = "default"

  @Option(help: ArgumentHelp("Output sample rate.", valueName: "hz"))
  var rate = 48_000

  @Option(help: ArgumentHelp("Output channels.", valueName: "n"))
  var channels = 2

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Bring every file to this loudness (e.g. -16), its true peak kept under -1 dBTP; "
        + "without it files play as recorded.", valueName: "lufs"))
  var loudness: Double?

  @Option(
    help: ArgumentHelp(
      "Start at this time, HH:MM:SS[.mmm] on this machine's clock (tomorrow's if it has "
        + "passed today): the device is opened and filled beforehand so that the first frame "
        + "goes out on time.",
      valueName: "time"))
  var at: String?

  @Argument(help: ArgumentHelp("Audio files.", valueName: "file"))
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("name at least one audio file") }
    if !(8_000...384_000).contains(rate) { throw ValidationError("--rate must be 8000 to 384000") }
    if !(1...8).contains(channels) { throw ValidationError("--channels must be 1 to 8") }
    if let loudness, !(-70...0).contains(loudness) {
      throw ValidationError("--loudness must be -70 to 0 LUFS")
    }
    if let at, startTime(at) == nil {
      throw ValidationError("--at must be a time as HH:MM:SS or HH:MM:SS.mmm, e.g. 05:30:00")
    }
  }

  func run() throws {
    var failed = false
    var items: [PlayItem] = []
    let measurements = loudness.map { _ in station.audioMeasurements() }
    for file in files {
      var gain = 0.0
      if let loudness, let measurements {
        do {
          gain = try measurements.measurement(of: file, channels: channels).gain(toReach: loudness)
        } catch {
          printError("error: \(file): \(error); skipped")
          failed = true
          continue
        }
      }
      items.append(.file(path: file, gain: gain))
    }
    guard !items.isEmpty else { throw ExitCode(1) }

    let start = at.flatMap(startTime)
    let (recorder, logged) = logBeginning(items, at: start)
    // Parsing, measuring and opening the log are done: their code need not
    // stay resident beside the device's (`ResidentMemory`).
    ResidentMemory.releaseUnusedCode()
    // The player's thread only hands its events over: the rows, the output
    // and the memory released follow on the recorder's queue.
    let playback = Playback(
      items, at: start,
      settings: PlayerSettings(device: output, sampleRate: rate, channels: channels),
      onEvent: recorder.follow(Self.record, sampleRate: rate, then: Self.show))
    let stopped = Mutex<Int32?>(nil)
    let signals = UnixSignals([SIGINT, SIGTERM])
    signals.start { number in
      // A second signal ends the process at once, whatever it is stuck in.
      UnixSignals.restoreDefault(number)
      stopped.withLock { $0 = number }
      playback.interrupt(
        reason: "stopped by the operator (\(number == SIGINT ? "Ctrl-C" : "SIGTERM"))")
    }
    let report = playback.wait()
    signals.stop()

    if let first = report.firstFrameAt, let lateness = report.lateness, start != nil {
      printLine(
        "first frame out at \(Self.clock(first)), "
          + "\(String(format: "%.1f", lateness.seconds * 1000)) ms after \(Self.clock(report.plannedStart))"
      )
    }
    if report.underruns > 0 { printLine("\(report.underruns) underruns or suspends recovered") }
    if logged {
      recorder.write([
        .finish(
          Self.record, report: report, sampleRate: rate, now: Date(),
          measuresLateness: start != nil)
      ])
    }
    recorder.flush()
    failed = failed || report.items.contains { if case .failed = $0.status { true } else { false } }
    switch report.status {
    case .completed: break
    case .interrupted(let reason):
      printError("interrupted: \(reason)")
      throw ExitCode(128 + (stopped.withLock { $0 } ?? SIGINT))
    case .failed(let reason):
      printError("error: \(reason)")
      throw ExitCode(1)
    }
    if failed { throw ExitCode(1) }
  }

  /// `loa play`'s one airing, as its recorder knows it.
  private static let record = AiringRecordID(1)

  /// Logs the airing (kind `manual`) before its first frame plays, so that
  /// the log is the station's whole on-air record. A log that cannot be
  /// written is a warning: the operator's audio still plays.
  private func logBeginning(_ items: [PlayItem], at start: Date?) -> (AiringRecorder, Bool) {
    let warn: @Sendable (String) -> Void = { printError("warning: \($0)") }
    let log: AiringLog
    do {
      log = try AiringLog.openForWriting(folder: station.stateDirectory)
    } catch {
      warn("not logged: \(error)")
      return (AiringRecorder(log: nil, failed: warn), false)
    }
    let names = files.map { $0.split(separator: "/").last.map(String.init) ?? $0 }
    let entry = AiringEntry(
      kind: .manual, program: nil, title: "loa play: " + names.joined(separator: ", "),
      plannedStart: start, device: output,
      items: items.map { item in
        let length = item.path.flatMap { try? SoundFile(readingAt: $0).format.duration.seconds }
        return ItemEntry(kind: .file, file: item.path, plannedSeconds: length ?? 0)
      })
    let recorder = AiringRecorder(log: log, failed: warn)
    recorder.writeAndWait([.begin(Self.record, entry)])
    return (recorder, true)
  }

  /// Prints each item as it ends, and device trouble as it happens.
  @Sendable private static func show(_ event: PlaybackEvent) {
    switch event {
    case .itemEnded(let played):
      let name = played.item.path ?? "silence"
      switch played.status {
      case .completed:
        printLine(
          "played \(name): \(played.frames) frames from frame \(played.startFrame), "
            + "\(clock(played.startedAt))–\(clock(played.endedAt))")
      case .interrupted(let reason):
        printLine("interrupted \(name) after \(played.frames) frames: \(reason)")
      case .failed(let reason):
        printError("error: \(reason); skipped")
      }
    case .deviceFailed(let error):
      printError("device error: \(error)")
    case .deviceRecovered(let at):
      printError("device back at \(clock(at))")
    case .started:
      // Starting touched code that playing does not run again.
      ResidentMemory.releaseUnusedCode()
    case .itemStarted, .finished:
      break
    }
  }

  /// `HH:MM:SS.mmm` on this machine's clock. By hand with `localtime_r`:
  /// a `DateFormatter` would load ICU's data, megabytes of memory for one
  /// line of output.
  private static func clock(_ date: Date) -> String {
    let seconds = date.timeIntervalSince1970
    var whole = time_t(seconds.rounded(.down))
    var milliseconds = Int(((seconds - seconds.rounded(.down)) * 1000).rounded())
    if milliseconds == 1000 {
      whole += 1
      milliseconds = 0
    }
    var parts = tm()
    localtime_r(&whole, &parts)
    func pad(_ value: Int, _ width: Int) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
      + ".\(pad(milliseconds, 3))"
  }

  /// The next `HH:MM:SS[.mmm]` on this machine's clock.
  private func startTime(_ text: String) -> Date? {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 3, let hour = Int(parts[0]), let minute = Int(parts[1]),
      let second = Double(parts[2]), (0..<24).contains(hour), (0..<60).contains(minute),
      (0..<60).contains(second)
    else { return nil }
    var now = time(nil)
    var day = tm()
    localtime_r(&now, &day)
    day.tm_hour = Int32(hour)
    day.tm_min = Int32(minute)
    day.tm_sec = 0
    day.tm_isdst = -1
    var start = Double(mktime(&day)) + second
    // A time already past today is tomorrow's.
    if start < Double(now) {
      day.tm_mday += 1
      day.tm_isdst = -1
      start = Double(mktime(&day)) + second
    }
    return Date(timeIntervalSince1970: start)
  }
}
