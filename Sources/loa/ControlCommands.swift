import ArgumentParser
import Foundation
import LoaAudio
import LoaControl
import LoaSchedule

/// Where the running daemon's control socket is, as the commands that talk
/// to it find it.
struct ControlOptions: ParsableArguments {
  @OptionGroup var station: StationOptions

  @Option(
    help: ArgumentHelp(
      "The daemon's control socket (default: $LOA_SOCKET, else control.sock in the state "
        + "folder when there is one, else /run/loa/control.sock).", valueName: "path"))
  var socket: String?

  var socketPath: String {
    socket
      ?? ControlClient.socketPath(
        stateDirectory: station.stateDirectory, stateNamed: station.state != nil)
  }

  /// Sends `request`; prints the daemon's error and exits 1 when it refuses.
  func send(_ request: ControlRequest, timeout: Duration = .seconds(60)) throws -> ControlAnswer {
    let answer: ControlAnswer
    do {
      answer = try ControlClient.send(request, to: socketPath, timeout: timeout)
    } catch {
      printError("error: \(error)")
      throw ExitCode(1)
    }
    if let refusal = answer.failure {
      printError("error: \(refusal)")
      for line in answer.errors ?? [] { printError(line) }
      throw ExitCode(1)
    }
    return answer
  }
}

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract: "What the running daemon is doing: on air now, next, device, amplifier, errors.")

  @OptionGroup var control: ControlOptions

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    if format == .csv { throw ValidationError("loa status writes text or json") }
  }

  func run() throws {
    let answer = try control.send(ControlRequest(.status))
    guard let status = answer.status else { throw ExitCode(1) }
    if format == .json {
      let encoder = JSONEncoder()
      encoder.keyEncodingStrategy = .convertToSnakeCase
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      printLine(String(decoding: try encoder.encode(status), as: UTF8.self))
      return
    }
    printLine("\(status.station) — \(clock(status.now)), loa running since \(status.runningSince)")
    if let onAir = status.onAir {
      let total = onAir.airing.durationS
      printLine(
        "On air:    \(onAir.airing.title) (\(onAir.airing.program), "
          + "\(onAir.airing.priority.rawValue)), "
          + "\(minutes(onAir.elapsedS)) of \(minutes(total)), item \(onAir.item) of \(onAir.items)"
          + (onAir.file.map { ": \($0)" } ?? ""))
      for waiting in onAir.waiting {
        printLine(
          "           then \(waiting.title) (\(waiting.priority.rawValue)), at the next item")
      }
    } else {
      printLine("On air:    nothing")
    }
    for measuring in status.measuring ?? [] {
      printLine(
        "Accepted:  \(measuring.title) (\(measuring.program), \(measuring.priority.rawValue)) "
          + "at \(clock(measuring.start)), being measured; it plays once measured")
    }
    if status.next.isEmpty {
      printLine("Next:      nothing planned until tomorrow night")
    }
    for (index, next) in status.next.enumerated() {
      printLine(
        (index == 0 ? "Next:      " : "           ")
          + "\(clock(next.start))  \(next.title) (\(next.program), \(minutes(next.durationS)))")
    }
    printLine(
      "Device:    \(status.device), \(status.deviceState.rawValue)"
        + (status.deviceError.map { ": \($0)" } ?? ""))
    printLine("Amplifier: \(status.amplifier.rawValue)")
    printLine(
      "Schedule:  \(status.schedule.path), loaded \(status.schedule.loadedAt) "
        + "(\(status.schedule.files.count) file\(status.schedule.files.count == 1 ? "" : "s"))")
    if let trouble = status.logTrouble { printLine("Log:       \(trouble)") }
    if let error = status.lastError {
      printLine("Last error: \(status.lastErrorAt.map(clock) ?? "") \(error)")
    } else {
      printLine("Last error: none")
    }
  }

  /// `2025-10-01 05:30:00` from ISO 8601.
  private func clock(_ iso: String) -> String {
    String(iso.prefix(19)).replacingOccurrences(of: "T", with: " ")
  }

  private func minutes(_ seconds: Double) -> String {
    Duration.milliseconds(Int64((seconds * 1000).rounded())).shortDescription
  }
}

struct AnnounceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "announce",
    abstract: "Put an announcement on air now, through the running daemon.",
    discussion: """
      priority (the default) enters what is on air at its next item, and the program \
      goes on after it; emergency interrupts what is on air at once; normal waits for it \
      to end. A file outside the station's audio folder is first copied into the daemon's \
      spool folder, so that the daemon reads nothing from elsewhere. The announcement is \
      logged like any airing (loa log).
      """)

  @OptionGroup var control: ControlOptions

  @Argument(help: "The audio file.")
  var file: String

  @Option(help: "normal, priority or emergency.")
  var priority: ControlPriority = .priority

  @Option(help: "How many times it plays.")
  var times: Int = 1

  @Option(help: ArgumentHelp("Silence between two times, e.g. 30s or 1m.", valueName: "duration"))
  var gap: String = "0s"

  func validate() throws {
    guard (1...100).contains(times) else { throw ValidationError("--times must be 1 to 100") }
    guard let gap = parseDuration(gap), gap <= .seconds(3600) else {
      throw ValidationError("--gap must be a duration up to 1h, e.g. 30s or 2m")
    }
  }

  func run() throws {
    // Not a FIFO or a device: opening one would wait for a writer, and
    // reading it might never end.
    guard RealPath.isRegularFile(file) else {
      printError(
        "error: \(file): not a regular file (a FIFO, a device or a folder); announce an "
          + "audio file")
      throw ExitCode(1)
    }
    // Readable audio, or a clear error here rather than from the daemon.
    do {
      _ = try SoundFile(readingAt: file)
    } catch {
      printError("error: \(file): \(error)")
      throw ExitCode(1)
    }
    guard let status = try control.send(ControlRequest(.status)).status else {
      throw ExitCode(1)
    }
    let path = try spooled(file, audioDirectory: status.schedule.audioDir, spool: status.spool)
    let gapSeconds = parseDuration(gap).map { $0 / .seconds(1) } ?? 0
    let answer = try control.send(
      ControlRequest(
        .announce, file: path, title: (file as NSString).lastPathComponent, priority: priority,
        times: times, gapS: gapSeconds))
    if let announced = answer.announced {
      let what =
        "\(announced.title) (\(announced.priority.rawValue)), \(times) time"
        + "\(times == 1 ? "" : "s")"
      if answer.repeated == true {
        printLine(
          "already announced: \(what), as \(announced.program) at \(announced.start); taken for "
            + "a retry, it airs once; loa status shows when it plays")
      } else {
        printLine(
          "announced: \(what), as \(announced.program); loa status shows when it plays")
      }
    }
  }

  /// The file's path as the daemon may read it: as it is when it lies in
  /// the audio folder, else a copy in the spool folder.
  private func spooled(_ file: String, audioDirectory: String, spool: String) throws -> String {
    if let inside = RealPath.of(file, inside: [audioDirectory]) { return inside }
    let absolute = RealPath.of(file) ?? file
    guard !spool.isEmpty else {
      printError("error: \(file) is not in the audio folder \(audioDirectory)")
      throw ExitCode(1)
    }
    do {
      return try SpoolCopy.copy(absolute, into: spool)
    } catch let failure as SpoolCopy.Failure {
      printError(
        "error: cannot copy \(file) into the spool folder \(spool): \(failure)"
          + (failure.isDenied ? "; is your user in the 'loa' group?" : ""))
      throw ExitCode(1)
    }
  }
}

struct StopCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "stop",
    abstract: "Stop the airing on air now (logged interrupted, by the operator).",
    discussion: "The daemon goes on: the next airings play at their time.")

  @OptionGroup var control: ControlOptions

  func run() throws {
    let answer = try control.send(ControlRequest(.stop))
    if let stopped = answer.stopped {
      printLine("stopped: \(stopped.title) (\(stopped.program)), due \(stopped.start)")
    }
  }
}

struct ReloadCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "reload",
    abstract: "Have the running daemon load the schedule again.",
    discussion: """
      An invalid schedule is refused, with every error as file:line:col, and the daemon \
      keeps the one it has (exit status 1). The airing on air is not disturbed.
      """)

  @OptionGroup var control: ControlOptions

  func run() throws {
    // Loading measures new audio files, which can take minutes.
    let answer = try control.send(ControlRequest(.reload), timeout: .seconds(600))
    if let schedule = answer.schedule {
      printLine("reloaded: \(schedule.path), loaded \(schedule.loadedAt)")
    }
  }
}

extension ControlPriority: ExpressibleByArgument {}
