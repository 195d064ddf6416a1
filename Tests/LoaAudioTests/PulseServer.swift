import Foundation
import Testing

/// A private PulseAudio server with a null sink, started by the test that
/// needs it: a real-time clock behind ALSA's `pulse` PCM, with no sound card.
///
/// It listens on a socket in its own temporary folder, named to clients by
/// `PULSE_SERVER`; tests that use it run one at a time (`.serialized`), since
/// that variable is the process's.
final class PulseServer {
  let folder: TemporaryFolder
  let socket: String
  private var process: Process?

  init() throws {
    folder = try TemporaryFolder()
    socket = folder.path("pulse.sock")
    setenv("PULSE_SERVER", "unix:\(socket)", 1)
    try start()
  }

  deinit { stop() }

  /// Starts the server (again) and returns once it accepts connections.
  func start() throws {
    let binary = "/usr/bin/pulseaudio"
    guard FileManager.default.isExecutableFile(atPath: binary) else {
      throw PulseServerError("\(binary) is missing: run scripts/install-deps.sh")
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = [
      "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--log-target=stderr",
      "-L", "module-null-sink sink_name=radio",
      "-L", "module-native-protocol-unix socket=\(socket) auth-anonymous=1",
    ]
    var environment = ProcessInfo.processInfo.environment
    environment["XDG_RUNTIME_DIR"] = folder.url.path
    environment["HOME"] = folder.url.path
    environment["PULSE_SERVER"] = nil
    process.environment = environment
    let log = folder.path("pulseaudio.log")
    _ = FileManager.default.createFile(atPath: log, contents: nil)
    process.standardOutput = FileHandle(forWritingAtPath: log)
    process.standardError = FileHandle(forWritingAtPath: log)
    try process.run()
    self.process = process
    let deadline = Date() + 10
    while !acceptsConnections() {
      guard process.isRunning, Date() < deadline else {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw PulseServerError("pulseaudio did not start:\n\(text)")
      }
      usleep(20_000)
    }
  }

  /// Kills the server at once, as a crash would.
  func stop() {
    guard let process, process.isRunning else { return }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
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

struct PulseServerError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
