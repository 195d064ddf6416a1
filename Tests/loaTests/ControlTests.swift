import Foundation
import LoaTesting
import Testing

extension RealTimeStation {
  /// `loa` talking to this station's daemon, as an operator would.
  func control(_ arguments: String...) throws -> Run {
    try loa(arguments + ["--state", state])
  }

  /// `loa status --format json`, parsed.
  func status() throws -> [String: Any] {
    let run = try loa("status", "--state", state, "--format", "json")
    #expect(run.status == 0, "\(run.errors)")
    return try json(run.output) as? [String: Any] ?? [:]
  }

  /// A mono 16-bit WAV of `seconds` of a 440 Hz tone, outside the audio folder.
  func tone(seconds: Double, name: String = "tone.wav") throws -> String {
    let rate = 48_000
    let path = folder.path(name)
    try writeWAV(to: path, frames: Int(seconds * Double(rate)), channels: 1, rate: rate) { frame in
      Int16(8000 * sin(2 * Double.pi * 440 * Double(frame) / Double(rate)))
    }
    return path
  }
}

/// Calls `body` with `path` as a Unix socket's address.
private func withUnixAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T)
  -> T
{
  var address = sockaddr_un()
  address.sun_family = sa_family_t(AF_UNIX)
  withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
  return withUnsafePointer(to: &address) {
    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
      body($0, socklen_t(MemoryLayout<sockaddr_un>.size))
    }
  }
}

/// A raw connection to the control socket, to misbehave on.
final class ControlConnection {
  let fd: Int32

  init(_ path: String) throws {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    self.fd = fd
    let connected = withUnixAddress(path) { connect(fd, $0, $1) }
    guard connected == 0 else {
      close(fd)
      throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
    var time = timeval(tv_sec: 15, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
  }

  deinit { close(fd) }

  func send(_ text: String) {
    _ = Array(text.utf8).withUnsafeBytes {
      Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
    }
  }

  /// The next line, parsed; nil when the daemon closed the connection.
  func answer() -> [String: Any]? {
    var line = Data()
    var byte: UInt8 = 0
    while recv(fd, &byte, 1, 0) == 1 {
      if byte == UInt8(ascii: "\n") {
        return (try? JSONSerialization.jsonObject(with: line)) as? [String: Any]
      }
      line.append(byte)
    }
    return nil
  }

  /// True once the daemon has closed it.
  var isClosed: Bool {
    var byte: UInt8 = 0
    return recv(fd, &byte, 1, 0) == 0
  }
}

@Suite("loa status, announce, stop and reload against a real daemon", .serialized)
struct ControlTests {
  @Test("status while playing, announcements of each priority, stop, and reload")
  func operatorCommands() throws {
    let station = try RealTimeStation(lead: 6)
    try station.save(station.yaml([0, 10], length: 4))
    let beep = try station.tone(seconds: 1)
    let daemon = try station.start()
    try daemon.waitFor("playing to")

    // Idle: the next airings.
    var status = try station.status()
    #expect(status["on_air"] == nil)
    #expect((status["next"] as? [[String: Any]])?.first?["program"] as? String == "p1")
    #expect(status["device_state"] as? String == "idle")
    #expect(status["amplifier"] as? String == "none")

    // Playing: what, how far, what next, the device.
    station.sleep(untilSecond: 1.5)
    status = try station.status()
    let onAir = status["on_air"] as? [String: Any]
    #expect((onAir?["airing"] as? [String: Any])?["program"] as? String == "p1", "\(status)")
    #expect((onAir?["elapsed_s"] as? Double ?? 0) > 1)
    #expect(onAir?["item"] as? Int == 1)
    #expect(status["device_state"] as? String == "playing")
    #expect(status["device"] as? String == "pulse")
    #expect((status["next"] as? [[String: Any]])?.first?["program"] as? String == "p2")

    // A priority announcement from outside the audio folder: copied to the
    // spool, it enters p1 at its next item (after p1's only one, at 4 s).
    let announced = try station.control(
      "announce", beep, "--priority", "priority", "--times", "2", "--gap", "1s")
    #expect(announced.status == 0, "\(announced.errors)")
    #expect(
      announced.output.contains("announced: tone.wav (priority), 2 times, as announce-"),
      "\(announced.output)")
    let spooled = try FileManager.default.contentsOfDirectory(atPath: station.state + "/spool")
    #expect(spooled.contains { $0.hasSuffix(".wav") }, "\(spooled)")

    // p2 at 10 s; an emergency 1 s in interrupts it.
    station.sleep(untilSecond: 11)
    let emergency = try station.control("announce", beep, "--priority", "emergency")
    #expect(emergency.status == 0, "\(emergency.errors)")

    // A normal announcement from the audio folder plays at once when
    // nothing is on air; `loa stop` stops it.
    station.sleep(untilSecond: 14)
    let jingle = repository.appendingPathComponent("audio/nhac-hieu.ogg").path
    #expect(try station.control("announce", jingle, "--priority", "normal").status == 0)
    station.sleep(untilSecond: 16)
    let stopped = try station.control("stop")
    #expect(stopped.status == 0, "\(stopped.errors)")
    #expect(stopped.output.contains("stopped: nhac-hieu.ogg"))
    station.sleep(untilSecond: 17)
    let nothing = try station.control("stop")
    #expect(nothing.status == 1)
    #expect(nothing.errors.contains("nothing is on air"))

    // Reload: a valid schedule is taken; an invalid one refused with its
    // errors at file:line:col, the old one kept.
    let reloaded = try station.control("reload")
    #expect(reloaded.status == 0, "\(reloaded.errors)")
    #expect(reloaded.output.contains("reloaded: \(station.schedule)"))
    try station.save(station.yaml([0, 10], length: 4) + "bogus: true\n")
    let refused = try station.control("reload")
    #expect(refused.status == 1)
    #expect(refused.errors.contains("the new schedule is refused"), "\(refused.errors)")
    #expect(refused.errors.contains("station.yaml:"), "\(refused.errors)")
    #expect(refused.errors.contains("error: unknown key 'bogus'"), "\(refused.errors)")

    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")
    let log = try station.log()
    let rows = log.map { ($0.program ?? "", $0["kind"] as? String ?? "", $0.status ?? "") }
    #expect(rows.count == 5, "\(log)")
    guard rows.count == 5 else { return }
    #expect(rows[0] == ("p1", "program", "completed"))
    #expect(rows[1].1 == "announcement" && rows[1].2 == "completed", "\(log[1])")
    #expect(rows[2] == ("p2", "program", "interrupted"))
    #expect(
      log[2].reason?.contains("interrupted for the emergency announcement «tone.wav»") == true)
    #expect(rows[3].1 == "emergency" && rows[3].2 == "completed", "\(log[3])")
    #expect(rows[4].1 == "announcement" && rows[4].2 == "interrupted", "\(log[4])")
    #expect(log[4].reason == "stopped by the operator (loa stop)", "\(log[4])")
    // The priority announcement entered at p1's end: p1's 4 s after its start.
    #expect(abs((log[1].lateMilliseconds ?? 0) - 2500) <= 600, "\(log[1])")
  }

  @Test("malformed, oversize, silent and a hundred clients neither stall nor stop the daemon")
  func badClients() throws {
    let station = try RealTimeStation(lead: 4)
    try station.save(station.yaml([3], length: 3))
    let daemon = try station.start(["--stop-after", "1"])
    try daemon.waitFor("playing to")
    let socket = station.state + "/control.sock"

    let talk = try ControlConnection(socket)
    talk.send("hello\n")
    #expect(
      talk.answer()?["error"] as? String == "malformed request: not a JSON object on one line")
    talk.send(#"{"v":1,"command":"dance"}"# + "\n")
    #expect(
      talk.answer()?["error"] as? String
        == "unknown command 'dance'; known: status, announce, stop, reload")
    talk.send(#"{"v":2,"command":"status"}"# + "\n")
    #expect((talk.answer()?["error"] as? String)?.contains("protocol version 2") == true)
    talk.send(#"{"v":1,"command":"announce","times":"x"}"# + "\n")
    #expect((talk.answer()?["error"] as? String)?.hasPrefix("malformed announce request") == true)
    // The connection is still good for a real request.
    talk.send(#"{"v":1,"command":"status"}"# + "\n")
    #expect(talk.answer()?["ok"] as? Bool == true)

    // Too long: an error, then the connection is closed.
    let large = try ControlConnection(socket)
    large.send(String(repeating: "x", count: 70_000))
    #expect((large.answer()?["error"] as? String)?.contains("longer than 65536 bytes") == true)
    #expect(large.isClosed)

    // A hundred clients that say nothing: the daemon answers another at once.
    let silent = try (0..<100).map { _ in try ControlConnection(socket) }
    let started = Date()
    #expect(try station.status()["station"] as? String == "Đài truyền thanh thử")
    #expect(Date().timeIntervalSince(started) < 2)

    // Meanwhile the program played on time.
    #expect(daemon.wait() == 0, "\(daemon.said)")
    let log = try station.log()
    #expect(log.first?.status == "completed", "\(log)")
    #expect(abs(log.first?.lateMilliseconds ?? 1000) <= 100, "\(log)")
    withExtendedLifetime(silent) {}
  }

  @Test("clear errors when no daemon runs; the socket is for the daemon's user and group")
  func noDaemonAndPermissions() throws {
    let station = try RealTimeStation(lead: 4)
    let none = try station.control("status")
    #expect(none.status == 1)
    #expect(none.errors.contains("no loa daemon is running"), "\(none.errors)")

    try station.save(station.yaml([600]))
    let daemon = try station.start()
    try daemon.waitFor("playing to")
    var info = stat()
    stat(station.state + "/control.sock", &info)
    #expect(info.st_mode & 0o777 == 0o660)
    // A second daemon on the same socket refuses to start.
    let second = try station.start()
    #expect(second.wait() == 1)
    #expect(second.said.contains("another loa daemon is running on"), "\(second.said)")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0)
  }

  @Test(
    "a relative --state from another folder reaches the daemon, and announce copies to its spool")
  func relativeStateFromAnotherFolder() throws {
    let station = try RealTimeStation(lead: 4)
    try station.save(station.yaml([600]))
    // The daemon runs in the station's folder, on ./state.
    station.stateFolder = "state"
    let daemon = try station.start(wrapper: ["/usr/bin/env", "-C", station.folder.path])
    try daemon.waitFor("playing to")
    let elsewhere = try TemporaryFolder()
    let relative = "../" + station.folder.url.lastPathComponent + "/state"
    let tone = try station.tone(seconds: 1)
    let run = try loa(["announce", tone, "--state", relative], in: elsewhere.url)
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("announced: tone.wav"), "\(run.output)")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0)
  }

  @Test("no daemon at a relative --state: its socket is named by absolute path, with no group hint")
  func noDaemonAtRelativeState() throws {
    let folder = try TemporaryFolder()
    let tone = folder.path("tone.wav")
    try writeWAV(to: tone, frames: 48_000, channels: 1, rate: 48_000) { _ in 1000 }
    let socket = folder.url.resolvingSymlinksInPath().path + "/state/control.sock"
    for arguments in [["status"], ["announce", "tone.wav"]] {
      let run = try loa(arguments + ["--state", "state"], in: folder.url)
      #expect(run.status == 1)
      #expect(
        run.errors.contains("no loa daemon is running (nothing listens on \(socket))"),
        "\(run.errors)")
      #expect(!run.errors.contains("group"), "\(run.errors)")
    }
  }

  @Test(
    "a spool folder that cannot be made is named with the system's reason; the daemon airs on")
  func spoolFolderCannotBeMade() throws {
    let station = try RealTimeStation(lead: 4)
    try station.save(station.yaml([600]))
    try FileManager.default.createDirectory(
      atPath: station.state, withIntermediateDirectories: true)
    try Data("not a folder".utf8).write(to: URL(fileURLWithPath: station.state + "/spool"))
    let daemon = try station.start()
    try daemon.waitFor("playing to")
    #expect(
      daemon.said.contains(
        "error: cannot create the spool folder '\(station.state)/spool': Not a directory;"),
      "\(daemon.said)")
    #expect(!daemon.said.contains("NSCocoaErrorDomain"), "\(daemon.said)")
    // Without a spool, loa announce takes files from the audio folder only.
    let status = try station.status()
    #expect(status["spool"] as? String == "", "\(status)")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0)
  }

  @Test(
    "systemd hears READY, WATCHDOG while the loop turns (not while it hangs), RELOADING, STOPPING")
  func systemdNotifications() throws {
    let station = try RealTimeStation(lead: 4)
    try station.save(station.yaml([6], length: 2))
    let listener = try NotifyListener(path: station.folder.path("notify.sock"))
    let daemon = try station.start(
      environment: ["NOTIFY_SOCKET": listener.path, "WATCHDOG_USEC": "1000000"])
    try daemon.waitFor("playing to")
    station.sleep(untilSecond: 2)

    // The log held locked by another process from second 2 to 7: the loop
    // blocks in writing p1's row (due at 6, armed at 4) and the pings stop.
    try holdLocked(station.state + "/airings.sqlite", until: station.zero + 7)
    station.sleep(untilSecond: 10)
    #expect(try station.control("reload").status == 0)
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")

    let messages = listener.received()
    #expect(messages.first?.text.hasPrefix("READY=1") == true, "\(messages.map(\.text))")
    let pings = messages.filter { $0.text == "WATCHDOG=1" }.map(\.at)
    // Every half second while healthy...
    let healthy = pings.filter { $0 < station.zero + 2 }
    #expect(healthy.count >= 2, "\(pings)")
    // ...none for seconds while the loop hangs, then again.
    let gaps = zip(pings, pings.dropFirst()).map { $1.timeIntervalSince($0) }
    #expect((gaps.max() ?? 0) >= 2.5, "\(gaps)")
    #expect(pings.contains { $0 > station.zero + 8 }, "\(pings)")
    let texts = messages.map(\.text)
    let reloading = texts.firstIndex { $0.hasPrefix("RELOADING=1\nMONOTONIC_USEC=") }
    #expect(reloading != nil, "\(texts)")
    if let reloading {
      #expect(texts[(reloading + 1)...].contains { $0.hasPrefix("READY=1") })
    }
    // STOPPING comes last but for the watchdog's pings: systemd still
    // watches the loop while it fades out and logs what was on air.
    let stopping = texts.lastIndex(of: "STOPPING=1")
    #expect(stopping != nil, "\(texts)")
    if let stopping {
      #expect(texts[(stopping + 1)...].allSatisfy { $0 == "WATCHDOG=1" }, "\(texts)")
    }
  }
}

/// A datagram socket standing in for systemd's `NOTIFY_SOCKET`.
final class NotifyListener {
  let path: String
  private let fd: Int32
  private let messages = MessageBox()

  init(path: String) throws {
    self.path = path
    let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
    self.fd = fd
    let bound = withUnixAddress(path) { bind(fd, $0, $1) }
    guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
    // Time each datagram as it comes: a thread reads them.
    let box = messages
    Thread {
      var buffer = [UInt8](repeating: 0, count: 4096)
      while true {
        let count = recv(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return }
        box.append((Date(), String(decoding: buffer[..<count], as: UTF8.self)))
      }
    }.start()
  }

  func received() -> [(at: Date, text: String)] { messages.all }

  deinit {
    shutdown(fd, Int32(SHUT_RDWR))
    close(fd)
  }

  final class MessageBox: @unchecked Sendable {
    // @unchecked: `items` is behind `lock`.
    private let lock = NSLock()
    private var items: [(at: Date, text: String)] = []
    func append(_ item: (Date, String)) { lock.withLock { items.append(item) } }
    var all: [(at: Date, text: String)] { lock.withLock { items } }
  }
}
