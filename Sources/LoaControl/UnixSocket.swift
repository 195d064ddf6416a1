import Foundation

/// The few socket calls both ends need.
public enum UnixSocket {
  /// Calls `body` with `path` as a socket address: a file, or with a
  /// leading `@` a name in the abstract namespace (as systemd gives one).
  public static func withAddress<T>(
    _ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T
  ) throws -> T {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    var bytes = Array(path.utf8)
    if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
    guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
      throw ControlError(.system, "the socket path is too long: \(path)")
    }
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    return withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
  }

  /// A connected stream socket, whose sends and receives (and the connect
  /// itself, with a full backlog) give up after `timeout`; throws with
  /// `errno` set on failure.
  public static func connect(to path: String, timeout: Duration = .seconds(5)) throws -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else {
      throw ControlError(.system, "socket: \(String(cString: strerror(errno)))")
    }
    var time = timeval(
      tv_sec: Int(timeout.components.seconds),
      tv_usec: Int(timeout.components.attoseconds / 1_000_000_000_000))
    for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
      setsockopt(fd, SOL_SOCKET, option, &time, socklen_t(MemoryLayout<timeval>.size))
    }
    let result = try withAddress(path) { Glibc.connect(fd, $0, $1) }
    guard result == 0 else {
      let saved = errno
      close(fd)
      errno = saved
      throw ControlError(.system, "\(path): \(String(cString: strerror(saved)))")
    }
    return fd
  }

  /// Non-blocking, and closed on exec (the amplifier's commands must not
  /// inherit it).
  public static func makeNonBlocking(_ fd: Int32) {
    _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
  }

  public static func listen(on path: String, mode: mode_t) throws -> Int32 {
    let fd = socket(
      AF_UNIX,
      Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    guard fd >= 0 else {
      throw ControlError(.system, "socket: \(String(cString: strerror(errno)))")
    }
    let bound = try withAddress(path) { bind(fd, $0, $1) }
    guard bound == 0, chmod(path, mode) == 0, Glibc.listen(fd, 64) == 0 else {
      let reason = String(cString: strerror(errno))
      close(fd)
      throw ControlError(.system, "cannot listen on \(path): \(reason)")
    }
    return fd
  }
}
