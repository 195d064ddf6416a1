import Foundation
import LoaControl
import LoaDaemon
import LoaTesting
import Testing

@Suite("systemd's notifications")
struct SystemdNotifierTests {
  @Test("systemd's notification socket: datagrams, the watchdog's interval from its environment")
  func notifier() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("notify.sock")
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    defer { close(fd) }
    _ = try UnixSocket.withAddress(path) { bind(fd, $0, $1) }
    let notifier = try #require(
      SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"]))
    #expect(notifier.watchdogInterval == .seconds(2))
    #expect(notifier.notify("READY=1"))
    var buffer = [UInt8](repeating: 0, count: 64)
    let count = recv(fd, &buffer, buffer.count, 0)
    #expect(String(decoding: buffer[..<max(count, 0)], as: UTF8.self) == "READY=1")
    // Meant for another process: no watchdog here.
    let other = SystemdNotifier(
      environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"])
    #expect(other?.watchdogInterval == nil)
    #expect(SystemdNotifier(environment: [:]) == nil)
  }
}
