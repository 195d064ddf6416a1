import ArgumentParser
import Foundation
import LoaAudio
import LoaControl
import LoaDaemon
import LoaPlanner
import LoaPlayout
import LoaSchedule
import LoaService

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "The station daemon: play every airing of the schedule on time, and log it.",
    discussion: """
      Keeps the plan for the coming days, starts each airing at its second through the \
      player, lets priority announcements in at the next item and emergencies interrupt, \
      switches the amplifier, and logs every airing (loa log). It reloads the schedule on \
      SIGHUP and when a schedule file changes; an invalid schedule is refused and the old \
      one kept. SIGTERM or Ctrl-C ends the airing on air (logged interrupted) and exits 0.
      """)

  @OptionGroup var station: StationOptions

  @Option(
    help: ArgumentHelp(
      "ALSA PCM to play to instead of the schedule's station.output, e.g. pulse or "
        + "file:'state/on-air.wav',wav.", valueName: "pcm"))
  var output: String?

  @Option(
    help: ArgumentHelp(
      "Run as if the station's clock read this now, YYYY-MM-DD HH:MM[:SS]; time then runs "
        + "on from it in real time (demonstrations, rehearsing a day live).",
      valueName: "time"))
  var pretendTime: String?

  @Option(help: ArgumentHelp("Stop once this many airings have ended.", valueName: "n"))
  var stopAfter: Int?

  @Option(
    help: ArgumentHelp(
      "The control socket that loa status, announce, stop and reload talk to (default: "
        + "control.sock in $RUNTIME_DIRECTORY, which systemd sets, else in the state folder).",
      valueName: "path"))
  var socket: String?

  func validate() throws {
    if let pretendTime, LocalDateTime(parsing: pretendTime) == nil {
      throw ValidationError(
        "--pretend-time must be YYYY-MM-DD HH:MM[:SS], e.g. 2025-10-01 05:29:30")
    }
    if let stopAfter, stopAfter < 1 { throw ValidationError("--stop-after must be 1 or more") }
  }

  func run() throws {
    // Caught from here on, acted on once the loop listens: a signal while
    // starting is neither fatal nor lost.
    let signals = UnixSignals([SIGHUP, SIGINT, SIGTERM])
    // Two daemons on one station would play everything twice.
    let lock = try lockState()
    defer { close(lock) }
    let measurements = station.audioMeasurements()
    let path = station.schedulePath()
    let loaded = try station.loadSchedule(measurements: measurements)
    let planner = try Planner(loaded: loaded)
    var offset = Duration.zero
    if let local = pretendTime.flatMap(LocalDateTime.init(parsing:)) {
      let seconds = planner.instant(local).timeIntervalSinceNow
      offset = .milliseconds(Int64((seconds * 1000).rounded()))
    }
    let say: @Sendable (String) -> Void = { printError($0) }

    var settings = DaemonSettings()
    settings.scheduling.output = output
    settings.scheduling.stopAfter = stopAfter
    settings.scheduling.schedulePath = path
    settings.scheduling.spool = makeSpool(say: say)
    settings.releaseUnusedCode = true
    settings.notifier = SystemdNotifier()
    let probe = MeasuringProbe(measurements: measurements)
    do {
      try StationLifecycle.run(
        StationParts(
          stateDirectory: station.stateDirectory, socketPath: socketPath, loaded: loaded,
          load: { ScheduleLoader(probe: probe).load(path: path) }, measurements: measurements,
          clock: SystemClock(offset: offset), settings: settings,
          amplifier: { CommandAmplifier($0, report: say) }, say: say),
        signals: signals)
    } catch let error as ControlError where error.code == .alreadyListening {
      printError("error: \(error)")
      throw ExitCode(1)
    }
  }

  private var socketPath: String {
    socket ?? ControlServer.defaultPath(stateDirectory: station.stateDirectory)
  }

  /// Holds `daemon.lock` in the state folder for as long as the process
  /// lives; another daemon on the same state is an error.
  private func lockState() throws -> Int32 {
    let folder = station.stateDirectory
    try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let fd = open(folder + "/daemon.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o660)
    guard fd >= 0 else { return -1 }  // Unwritable state: the log says so next.
    guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
      printError("error: another loa daemon is running on \(folder) (it holds daemon.lock)")
      throw ExitCode(1)
    }
    return fd
  }

  /// Removes what a run before left in the spool: copies whose airing the
  /// daemon did not live to end, or that `loa announce` made and never
  /// asked for. Nothing plays them now; only those an hour old go, so that
  /// a copy being made as the daemon starts is left alone.
  private func sweep(_ spool: String, say: @Sendable (String) -> Void) {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []
    var removed: [String] = []
    for name in names {
      var info = stat()
      let path = spool + "/" + name
      guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
        time(nil) - info.st_mtim.tv_sec > 3600, unlink(path) == 0
      else { continue }
      removed.append(name)
    }
    if !removed.isEmpty {
      say(
        "removed from the spool, left by a run before: \(removed.sorted().joined(separator: ", "))")
    }
  }

  /// The folder `loa announce` copies files into: for the loa group to
  /// write. `make install` makes it setgid, so that the files stay the
  /// group's; under systemd (RestrictSUIDSGID=) the daemon could not.
  /// Made here when missing; nil, said why, when it cannot be had (the
  /// state folder's own trouble the airing log reports).
  private func makeSpool(say: @Sendable (String) -> Void) -> String? {
    // Absolute: loa announce copies into it from its own working folder.
    let spool = URL(fileURLWithPath: station.stateDirectory)
      .appendingPathComponent(ControlProtocol.spoolName).standardizedFileURL.path
    var failure: Int32 = 0
    var info = stat()
    if mkdir(spool, 0o770) == 0 {
      if chmod(spool, 0o2770) != 0 { chmod(spool, 0o770) }
    } else if errno != EEXIST {
      failure = errno
    } else if stat(spool, &info) != 0 {
      failure = errno
    } else if info.st_mode & S_IFMT != S_IFDIR {
      failure = ENOTDIR
    }
    guard failure == 0 else {
      say(
        "error: cannot create the spool folder '\(spool)': \(String(cString: strerror(failure))); "
          + "loa announce takes only files in audio_dir until it can be")
      return nil
    }
    sweep(spool, say: say)
    return spool
  }
}
