import Foundation
import LoaAudio
import LoaControl
import LoaLog
import LoaPlayout
import LoaSchedule
import LoaTesting
import Synchronization
import Testing

@testable import LoaDaemon

/// The scheduler's decisions alone: a state (reached by a script of
/// events), one more event, and the actions it calls for. No threads, no
/// log, no player: the actions are compared as short words.
@Suite("The scheduler's decisions, event by event")
struct SchedulerTests {
  struct Case: Sendable, CustomTestStringConvertible {
    let name: String
    /// Events before, each at its station time (`YYYY-MM-DD HH:MM:SS`).
    let given: [(String, Scheduler.Event)]
    /// The event whose actions are checked.
    let when: (String, Scheduler.Event)
    let then: [String]
    var testDescription: String { name }
  }

  static let day = "2030-01-01 "
  /// loa not running from 09:59:50.
  static let outage = Outage(
    from: at(day + "09:59:50"), to: at(day + "09:59:50"), reason: "loa was not running")
  static let started: [(String, Scheduler.Event)] = [
    (day + "09:00:00", .start(lastOutage: nil)), (day + "09:00:00", .tick),
    (day + "09:00:00", .logRead([])),
  ]
  /// p (three 30 s items) armed at 09:59:58, on air at 10:00:00.
  static let onAir =
    started + [
      (day + "09:59:58", .tick),
      (day + "10:00:00", .playback(1, .started(at(day + "10:00:00")))),
    ]
  /// `loa reload` asked at 09:00:10, its load (number 1) under way.
  static let loading =
    started + [
      (day + "09:00:10", .control(7, ControlRequest(.reload))), (day + "09:00:10", .tick),
    ]
  static func report(_ status: PlayStatus, firstFrame: Bool = true) -> PlaybackReport {
    PlaybackReport(
      "test", plannedStart: at(day + "10:00:00"),
      firstFrameAt: firstFrame ? at(day + "10:00:00") : nil, items: [], frames: 0,
      underruns: 0, status: status)
  }
  /// A schedule that cannot be read.
  static let refused = ScheduleLoader(probe: nil).load(path: "/nonexistent/station.yaml")
  /// `loa announce` of a 10 s file with `priority` at `time`: its file
  /// found (`.find`), the first announcement accepted, and measured at once.
  static func announced(_ priority: Priority, at time: String) -> [(String, Scheduler.Event)] {
    let request = AnnouncementRequest(
      file: "/audio/e10.wav", title: "E", priority: ControlPriority(priority), times: 1,
      gap: .zero)
    let measured = PreparedAnnouncement(
      title: "E", path: "/audio/e10.wav", duration: .seconds(10), times: 1, gap: .zero,
      priority: priority, id: "announce-\(Int64(at(time).timeIntervalSince1970))-1")
    return [(time, .found(7, request, found)), (time, .measured(measured))]
  }

  static let request = AnnouncementRequest(
    file: "/audio/e10.wav", title: "E", priority: .priority, times: 1, gap: .zero)
  static let found = FoundAudio(
    path: "/audio/e10.wav", identity: "/audio/e10.wav|10|1", isSpooled: false)

  static let spooledCopy = FoundAudio(
    path: "/spool/0a1b.wav", identity: "/spool/0a1b.wav", isSpooled: true)

  static let cases: [Case] = [
    Case(
      name: "starting plans the days around and asks the log what it holds",
      given: [(day + "09:00:00", .start(lastOutage: nil))], when: (day + "09:00:00", .tick),
      then: ["readLog"]),
    Case(
      name: "once the log is read, the tick goes on: the heartbeat",
      given: [(day + "09:00:00", .start(lastOutage: nil)), (day + "09:00:00", .tick)],
      when: (day + "09:00:00", .logRead([])), then: ["heartbeat"]),
    Case(
      name: "nothing due: nothing done", given: started, when: (day + "09:00:30", .tick),
      then: []),
    Case(
      name: "an airing is armed `lead` ahead, the amplifier on", given: started,
      when: (day + "09:59:58", .tick), then: ["heartbeat", "start 1 p #1", "amplifier on"]),
    Case(
      name: "the amplifier warms up before an airing", given: started,
      when: (day + "09:59:55", .tick), then: ["heartbeat", "amplifier on"]),
    Case(
      name: "an airing past its catch-up time is missed", given: started,
      when: (day + "10:00:30", .tick), then: ["heartbeat", "miss p"]),
    Case(
      name: "an airing the log holds is not played again",
      given: [(day + "09:00:00", .start(lastOutage: nil)), (day + "09:00:00", .tick)],
      when: (day + "09:00:00", .logRead([AiringKey(program: "p", start: at(day + "10:00:00"))])),
      then: ["heartbeat"]),
    Case(
      name: "after an outage, nothing is missed before the log says what it holds",
      given: [], when: (day + "10:10:00", .start(lastOutage: outage)), then: []),
    Case(
      name: "after an outage, an airing in it that the log holds is not said missed",
      given: [(day + "10:10:00", .start(lastOutage: outage)), (day + "10:10:00", .tick)],
      when: (day + "10:10:00", .logRead([AiringKey(program: "p", start: at(day + "10:00:00"))])),
      then: ["heartbeat"]),
    Case(
      name: "after an outage, an airing in it past catch-up that the log lacks is missed",
      given: [(day + "10:10:00", .start(lastOutage: outage)), (day + "10:10:00", .tick)],
      when: (day + "10:10:00", .logRead([])), then: ["miss p", "heartbeat"]),
    Case(
      name: "after an outage, an airing in it within catch-up that the log lacks starts late",
      given: [(day + "10:00:20", .start(lastOutage: outage)), (day + "10:00:20", .tick)],
      when: (day + "10:00:20", .logRead([])), then: ["heartbeat", "start 1 p #1", "amplifier on"]),
    Case(
      name: "stop while an airing is only armed finds nothing on air",
      given: started + [(day + "09:59:58", .tick)],
      when: (day + "09:59:59", .control(7, ControlRequest(.stop))),
      then: ["reply 7 nothing_on_air"]),
    Case(
      name: "stop on air interrupts it for the operator", given: onAir,
      when: (day + "10:00:05", .control(7, ControlRequest(.stop))),
      then: ["interrupt 1", "reply 7 ok"]),
    Case(
      name: "an announcement's file is looked for before anything else", given: onAir,
      when: (
        day + "10:00:05",
        .control(7, ControlRequest(.announce, file: "/audio/e10.wav", priority: .emergency))
      ),
      then: ["find 7 /audio/e10.wav"]),
    Case(
      name: "a found announcement is accepted and answered at once, then measured", given: onAir,
      when: (day + "10:00:05", .found(7, request, found)),
      then: ["reply 7 ok", "measure announce-1893466805-1"]),
    Case(
      name: "a retry of it within ten minutes gets the same answer and is not measured again",
      given: onAir + [(day + "10:00:05", .found(7, request, found))],
      when: (day + "10:09:00", .found(8, request, found)), then: ["reply 8 ok"]),
    Case(
      name: "a retry leaves the spool copy that the first still needs",
      given: onAir + [(day + "10:00:05", .found(7, request, spooledCopy))],
      when: (day + "10:00:06", .found(8, request, spooledCopy)), then: ["reply 8 ok"]),
    Case(
      name: "a spool copy made again for a retry of one done with is removed",
      given: onAir + [
        (day + "10:00:05", .found(7, request, spooledCopy)),
        (day + "10:00:06", .measureFailed("announce-1893466805-1", "not audio")),
      ],
      when: (day + "10:00:07", .found(8, request, spooledCopy)),
      then: ["removeFromSpool /spool/0a1b.wav", "reply 8 ok"]),
    Case(
      name: "after ten minutes the same file is a new announcement",
      given: onAir + [(day + "10:00:05", .found(7, request, found))],
      when: (day + "10:10:06", .found(8, request, found)),
      then: ["reply 8 ok", "measure announce-1893467406-2"]),
    Case(
      name: "an announcement played too many times is refused with a code", given: onAir,
      when: (day + "10:00:05", .control(7, ControlRequest(.announce, file: "x", times: 0))),
      then: ["reply 7 invalid_argument"]),
    Case(
      name: "a measured emergency is due now, and interrupts what is on air",
      given: onAir + announced(.emergency, at: day + "10:00:05"),
      when: (day + "10:00:05", .tick), then: ["heartbeat", "interrupt 1"]),
    Case(
      name: "a measured priority announcement enters at the next item",
      given: onAir + announced(.priority, at: day + "10:00:05"),
      when: (day + "10:00:05", .tick),
      then: ["heartbeat", "insert 1 announce-1893466805-1 #2"]),
    Case(
      name: "a normal announcement waits for the airing on air",
      given: onAir + announced(.normal, at: day + "10:00:05"),
      // (The beat every second on air.)
      when: (day + "10:00:05", .tick), then: ["heartbeat"]),
    Case(
      name: "a normal announcement still waiting past the catch-up time is missed",
      given: onAir + announced(.normal, at: day + "10:00:05") + [
        (day + "10:01:30", .playback(1, .finished(report(.completed))))
      ],
      when: (day + "10:01:30", .tick), then: ["heartbeat", "miss announce-1893466805-1"]),
    Case(
      name: "an airing interrupted before its first frame is put off, under its row",
      given: onAir.dropLast() + announced(.emergency, at: day + "09:59:59") + [
        (day + "09:59:59", .tick)
      ],
      when: (
        day + "09:59:59",
        .playback(1, .finished(report(.interrupted("emergency"), firstFrame: false)))
      ),
      then: []),
    Case(
      name: "the end of an airing is logged; the amplifier cools down", given: onAir,
      when: (day + "10:01:30", .playback(1, .finished(report(.completed)))),
      then: ["finish #1 completed"]),
    Case(
      name: "a late event of an earlier playback is ignored", given: onAir,
      when: (day + "10:01:30", .playback(9, .finished(report(.completed)))), then: []),
    Case(
      name: "SIGTERM on air: systemd is told, the airing interrupted", given: onAir,
      when: (day + "10:00:05", .stop("SIGTERM")), then: ["notify stopping", "interrupt 1"]),
    Case(
      name: "no announcement is taken while stopping",
      given: onAir + [(day + "10:00:05", .stop("SIGTERM"))],
      when: (day + "10:00:06", .control(7, ControlRequest(.announce, file: "x"))),
      then: ["reply 7 stopping"]),
    Case(
      name: "a reload asked for is loaded off the loop at the next tick",
      given: started + [(day + "09:00:10", .control(7, ControlRequest(.reload)))],
      when: (day + "09:00:10", .tick), then: ["notify reloading", "load"]),
    Case(
      name: "a reload while a load runs waits for it, within the load's patience (60 s)",
      given: loading + [(day + "09:00:40", .reload("SIGHUP"))],
      when: (day + "09:00:41", .tick), then: []),
    Case(
      name: "past its patience, a reload starts another load beside the one stuck",
      given: loading + [(day + "09:01:11", .reload("SIGHUP"))],
      when: (day + "09:01:12", .tick), then: ["notify reloading", "load", "heartbeat"]),
    Case(
      name: "the stuck load's result, when it comes at last, is ignored",
      given: loading + [(day + "09:01:11", .reload("SIGHUP")), (day + "09:01:12", .tick)],
      when: (day + "09:01:20", .loaded(refused, load: 1)), then: []),
    Case(
      name: "the newer load's result answers the reload asked for before",
      given: loading + [(day + "09:01:11", .reload("SIGHUP")), (day + "09:01:12", .tick)],
      when: (day + "09:01:20", .loaded(refused, load: 2)),
      then: ["notify ready", "reply 7 schedule_refused"]),
    Case(
      name: "a refused schedule is answered with a code and its errors; the old one stays",
      given: started + [
        (day + "09:00:10", .control(7, ControlRequest(.reload))), (day + "09:00:10", .tick),
      ],
      when: (day + "09:00:11", .loaded(refused)),
      then: ["notify ready", "reply 7 schedule_refused"]),
    Case(
      name: "a clock set forward over an airing misses it with that reason, once the log is read",
      given: started + [(day + "10:05:00", .clockStepped(expected: at(day + "09:30:00")))],
      when: (day + "10:05:00", .logRead([])), then: ["miss p"]),
  ]

  /// The station of one program, p at 10:00 (its files measured by name).
  static func load() throws -> LoadedSchedule {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path, yaml: stationYAML(programs: [("p", "10:00")]), audio: audioFiles)
    return ScheduleLoader(probe: NamedDurationProbe()).load(path: path)
  }

  /// A scheduler that started at 09:00 and handled `events`.
  static func scheduler(after events: [(String, Scheduler.Event)]) throws -> Scheduler {
    var scheduler = try Scheduler(loaded: try load(), now: at(day + "09:00:00"))
    for (time, event) in events { _ = scheduler.handle(event, at: at(time)) }
    return scheduler
  }

  @Test(arguments: cases)
  func decides(_ test: Case) throws {
    var scheduler = try Self.scheduler(after: test.given)
    let actions = scheduler.handle(test.when.1, at: at(test.when.0))
    #expect(actions.compactMap(Self.words) == test.then)
  }

  @Test("the schedule's description counts one program as one, not '1 programs'")
  func describesOneProgram() throws {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path, yaml: stationYAML(programs: [("p", "10:00")]), audio: audioFiles)
    let loaded = ScheduleLoader(probe: NamedDurationProbe()).load(path: path)
    let scheduler = try Scheduler(loaded: loaded, now: at(Self.day + "09:00:00"))
    #expect(scheduler.scheduleDescription.contains(": 1 program, "))
  }

  @Test(
    "a state folder that cannot be made is told with the system's reason, not Foundation's code")
  func unmakeableStateFolder() throws {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path, yaml: stationYAML(programs: [("p", "10:00")]), audio: audioFiles)
    let loaded = ScheduleLoader(probe: NamedDurationProbe()).load(path: path)
    // A file where the state folder's parent should be.
    #expect(FileManager.default.createFile(atPath: folder.path("taken"), contents: Data()))
    let said = Mutex<[String]>([])
    let parts = StationParts(
      stateDirectory: folder.path("taken/state"), socketPath: folder.path("control.sock"),
      loaded: loaded, load: { loaded }, measurements: AudioMeasurements(file: nil),
      clock: SimulatedClock(at(Self.day + "09:00:00")), settings: DaemonSettings(),
      amplifier: nil, say: { text in said.withLock { $0.append(text) } })
    #expect(StationLifecycle.openLog(parts).0 == nil)
    #expect(
      said.withLock { $0 } == [
        "error: cannot create the state folder '\(folder.path("taken/state"))': Not a directory "
          + "(give a writable one with --state DIR or LOA_STATE_DIR); "
          + "airings will play, their rows kept in memory until the log opens"
      ])
  }

  @Test("a valid schedule is adopted and answered; the next tick plans the days again")
  func reload() throws {
    let loaded = try Self.load()
    var scheduler = try Self.scheduler(after: Self.started)
    _ = scheduler.handle(.control(7, ControlRequest(.reload)), at: at(Self.day + "09:00:10"))
    _ = scheduler.handle(.tick, at: at(Self.day + "09:00:10"))
    let swapped = scheduler.handle(.loaded(loaded), at: at(Self.day + "09:00:11"))
    #expect(swapped.compactMap(Self.words) == ["adopt", "notify ready", "reply 7 ok"])
    let next = scheduler.handle(.tick, at: at(Self.day + "09:00:12"))
    #expect(next.compactMap(Self.words) == ["readLog"])
  }

  @Test("writes waiting for the disk show in loa status and systemd's status line while they wait")
  func logTrouble() throws {
    var scheduler = try Self.scheduler(after: Self.onAir)
    let full = LogTrouble(waiting: 3, dropped: 0, reason: "database or disk is full")
    let began = scheduler.handle(.logTrouble(full), at: at(Self.day + "10:00:01"))
    #expect(began.compactMap(Self.words) == ["notify log trouble"])
    #expect(
      began.contains { if case .say(let text) = $0 { text.contains("3 writes") } else { false } })
    var status = scheduler.status(at(Self.day + "10:00:01"))
    #expect(status.logTrouble?.contains("3 writes kept in memory") == true)
    #expect(status.lastError?.contains("the airing log") == true)
    // More waiting: the status follows, the operator is not told again.
    let more = LogTrouble(waiting: 5, dropped: 0, reason: "database or disk is full")
    let grew = scheduler.handle(.logTrouble(more), at: at(Self.day + "10:00:02"))
    #expect(grew.compactMap(Self.words) == ["notify log trouble"])
    #expect(!grew.contains { if case .say = $0 { true } else { false } })
    // The airing on air, which waits to be written, is not started again.
    _ = scheduler.handle(
      .playback(1, .finished(Self.report(.completed))), at: at(Self.day + "10:01:30"))
    let next = scheduler.handle(.tick, at: at(Self.day + "10:01:31")).compactMap(Self.words)
    #expect(!next.contains { $0.hasPrefix("start") }, "\(next)")
    let ended = scheduler.handle(.logTrouble(nil), at: at(Self.day + "10:02:00"))
    #expect(ended.compactMap(Self.words) == ["notify status"])
    status = scheduler.status(at(Self.day + "10:02:00"))
    #expect(status.logTrouble == nil)
  }

  /// An action in a few words; nil for messages and memory hints.
  static func words(_ action: Scheduler.Action) -> String? {
    switch action {
    case .say, .releaseUnusedCode: nil
    case .log(.heartbeat): "heartbeat"
    case .log(.finish(let record, let outcome, _, _)): "finish \(record) \(outcome.status)"
    case .log(let write): "log \(write)"
    case .readLog: "readLog"
    case .start(let token, let airing, let record, let isLogged):
      "start \(token) \(airing.id) \(record)\(isLogged ? " logged" : "")"
    case .insert(let token, let airing, let record): "insert \(token) \(airing.id) \(record)"
    case .interrupt(let token, _): "interrupt \(token)"
    case .miss(let airing, _): "miss \(airing.id)"
    case .amplifier(let on): "amplifier \(on ? "on" : "off")"
    case .adopt: "adopt"
    case .load: "load"
    case .find(let id, let request, _): "find \(id) \(request.file)"
    case .measure(let announcement, _): "measure \(announcement.id ?? "")"
    case .removeFromSpool(let paths): "removeFromSpool \(paths.joined(separator: " "))"
    case .reply(let id, let answer):
      "reply \(id) \(answer.code?.rawValue ?? (answer.ok ? "ok" : "?"))"
    case .notify(.ready): "notify ready"
    case .notify(.reloading): "notify reloading"
    case .notify(.stopping): "notify stopping"
    case .notify(.status(let text)):
      text.hasPrefix("the airing log") ? "notify log trouble" : "notify status"
    }
  }
}
