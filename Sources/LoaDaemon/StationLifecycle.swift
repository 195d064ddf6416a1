import Foundation
import LoaAudio
import LoaControl
import LoaLog
import LoaSchedule
import LoaService

/// What the station's process is made of, as `loa run` prepared it.
public struct StationParts {
  /// The folder of the airing log.
  public var stateDirectory: String
  /// Where the control socket listens.
  public var socketPath: String
  public var loaded: LoadedSchedule
  /// Loads the schedule again, for a reload.
  public var load: @Sendable () -> LoadedSchedule
  public var measurements: AudioMeasurements
  public var clock: any DaemonClock
  public var settings: DaemonSettings
  /// Makes the switch for a schedule's `amplifier` section.
  public var amplifier: (@Sendable (Amplifier) -> any AmplifierSwitch)?
  /// Where the daemon's messages go (its standard error).
  public var say: @Sendable (String) -> Void

  public init(
    stateDirectory: String, socketPath: String, loaded: LoadedSchedule,
    load: @escaping @Sendable () -> LoadedSchedule, measurements: AudioMeasurements,
    clock: any DaemonClock, settings: DaemonSettings,
    amplifier: (@Sendable (Amplifier) -> any AmplifierSwitch)?,
    say: @escaping @Sendable (String) -> Void
  ) {
    self.stateDirectory = stateDirectory
    self.socketPath = socketPath
    self.loaded = loaded
    self.load = load
    self.measurements = measurements
    self.clock = clock
    self.settings = settings
    self.amplifier = amplifier
    self.say = say
  }
}

/// The owner of the station's process: starts its parts in dependency
/// order — the log, the daemon, the control socket, the schedule's
/// watcher, the signals — runs the loop, and stops them in the reverse
/// order, here and nowhere else.
public enum StationLifecycle {
  /// Runs the station until it is stopped (SIGTERM, Ctrl-C, `stopAfter`).
  ///
  /// - Parameter signals: caught since the process began (SIGHUP, SIGINT,
  ///   SIGTERM), delivered to the loop once it listens.
  /// - Throws: `ControlError` with code `alreadyListening` when another
  ///   daemon answers on the socket; the daemon's own errors.
  public static func run(_ parts: StationParts, signals: UnixSignals) throws {
    let lifecycle = Lifecycle()
    defer { lifecycle.shutdown() }

    let (log, logError) = openLog(parts)
    lifecycle.started("log")
    let daemon = try Daemon(
      loaded: parts.loaded, load: parts.load, measurements: parts.measurements, log: log,
      logToOpen: logError.map { (parts.stateDirectory, $0) }, clock: parts.clock,
      amplifier: parts.amplifier, settings: parts.settings, say: parts.say)
    let mailbox = daemon.mailbox

    if let control = try listen(parts, mailbox: mailbox) {
      lifecycle.started("control", stop: control.stop)
    }
    let files = parts.loaded.schedule?.sourceFiles ?? [parts.settings.scheduling.schedulePath ?? ""]
    if let watcher = ScheduleWatcher(files: files, mailbox: mailbox, say: parts.say) {
      lifecycle.started("watcher", stop: watcher.stop)
    }
    signals.start { number in
      switch number {
      case SIGHUP: mailbox.post(.reload("SIGHUP"))
      default:
        UnixSignals.restoreDefault(number)
        mailbox.post(.stop("loa was stopped (\(number == SIGINT ? "Ctrl-C" : "SIGTERM"))"))
      }
    }
    lifecycle.started("signals", stop: signals.stop)

    daemon.run()
  }

  /// The airing log, or why it could not be opened: the station plays on
  /// and its rows wait in memory while the log is tried again. (The log
  /// makes its folder and names the system's reason when it cannot;
  /// Foundation's error read `NSCocoaErrorDomain Code=256`.)
  static func openLog(_ parts: StationParts) -> (AiringLog?, (any Error)?) {
    do {
      return (
        try AiringLog.openForWriting(folder: parts.stateDirectory, now: parts.clock.now()), nil
      )
    } catch {
      // The audio matters more than its record: play, and say so.
      parts.say(
        "error: \(error); airings will play, their rows kept in memory until the log opens")
      return (nil, error)
    }
  }

  /// The control socket, served on a thread of its own. Another daemon
  /// listening on it is an error (two would play everything twice); a
  /// socket that cannot be made is reported, and the station plays on.
  private static func listen(_ parts: StationParts, mailbox: Mailbox) throws -> ControlServer? {
    do {
      let server = try ControlServer(path: parts.socketPath) { request, reply in
        mailbox.post(.control(request, reply))
      }
      server.start()
      return server
    } catch let error as ControlError where error.code == .alreadyListening {
      throw error
    } catch {
      parts.say(
        "error: the control socket: \(error); loa status, announce, stop and reload will not work")
      return nil
    }
  }
}
