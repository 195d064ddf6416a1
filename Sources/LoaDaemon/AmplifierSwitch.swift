import Dispatch
import Foundation
import LoaSchedule

/// Switches the station's amplifier; the daemon decides when.
public protocol AmplifierSwitch: Sendable {
  /// Switches it on (`true`) or off, without waiting for the result.
  func set(on: Bool)
  /// Returns once the switching asked for so far is done (before exit).
  func finish()
}

/// Runs the schedule's `amplifier.on` / `amplifier.off` commands: an argv
/// list, never a shell, one at a time in order, each given `timeout` before
/// it is killed. A command that fails is reported and the playing goes on.
public final class CommandAmplifier: AmplifierSwitch {
  private let amplifier: Amplifier
  private let timeout: Duration
  private let report: @Sendable (String) -> Void
  private let queue = DispatchQueue(label: "loa.amplifier")

  public init(
    _ amplifier: Amplifier, timeout: Duration = .seconds(10),
    report: @escaping @Sendable (String) -> Void
  ) {
    self.amplifier = amplifier
    self.timeout = timeout
    self.report = report
  }

  public func finish() {
    queue.sync {}
  }

  public func set(on: Bool) {
    let argv = on ? amplifier.on : amplifier.off
    let what = on ? "on" : "off"
    let (timeout, report) = (timeout, report)
    queue.async {
      if let problem = Self.run(argv, timeout: timeout) {
        report("amplifier \(what): \(problem); the audio goes on")
      }
    }
  }

  /// Runs `argv` and returns what went wrong, or nil when it exited 0.
  static func run(_ argv: [String], timeout: Duration) -> String? {
    guard let program = argv.first else { return "no command given" }
    var pid = pid_t()
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    // The command gets no terminal input; its output goes to the daemon's.
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    let arguments = argv.map { strdup($0) } + [nil]
    defer { arguments.forEach { free($0) } }
    // A bare name is looked up in PATH, as a shell would.
    let spawned = posix_spawnp(&pid, program, &actions, nil, arguments, environ)
    guard spawned == 0 else {
      return "cannot run '\(program)': \(String(cString: strerror(spawned)))"
    }
    let deadline = ContinuousClock.now + timeout
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
      if ContinuousClock.now > deadline {
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
        return "'\(argv.joined(separator: " "))' did not finish within \(timeout) and was killed"
      }
      usleep(20_000)
    }
    let exited = status & 0x7f == 0
    if exited, (status >> 8) & 0xff == 0 { return nil }
    return exited
      ? "'\(argv.joined(separator: " "))' failed with exit status \((status >> 8) & 0xff)"
      : "'\(argv.joined(separator: " "))' was killed by signal \(status & 0x7f)"
  }
}
