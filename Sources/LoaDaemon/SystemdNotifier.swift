import Foundation

/// Tells systemd how the daemon is doing (`sd_notify(3)`'s protocol, without
/// libsystemd): one datagram of `KEY=value` lines to the Unix socket named
/// by `NOTIFY_SOCKET`. Outside systemd (no `NOTIFY_SOCKET`), it does nothing.
public final class SystemdNotifier: @unchecked Sendable {
  // @unchecked: `socket` and `address` are set once in `init`; sending a
  // datagram is atomic.
  private let socket: Int32
  private var address = sockaddr_un()
  private let addressLength: socklen_t
  /// How often systemd wants `WATCHDOG=1`: half its `WatchdogSec=`, as
  /// sd_watchdog_enabled(3) advises; nil when it watches nothing.
  public let watchdogInterval: Duration?

  /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from the
  /// environment; nil when systemd is not listening.
  public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
    guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
    // "@name" is a socket in the abstract namespace: a leading NUL byte.
    var bytes = Array(path.utf8)
    if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
    let capacity = MemoryLayout.size(ofValue: address.sun_path)
    guard bytes.count < capacity else { return nil }
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      buffer.copyBytes(from: bytes)
    }
    addressLength = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count)
    socket = Glibc.socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard socket >= 0 else { return nil }
    let pid = environment["WATCHDOG_PID"].flatMap { pid_t($0) }
    if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
      pid == nil || pid == getpid()
    {
      watchdogInterval = .microseconds(usec / 2)
    } else {
      watchdogInterval = nil
    }
  }

  deinit { close(socket) }

  /// Sends `state` (e.g. "READY=1\nSTATUS=…"); false when it could not.
  @discardableResult
  public func notify(_ state: String) -> Bool {
    var message = Array(state.utf8)
    return withUnsafePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
        sendto(socket, &message, message.count, Int32(MSG_NOSIGNAL), socketAddress, addressLength)
          == message.count
      }
    }
  }

  /// `MONOTONIC_USEC=`: when a reload began, on `CLOCK_MONOTONIC`, which
  /// systemd asks to accompany `RELOADING=1`.
  public static func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
  }
}
