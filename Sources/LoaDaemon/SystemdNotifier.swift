import Foundation
import LoaControl

/// Tells systemd how the daemon is doing (`sd_notify(3)`'s protocol, without
/// libsystemd): one datagram of `KEY=value` lines to the Unix socket named
/// by `NOTIFY_SOCKET`. Outside systemd (no `NOTIFY_SOCKET`), it does nothing.
public final class SystemdNotifier: @unchecked Sendable {
  // @unchecked: `socket` and `path` are set once in `init`; sending a
  // datagram is atomic.
  private let socket: Int32
  private let path: String
  /// How often systemd wants `WATCHDOG=1`: half its `WatchdogSec=`, as
  /// sd_watchdog_enabled(3) advises; nil when it watches nothing.
  public let watchdogInterval: Duration?

  /// Reads `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` from the
  /// environment; nil when systemd is not listening.
  public init?(environment: [String: String] = ProcessInfo.processInfo.environment) {
    guard let path = environment["NOTIFY_SOCKET"], !path.isEmpty else { return nil }
    self.path = path
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
    let message = Array(state.utf8)
    let sent = try? UnixSocket.withAddress(path) { address, length in
      sendto(socket, message, message.count, Int32(MSG_NOSIGNAL), address, length)
    }
    return sent == message.count
  }

  /// `MONOTONIC_USEC=`: when a reload began, on `CLOCK_MONOTONIC`, which
  /// systemd asks to accompany `RELOADING=1`.
  public static func monotonicMicroseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
  }
}
