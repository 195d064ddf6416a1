import Foundation
import LoaTesting
import Testing

/// Runs the real `loa`, killed after `seconds`.
func loa(within seconds: Int, _ arguments: String...) throws -> Run {
  try loa(arguments, within: seconds)
}

/// A station with nothing due for an hour, its daemon running.
private func idleStation() throws -> (RealTimeStation, RealTimeStation.Daemon) {
  let station = try RealTimeStation(lead: 4)
  try station.save(station.yaml([3600]))
  let daemon = try station.start()
  try daemon.waitFor("playing to")
  return (station, daemon)
}

@Suite("Inputs that would hang or exhaust the daemon", .serialized)
struct InputTests {
  @Test("a FIFO is refused at once, by loa announce and by the daemon, whose worker goes on")
  func fifo() throws {
    let (station, daemon) = try idleStation()

    let outside = station.folder.path("pipe.wav")
    #expect(mkfifo(outside, 0o644) == 0)
    let started = Date()
    let refused = try loa(within: 10, "announce", outside, "--state", station.state)
    #expect(refused.status == 1, "\(refused.errors)")
    #expect(refused.errors.contains("not a regular file"), "\(refused.errors)")
    #expect(Date().timeIntervalSince(started) < 5)

    // One in the spool, asked for directly: the daemon does not open it.
    let spooled = station.state + "/spool/pipe.wav"
    #expect(mkfifo(spooled, 0o644) == 0)
    let talk = try ControlConnection(station.state + "/control.sock")
    talk.send(#"{"v":1,"command":"announce","file":"\#(spooled)"}"# + "\n")
    let answer = talk.answer()
    #expect(answer?["code"] as? String == "unreadable_audio", "\(String(describing: answer))")
    #expect((answer?["error"] as? String)?.contains("not a regular file") == true)

    // The worker is free: a real announcement is measured and taken.
    let tone = try station.tone(seconds: 1)
    let announced = try loa(within: 20, "announce", tone, "--state", station.state)
    #expect(announced.status == 0, "\(announced.errors)")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")
  }

  @Test("256 clients trickling bytes neither hold the slots nor lock out loa status")
  func trickling() throws {
    let (station, daemon) = try idleStation()
    let socket = station.state + "/control.sock"

    let tricklers = try (0..<256).map { _ in try ControlConnection(socket) }
    let request = Array(#"{"v":1,"command":"status"}"#)
    for byte in 0..<3 {
      for trickler in tricklers { trickler.send(String(request[byte])) }
      // The operator gets in at once, every time.
      let started = Date()
      let status = try loa(within: 10, "status", "--state", station.state)
      #expect(status.status == 0, "\(status.errors)")
      #expect(Date().timeIntervalSince(started) < 3)
      #expect(
        try loa(within: 10, "stop", "--state", station.state).errors.contains(
          "nothing is on air"))
      Thread.sleep(forTimeInterval: 2)
    }
    // Bytes every 2 s did not keep them: each had 10 s for a whole request.
    Thread.sleep(forTimeInterval: 6)
    let open = tricklers.filter { !$0.isClosedNow }
    #expect(open.isEmpty, "\(open.count) still open")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")
  }
}

extension InputTests {
  @Test("an alias bomb is refused in a moment by validate and reload; the corrected file loads")
  func aliasBomb() throws {
    var bomb = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in 1..<9 {
      bomb.append(
        "a\(level): &a\(level) ["
          + Array(repeating: "*a\(level - 1)", count: 10)
          .joined(separator: ", ") + "]")
    }
    bomb.append("? *a8\n: 1\n")
    let station = try RealTimeStation(lead: 4)
    let good = station.yaml([600])
    let bad = good + bomb.joined(separator: "\n")
    let file = station.folder.path("bomb.yaml")
    try bad.write(toFile: file, atomically: true, encoding: .utf8)
    let started = Date()
    let validated = try loa(within: 20, "validate", file)
    #expect(validated.status == 1)
    #expect(validated.output.contains("bomb.yaml:"), "\(validated.output)")
    #expect(validated.output.contains(": error: aliases repeat more than"), "\(validated.output)")
    #expect(Date().timeIntervalSince(started) < 5)

    // The daemon: saved (and so reloaded by inotify), then asked to reload.
    try station.save(good)
    let daemon = try station.start()
    try daemon.waitFor("playing to")
    try station.save(bad)
    let refused = try loa(within: 20, "reload", "--state", station.state)
    #expect(refused.status == 1)
    #expect(refused.errors.contains("station.yaml:"), "\(refused.errors)")
    #expect(refused.errors.contains("aliases repeat more than"), "\(refused.errors)")
    try station.save(good)
    let reloaded = try loa(within: 20, "reload", "--state", station.state)
    #expect(reloaded.status == 0, "\(reloaded.errors)")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")
  }
}

extension InputTests {
  @Test("the daemon starts by removing what a run before left in the spool, an hour old")
  func spoolLeftovers() throws {
    let station = try RealTimeStation(lead: 4)
    try station.save(station.yaml([3600]))
    let spool = station.state + "/spool"
    try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
    for name in ["old.wav", ".copy-1-x", "fresh.wav"] {
      _ = FileManager.default.createFile(atPath: spool + "/" + name, contents: Data([1]))
    }
    for name in ["old.wav", ".copy-1-x"] {
      var times = [timeval(tv_sec: time(nil) - 7200, tv_usec: 0)]
      times.append(times[0])
      #expect(utimes(spool + "/" + name, times) == 0)
    }
    let daemon = try station.start()
    try daemon.waitFor("playing to")
    let left = try FileManager.default.contentsOfDirectory(atPath: spool)
    #expect(left == ["fresh.wav"], "\(left)")
    #expect(
      daemon.said.contains("removed from the spool, left by a run before: .copy-1-x, old.wav"))
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")
  }

  @Test("a schedule file that is a FIFO is refused, not waited on")
  func fifoSchedule() throws {
    let folder = try TemporaryFolder()
    try "station:\n  name: Thử\n  audio_dir: .\n".write(
      toFile: folder.path("a.yaml"), atomically: true, encoding: .utf8)
    #expect(mkfifo(folder.path("b.yaml"), 0o644) == 0)
    let run = try loa(within: 10, "validate", folder.path)
    #expect(run.status == 1)
    #expect(
      run.output.contains("b.yaml:1:1: error: not a regular file (a FIFO or a device)"),
      "\(run.output)\(run.errors)")
  }

  @Test("loa validate refuses 100,000 programs in a moment, with the limit")
  func hundredThousandPrograms() throws {
    let folder = try TemporaryFolder()
    var text = """
      station:
        name: Thử
        audio_dir: \(repository.appendingPathComponent("audio").path)
      programs:

      """
    for index in 0..<100_000 {
      text += """
          - id: p\(index)
            title: Chương trình \(index)
            start: "\(String(format: "%02d:%02d", index / 60 % 24, index % 60))"
            repeat: daily
            segments: [ { file: nhac-hieu.ogg } ]

        """
    }
    let file = folder.path("station.yaml")
    try text.write(toFile: file, atomically: true, encoding: .utf8)
    let started = Date()
    let run = try loa(within: 60, "validate", file)
    #expect(run.status == 1)
    #expect(
      run.output.contains("station.yaml:1:1: error: the schedule is larger than 1024 KiB"),
      "\(run.output)")
    #expect(Date().timeIntervalSince(started) < 5)
  }
}

extension InputTests {
  @Test("a long announcement is accepted at once, listed, aired once though retried; its copy goes")
  func longAnnouncement() throws {
    let (station, daemon) = try idleStation()
    // Twenty minutes of tone: the debug build measures it in about 25 s.
    let long = station.folder.path("long.wav")
    try writeTone(to: long, seconds: 1200)

    var started = Date()
    let first = try loa(
      within: 60, "announce", long, "--priority", "normal", "--state", station.state)
    #expect(first.status == 0, "\(first.errors)")
    #expect(Date().timeIntervalSince(started) < 8, "answered after the measurement")
    #expect(first.output.contains("announced: long.wav (normal), 1 time, as announce-"))
    let id = first.output.split(separator: " ").first { $0.hasPrefix("announce-") }
      .map { String($0.trimmingCharacters(in: CharacterSet(charactersIn: ";\n"))) }
    let measuring = try station.status()["measuring"] as? [[String: Any]]
    #expect(measuring?.first?["program"] as? String == id, "\(String(describing: measuring))")
    let text = try loa(within: 10, "status", "--state", station.state)
    #expect(text.output.contains("Accepted:  long.wav"), "\(text.output)")

    // The operator, unsure, announces it again: the same announcement.
    started = Date()
    let retry = try loa(
      within: 60, "announce", long, "--priority", "normal", "--state", station.state)
    #expect(retry.status == 0, "\(retry.errors)")
    #expect(Date().timeIntervalSince(started) < 8)
    #expect(retry.output.contains("already announced: long.wav"), "\(retry.output)")
    #expect(retry.output.contains(id ?? "?"), "\(retry.output)")

    // Measured, it plays (nothing else is on air); stopped, its copy goes.
    let deadline = Date() + 120
    var onAir: String?
    while Date() < deadline, onAir == nil {
      Thread.sleep(forTimeInterval: 0.5)
      let status = try station.status()
      onAir =
        ((status["on_air"] as? [String: Any])?["airing"] as? [String: Any])?["program"]
        as? String
    }
    #expect(onAir == id, "\(daemon.said)")
    #expect(try loa(within: 10, "stop", "--state", station.state).status == 0)
    Thread.sleep(forTimeInterval: 1)
    let spool = try FileManager.default.contentsOfDirectory(atPath: station.state + "/spool")
    #expect(spool.isEmpty, "\(spool)")
    daemon.signal(SIGTERM)
    #expect(daemon.wait() == 0, "\(daemon.said)")
    let announcements = try station.log().filter { $0.program?.hasPrefix("announce-") == true }
    #expect(announcements.count == 1, "\(announcements)")
  }
}

/// A mono 16-bit 48 kHz WAV of `seconds` of a 440 Hz tone, written a
/// second at a time.
private func writeTone(to path: String, seconds: Int) throws {
  let rate = 48_000
  var header = Data()
  func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) }
  }
  let bytes = rate * seconds * 2
  header.append(contentsOf: Array("RIFF".utf8))
  append(UInt32(36 + bytes))
  header.append(contentsOf: Array("WAVEfmt ".utf8))
  for value: UInt32 in [16] { append(value) }
  for value: UInt16 in [1, 1] { append(value) }
  for value: UInt32 in [UInt32(rate), UInt32(rate * 2)] { append(value) }
  for value: UInt16 in [2, 16] { append(value) }
  header.append(contentsOf: Array("data".utf8))
  append(UInt32(bytes))
  var second = [Int16](repeating: 0, count: rate)
  for frame in 0..<rate {
    second[frame] = Int16(8000 * sin(2 * Double.pi * 440 * Double(frame) / Double(rate)))
  }
  let block = second.withUnsafeBytes { Data($0) }
  _ = FileManager.default.createFile(atPath: path, contents: header)
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
  defer { try? handle.close() }
  try handle.seekToEnd()
  for _ in 0..<seconds { try handle.write(contentsOf: block) }
}

extension ControlConnection {
  /// True when the daemon has closed it (having maybe said why), without
  /// waiting for more.
  var isClosedNow: Bool {
    var probe = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    guard poll(&probe, 1, 0) > 0 else { return false }
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      let count = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
      if count == 0 { return true }
      if count < 0 { return false }
    }
  }
}
