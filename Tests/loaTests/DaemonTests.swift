import Foundation
import LoaTesting
import Testing

/// A station whose programs start a few seconds from now, on the real
/// clock, playing the sample station's 6.8-second jingle through ALSA's
/// `pulse` PCM into a private PulseAudio null sink.
final class RealTimeStation {
  let folder: TemporaryFolder
  let pulse: PulseServer
  /// A listener: the null sink's monitor, recorded from before the first
  /// program (until the server is stopped).
  let ear: MonitorRecorder
  let listeningSince: Date
  /// The first program's start: a whole second, a few seconds from now.
  let zero: Date
  let zone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
  /// The state folder, when not `state` in the station's folder.
  var stateFolder: String?
  var state: String { stateFolder ?? folder.path("state") }
  var schedule: String { folder.path("station.yaml") }

  init(lead: Double = 5) throws {
    folder = try TemporaryFolder()
    pulse = try PulseServer(exporting: false)
    ear = try MonitorRecorder(server: pulse)
    listeningSince = Date()
    var start = (Date().timeIntervalSince1970 + lead).rounded(.up)
    // Programs must fall on the same station day as the test starts.
    if Int(start + Double(zone.secondsFromGMT())) % 86_400 > 86_400 - 120 { start += 130 }
    zero = Date(timeIntervalSince1970: start)
    if zero.timeIntervalSinceNow > lead + 1 { Thread.sleep(until: zero - lead) }
  }

  /// `HH:MM:SS` at the station, `seconds` after `zero`.
  func time(_ seconds: Double) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let parts = calendar.dateComponents([.hour, .minute, .second], from: zero + seconds)
    return [parts.hour, parts.minute, parts.second].map { String(format: "%02d", $0 ?? 0) }
      .joined(separator: ":")
  }

  var today: String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let parts = calendar.dateComponents([.year, .month, .day], from: zero)
    return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
  }

  /// The schedule: programs at `zero` plus each offset (seconds), each the
  /// jingle cut at `length` seconds.
  func yaml(_ offsets: [Double], length: Int = 2, catchUp: String = "10s", extra: String = "")
    -> String
  {
    var yaml = """
      station:
        name: Đài truyền thanh thử
        audio_dir: \(repository.appendingPathComponent("audio").path)
        output: pulse
        catch_up: \(catchUp)
      programs:

      """
    for (index, offset) in offsets.enumerated() {
      yaml += """
          - id: p\(index + 1)
            title: Chương trình \(index + 1)
            start: "\(time(offset))"
            repeat: daily
            from: \(today)
            until: \(today)
            max_length: \(length)s
            segments: [ { file: nhac-hieu.ogg } ]

        """
    }
    return yaml + extra
  }

  /// Saves the schedule as an editor does: a new file renamed over the old.
  func save(_ yaml: String) throws {
    try yaml.write(toFile: schedule, atomically: true, encoding: .utf8)
  }

  /// Starts `loa run` on this station, behind `wrapper` when given (a
  /// command that runs the rest of its arguments).
  func start(
    _ arguments: [String] = [], environment: [String: String] = [:], wrapper: [String] = []
  ) throws -> Daemon {
    try Daemon(
      wrapper + [loaBinary, "run", "--schedule", schedule, "--state", state] + arguments,
      environment: ["PULSE_SERVER": pulse.address].merging(environment) { $1 },
      errors: folder.path("daemon-\(UUID().uuidString).err"))
  }

  /// The airing log as `loa log --format json` gives it, oldest first.
  func log() throws -> [[String: Any]] {
    let run = try loa("log", "--state", state, "--format", "json")
    #expect(run.status == 0, "\(run.errors)")
    return try json(run.output) as? [[String: Any]] ?? []
  }

  /// Checks what the listener heard: each program at `offsets` (seconds
  /// after `zero`, each `length` seconds long) is first heard on time, and
  /// nothing at all is heard in the quiet before it.
  func expectHeardOnTime(
    _ offsets: [Double], length: Double, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let heard = ear.finish()
    var quietFrom = listeningSince + 0.2
    for offset in offsets {
      let instant = zero + offset
      let early = instant - MonitorRecording.earlyAllowance
      #expect(
        heard.isSilent(from: quietFrom, to: early),
        "heard before the program at +\(offset) s: \(heard.sounds(from: quietFrom, to: early))",
        sourceLocation: sourceLocation)
      quietFrom = instant + length + 0.5
      let onset = heard.sounds(from: early, to: instant + 1).first
      // The jingle's first sound is 10 ms into it; generous for a shared machine.
      let late = onset.map { $0.start.timeIntervalSince(instant) } ?? .infinity
      #expect(
        late < 0.15, "program at +\(offset) s heard \(late) s late", sourceLocation: sourceLocation)
    }
  }

  func sleep(untilSecond seconds: Double) {
    Thread.sleep(until: zero + seconds)
  }

  /// A running `loa run` process.
  final class Daemon {
    let pid: pid_t
    let errorsPath: String
    private var exitStatus: Int32?

    init(_ arguments: [String], environment: [String: String], errors: String) throws {
      var env = ProcessInfo.processInfo.environment
      env.removeValue(forKey: "LOA_SCHEDULE")
      env.removeValue(forKey: "LOA_STATE_DIR")
      env.merge(environment) { $1 }
      errorsPath = errors
      pid = try spawn(arguments, environment: env, output: errors)
    }

    deinit {
      if exitStatus == nil {
        kill(pid, SIGKILL)
        wait()
      }
    }

    /// What it wrote so far.
    var said: String {
      (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
    }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits until it has said `text` (its loop is running once it says
    /// "playing to").
    func waitFor(_ text: String, timeout: Double = 30) throws {
      let deadline = Date() + timeout
      while !said.contains(text) {
        guard Date() < deadline else { throw DaemonTimeout(said: said) }
        usleep(20_000)
      }
    }

    /// Waits for it to exit (killing it after `timeout` seconds); its exit
    /// status, or 128 + the signal that ended it.
    @discardableResult
    func wait(timeout: Double = 60) -> Int32 {
      if let exitStatus { return exitStatus }
      let deadline = Date() + timeout
      var status: Int32 = 0
      while waitpid(pid, &status, WNOHANG) == 0 {
        if Date() > deadline {
          kill(pid, SIGKILL)
          waitpid(pid, &status, 0)
          break
        }
        usleep(20_000)
      }
      let result = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + status & 0x7f
      exitStatus = result
      return result
    }
  }
}

struct DaemonTimeout: Error {
  let said: String
}

extension [String: Any] {
  var status: String? { self["status"] as? String }
  var program: String? { self["program"] as? String }
  var lateMilliseconds: Int? { self["late_ms"] as? Int }
  var reason: String? { self["reason"] as? String }
  var playedSeconds: Double? { self["duration_s"] as? Double }
}

@Suite("loa run in real time, through a PulseAudio null sink", .serialized)
struct DaemonTests {
  @Test("programs a few seconds apart play on time, and SIGTERM exits 0")
  func onTime() throws {
    let station = try RealTimeStation()
    try station.save(station.yaml([0, 4, 8]))
    let daemon = try station.start(["--stop-after", "3"])
    #expect(daemon.wait() == 0, "\(daemon.said)")
    let log = try station.log()
    #expect(log.map(\.program) == ["p1", "p2", "p3"], "\(daemon.said)")
    station.expectHeardOnTime([0, 4, 8], length: 2)
    for airing in log {
      #expect(airing.status == "completed")
      // loa's own reckoning of the first frame, beside what was heard.
      #expect(abs(airing.lateMilliseconds ?? 1000) <= 100, "\(airing)")
    }
    #expect(daemon.said.contains("on air: p1"))

    // SIGTERM while idle ends it cleanly.
    let idle = try station.start()
    try idle.waitFor("playing to")
    idle.signal(SIGTERM)
    #expect(idle.wait() == 0, "\(idle.said)")
    #expect(idle.said.contains("stopped: loa was stopped (SIGTERM)"))
  }

  @Test("loa play --at through a sound server: nothing is heard before the time, the file from it")
  func playAtIsHeardOnTime() throws {
    let folder = try TemporaryFolder()
    let pulse = try PulseServer(exporting: false)
    let tone = folder.path("tone.wav")
    try writeToneWAV(to: tone, seconds: 0.5)
    let ear = try MonitorRecorder(server: pulse)
    let listening = Date()
    var now = time(nil) + 3
    var parts = tm()
    localtime_r(&now, &parts)
    let instant = Date(timeIntervalSince1970: Double(now) + 0.5)
    let at = String(format: "%02d:%02d:%02d.500", parts.tm_hour, parts.tm_min, parts.tm_sec)
    let run = try loa(
      ["play", "--output", "pulse", "--at", at, tone], environment: ["PULSE_SERVER": pulse.address])
    #expect(run.status == 0, "\(run.errors)")
    let heard = ear.finish()
    #expect(
      heard.isSilent(from: listening, to: instant - MonitorRecording.earlyAllowance),
      "heard early: \(heard.sounds(from: listening, to: instant))")
    let onset = try #require(
      heard.sounds(from: instant - MonitorRecording.earlyAllowance, to: instant + 1).first)
    #expect(
      onset.start.timeIntervalSince(instant) < 0.1, "\(onset.start.timeIntervalSince(instant)) s")
  }

  @Test("SIGKILL mid-airing: the restarted daemon logs it interrupted and plays the next on time")
  func killedMidAiring() throws {
    let station = try RealTimeStation()
    try station.save(station.yaml([0, 8], length: 6))
    let first = try station.start()
    station.sleep(untilSecond: 2)
    first.signal(SIGKILL)
    first.wait()
    let second = try station.start(["--stop-after", "1"])
    #expect(second.wait() == 0, "\(second.said)")

    let log = try station.log()
    #expect(log.map(\.program) == ["p1", "p2"])
    #expect(log.first?.status == "interrupted")
    #expect(log.first?.reason?.contains("loa stopped while playing") == true)
    // When it started and how long it was heard, from the beats on air
    // (every second): killed 2 s in.
    #expect(abs(log.first?.lateMilliseconds ?? 1000) <= 100, "\(log)")
    let heard = log.first?.playedSeconds ?? 0
    #expect(heard >= 0.9 && heard <= 2.2, "\(log)")
    // The outage begins at the last sign of life (a second or less before
    // the kill), not a minute before; the restart takes a moment.
    let off = second.said.split(separator: "\n").first { $0.contains("off the air") }
    let seconds = off.flatMap { Int($0.split(separator: " ").last?.dropLast() ?? "") }
    #expect((1...4).contains(seconds ?? 0), "\(second.said)")
    #expect(log.last?.status == "completed")
    #expect(abs(log.last?.lateMilliseconds ?? 1000) <= 100, "\(log)")
    station.expectHeardOnTime([0, 8], length: 6)
  }

  @Test(
    "SIGKILL at random moments around starts, restarted each time: every program heard is logged as heard, none twice, none lost"
  )
  func killedAroundStarts() throws {
    let folder = try TemporaryFolder()
    let tally = try FaultRounds(.kill, loa: loaBinary, rounds: 4, in: folder.path("station"))
      .run()
    #expect(tally.planned == 4)
    #expect(tally.heard == tally.loggedCorrectly, "\(tally.wrong); killed at \(tally.strikes)")
    #expect(
      tally.airedTwice == 0 && tally.lost == 0, "\(tally.wrong); killed at \(tally.strikes)")
  }

  @Test(
    "SIGKILL in the seconds before a start: restarted within catch-up, the program airs late, once"
  )
  func killedBeforeTheStart() throws {
    let station = try RealTimeStation()
    try station.save(station.yaml([2], length: 2, catchUp: "10m"))
    let first = try station.start()
    // Armed 2 s ahead: its row is begun, nothing of it has gone out.
    try first.waitFor("playing to")
    station.sleep(untilSecond: 1)
    first.signal(SIGKILL)
    first.wait()
    station.sleep(untilSecond: 6)
    let second = try station.start(["--stop-after", "1"])
    #expect(second.wait() == 0, "\(second.said)")
    #expect(!second.said.contains("missed"), "\(second.said)")

    let log = try station.log()
    #expect(log.map(\.program) == ["p1"], "\(log)")
    #expect(log.first?.status == "completed", "\(log)\n\(first.said)\n\(second.said)")
    // Started once the daemon was back, about 4 s after its time.
    let late = log.first?.lateMilliseconds ?? 0
    #expect(late >= 3_900 && late <= 6_000, "\(log)")
    let heard = station.ear.finish()
    #expect(
      heard.isSilent(from: station.listeningSince + 0.2, to: station.zero + 5.9),
      "heard before the restart: \(heard.sounds(from: station.listeningSince, to: station.zero + 6))"
    )
    #expect(heard.sounds(from: station.zero + 5.9, to: station.zero + 9).count == 1)
  }

  @Test("the sound server killed: back within catch-up the airing completes; away longer it fails")
  func soundServerStops() throws {
    let station = try RealTimeStation()
    try station.save(station.yaml([0, 9, 17], length: 4, catchUp: "3s"))
    let daemon = try station.start(["--stop-after", "3"])
    // p1: the server dies 1.5 s in and is back a second later.
    station.sleep(untilSecond: 1.5)
    station.pulse.stop()
    station.sleep(untilSecond: 2.5)
    try station.pulse.start()
    // p2: the server dies 1 s in and stays away past catch-up (3 s).
    station.sleep(untilSecond: 10)
    station.pulse.stop()
    station.sleep(untilSecond: 15)
    try station.pulse.start()
    #expect(daemon.wait() == 0, "\(daemon.said)")

    let log = try station.log()
    #expect(log.map(\.status) == ["completed", "failed", "completed"], "\(daemon.said)")
    #expect(log[1].reason?.contains("'pulse'") == true, "\(log[1])")
    #expect(daemon.said.contains("device error"))
    #expect(daemon.said.contains("the device is back"))
  }

  @Test("a schedule saved invalid is refused and the old one plays on; a valid one is taken")
  func invalidScheduleSaved() throws {
    let station = try RealTimeStation(lead: 6)
    try station.save(station.yaml([0, 4]))
    let daemon = try station.start(["--stop-after", "3"])
    try daemon.waitFor("playing to")
    try station.save(station.yaml([0, 4]) + "bogus: true\n")
    station.sleep(untilSecond: 5)
    try station.save(station.yaml([0, 4, 9]))
    #expect(daemon.wait() == 0, "\(daemon.said)")

    #expect(daemon.said.contains("the new schedule is refused (1 error)"))
    #expect(daemon.said.contains("station.yaml:"))
    #expect(daemon.said.contains("error: unknown key 'bogus'"))
    #expect(daemon.said.contains("reloaded:"))
    let log = try station.log()
    #expect(log.map(\.program) == ["p1", "p2", "p3"], "\(daemon.said)")
    #expect(log.allSatisfy { $0.status == "completed" })
    station.expectHeardOnTime([0, 4, 9], length: 2)
  }

  @Test("the clock stepped back and forward (faketime): every airing once, none dropped")
  func clockSteps() throws {
    let faketime = "/usr/bin/faketime"
    #expect(
      FileManager.default.isExecutableFile(atPath: faketime),
      "install Debian's faketime (scripts/install-deps.sh does)")
    let station = try RealTimeStation()
    try station.save(station.yaml([0, 7, 13]))
    let offset = station.folder.path("faketime")
    try "+0".write(toFile: offset, atomically: true, encoding: .utf8)
    // faketime's own wrapper sets up libfaketime (preloading it by hand
    // loses a Swift program its arguments); `env -u FAKETIME` leaves the
    // offset to the file, which libfaketime reads at every call, so that
    // writing it steps the daemon's wall clock. Its never-stepped clock
    // stays true (DONT_FAKE_MONOTONIC).
    let daemon = try station.start(
      ["--stop-after", "3"],
      environment: [
        "FAKETIME_TIMESTAMP_FILE": offset, "FAKETIME_NO_CACHE": "1", "DONT_FAKE_MONOTONIC": "1",
      ],
      wrapper: [faketime, "-f", "+0", "/usr/bin/env", "-u", "FAKETIME"])
    // After p1: back 5 s, so that p1's time comes round again.
    station.sleep(untilSecond: 3)
    try "-5".write(toFile: offset, atomically: true, encoding: .utf8)
    // After p2 (due at real second 12): forward 8 s, past p3's start; it
    // is within catch-up and starts late.
    station.sleep(untilSecond: 15)
    try "+3".write(toFile: offset, atomically: true, encoding: .utf8)
    #expect(daemon.wait() == 0, "\(daemon.said)")

    #expect(daemon.said.contains("the clock was set back by 5s"), "\(daemon.said)")
    #expect(daemon.said.contains("the clock was set forward by 8s"), "\(daemon.said)")
    let log = try station.log()
    #expect(log.map(\.program) == ["p1", "p2", "p3"], "\(daemon.said)")
    #expect(log.allSatisfy { $0.status == "completed" }, "\(log)")
  }
}
