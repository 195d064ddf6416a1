// What tests and benchmarks share: temporary folders, a private PulseAudio
// server, and a simulated clock and player for the daemon. A library, as
// Hummingbird's HummingbirdTesting is; never a dependency of `loa`.

import Foundation
import Synchronization

/// A private PulseAudio server with a null sink, started by the test that
/// needs it: a real-time clock behind ALSA's `pulse` PCM, with no sound card.
///
/// It listens on a socket in its own temporary folder, named to clients by
/// `PULSE_SERVER`; tests that use it run one at a time (`.serialized`), since
/// that variable is the process's.
public final class PulseServer {
  public let folder: TemporaryFolder
  public let socket: String
  private var pid: pid_t?

  /// - Parameter exporting: name the server to this process's own ALSA
  ///   clients (`PULSE_SERVER`); tests that only start child processes pass
  ///   `address` in their environment instead and leave this process alone.
  public init(exporting: Bool = true) throws {
    folder = try TemporaryFolder()
    socket = folder.path("pulse.sock")
    if exporting { setenv("PULSE_SERVER", address, 1) }
    try start()
  }

  deinit { stop() }

  /// The server's address, as `PULSE_SERVER` takes it.
  public var address: String { "unix:\(socket)" }

  /// Starts the server (again) and returns once it accepts connections.
  ///
  /// Spawned with `posix_spawn`, not Foundation's `Process`: pulseaudio
  /// closes the descriptors it inherits, which `Process` takes for its
  /// exit and answers with a blocking `waitpid` that stalls every other
  /// `Process` of the test run.
  public func start() throws {
    let binary = "/usr/bin/pulseaudio"
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw PulseServerError("\(binary) is missing: run scripts/install-deps.sh")
    }
    let arguments = [
      binary, "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no",
      "--log-target=stderr", "-L", "module-null-sink sink_name=radio rate=48000",
      "-L", "module-native-protocol-unix socket=\(socket) auth-anonymous=1",
    ]
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_RUNTIME_DIR"] = folder.url.path
    environment["HOME"] = folder.url.path
    environment["PULSE_SERVER"] = nil
    let log = folder.path("pulseaudio.log")
    pid = try spawn(arguments, environment: environment, output: log)
    let deadline = Date() + 10
    while !acceptsConnections() {
      guard isRunning, Date() < deadline else {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw PulseServerError("pulseaudio did not start:\n\(text)")
      }
      usleep(20_000)
    }
  }

  /// What stops the server for `seconds` without ending it, as a machine
  /// too loaded to run it would, and returns at once; the first time only.
  /// For a test to do at the moment it chooses, from any thread.
  public func freezing(for seconds: Double) -> @Sendable () -> Void {
    let pid = pid
    let done = Atomic(false)
    return {
      guard let pid, !done.exchange(true, ordering: .relaxed) else { return }
      kill(pid, SIGSTOP)
      Thread.detachNewThread {
        Thread.sleep(forTimeInterval: seconds)
        kill(pid, SIGCONT)
      }
    }
  }

  /// Kills the server at once, as a crash would.
  public func stop() {
    guard let pid else { return }
    kill(pid, SIGKILL)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    self.pid = nil
  }

  private var isRunning: Bool {
    guard let pid else { return false }
    var status: Int32 = 0
    return waitpid(pid, &status, WNOHANG) == 0
  }

  private func acceptsConnections() -> Bool {
    let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { path in
      for (index, byte) in socket.utf8.prefix(path.count - 1).enumerated() { path[index] = byte }
    }
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
        connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0
      }
    }
  }
}

public struct PulseServerError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}

/// Starts `arguments` (a full path first) with `environment`, its standard
/// output and error appended to `output`; returns its process id.
public func spawn(_ arguments: [String], environment: [String: String], output: String) throws
  -> pid_t
{
  try spawn(arguments, environment: environment) { actions in
    posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
    posix_spawn_file_actions_adddup2(&actions, 1, 2)
  }
}

/// Starts `arguments` with `environment`, its standard output into the
/// descriptor `standardOutput` and its errors discarded.
public func spawn(_ arguments: [String], environment: [String: String], standardOutput: Int32)
  throws -> pid_t
{
  try spawn(arguments, environment: environment) { actions in
    posix_spawn_file_actions_adddup2(&actions, standardOutput, 1)
    posix_spawn_file_actions_addclose(&actions, standardOutput)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
  }
}

private func spawn(
  _ arguments: [String], environment: [String: String],
  redirect: (inout posix_spawn_file_actions_t) -> Void
) throws -> pid_t {
  var actions = posix_spawn_file_actions_t()
  posix_spawn_file_actions_init(&actions)
  defer { posix_spawn_file_actions_destroy(&actions) }
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
  redirect(&actions)
  let argv = arguments.map { strdup($0) } + [nil]
  let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
  defer { (argv + envp).forEach { free($0) } }
  // The child starts with no signal blocked and every handler at its
  // default, whatever the spawning thread has: a test thread may block
  // SIGTERM, and the child would then never hear it.
  var attributes = posix_spawnattr_t()
  posix_spawnattr_init(&attributes)
  defer { posix_spawnattr_destroy(&attributes) }
  var none = sigset_t()
  var all = sigset_t()
  sigemptyset(&none)
  sigfillset(&all)
  posix_spawnattr_setsigmask(&attributes, &none)
  posix_spawnattr_setsigdefault(&attributes, &all)
  posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
  var pid = pid_t()
  let error = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
  guard error == 0 else {
    throw PulseServerError("cannot start \(arguments[0]): \(String(cString: strerror(error)))")
  }
  return pid
}
