import Foundation

/// The command line's end of the control socket: one request, one answer.
public enum ControlClient {
  /// Where the commands look for the daemon: `$LOA_SOCKET`, else the
  /// state folder's socket when a daemon answers there (or nothing else
  /// exists, or the operator named the state folder), else systemd's
  /// runtime directory's.
  public static func socketPath(stateDirectory: String, stateNamed: Bool = false) -> String {
    if let path = ProcessInfo.processInfo.environment["LOA_SOCKET"], !path.isEmpty { return path }
    let local = stateDirectory + "/" + ControlProtocol.socketName
    let system = "/run/loa/" + ControlProtocol.socketName
    if ControlServer.isListening(on: local) { return local }
    if ControlServer.isListening(on: system) { return system }
    return stateNamed || FileManager.default.fileExists(atPath: local) ? local : system
  }

  /// Sends `request` to the daemon listening on `path` and waits up to
  /// `timeout` for its answer. Errors say, in words an operator can act
  /// on, why there is no answer.
  public static func send(
    _ request: ControlRequest, to path: String, timeout: Duration = .seconds(60)
  ) throws -> ControlAnswer {
    let fd: Int32
    do {
      fd = try UnixSocket.connect(to: path, timeout: timeout)
    } catch {
      switch errno {
      case ENOENT, ECONNREFUSED:
        throw ControlError(
          .noDaemon,
          "no loa daemon is running (nothing listens on \(absolute(path))); start it with "
            + "'sudo systemctl start loa', or 'loa run'")
      case EACCES, EPERM:
        throw ControlError(
          .notPermitted,
          "not allowed to talk to the daemon on \(path): it is for the 'loa' group; "
            + "ask the administrator: sudo adduser \(ProcessInfo.processInfo.userName) loa "
            + "(then log in again)")
      default:
        throw error
      }
    }
    defer { close(fd) }
    let line = ControlProtocol.line(request)
    // Unsent (the daemon closed first), the request may still have an
    // answer waiting: a busy daemon says so and closes before reading.
    _ = line.withUnsafeBytes {
      Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
    var answer = Data()
    var buffer = [UInt8](repeating: 0, count: 16 * 1024)
    while !answer.contains(UInt8(ascii: "\n")) {
      let count = recv(fd, &buffer, buffer.count, 0)
      if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
        throw ControlError(.noAnswer, "the daemon did not answer within \(timeout.shortText)")
      }
      guard count > 0 else {
        throw ControlError(.noAnswer, "the daemon closed the connection unanswered")
      }
      answer.append(contentsOf: buffer[..<count])
    }
    let first = answer.prefix { $0 != UInt8(ascii: "\n") }
    do {
      return try ControlProtocol.decode(ControlAnswer.self, from: Data(first))
    } catch {
      throw ControlError(.notUnderstood, "the daemon's answer is not understood: \(error)")
    }
  }
}

/// `path` from the root, as an operator in another folder can find it; a
/// name in the abstract namespace (`@...`) as it is.
private func absolute(_ path: String) -> String {
  path.hasPrefix("@") ? path : URL(fileURLWithPath: path).standardizedFileURL.path
}

extension Duration {
  fileprivate var shortText: String { "\(components.seconds) s" }
}
