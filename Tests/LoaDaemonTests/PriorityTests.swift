import Foundation
import LoaDaemon
import LoaLog
import LoaSchedule
import LoaTesting
import Testing

/// A day of programs made of 30-second files (a30, b30, c30) and a
/// 10-second announcement file (e10), on 1 January 2030.
func stationYAML(
  programs: [(id: String, start: String)], extra: String = "", catchUp: String = "30s"
)
  -> String
{
  var yaml = """
    station:
      name: Đài truyền thanh thử
      audio_dir: audio
      catch_up: \(catchUp)
      amplifier:
        on: [/bin/true]
        off: [/bin/true]
        warmup: 5s
        cooldown: 60s
    programs:

    """
  for (id, start) in programs {
    yaml += """
        - id: \(id)
          title: Chương trình \(id.uppercased())
          start: "\(start)"
          repeat: daily
          from: 2030-01-01
          until: 2030-01-01
          segments: [ { file: a30.wav }, { file: b30.wav }, { file: c30.wav } ]

      """
  }
  return yaml + extra
}

let audioFiles = ["a30.wav", "b30.wav", "c30.wav", "e10.wav"]

@Suite("Priorities, the amplifier, clock steps and reloads, on a simulated clock")
struct PriorityTests {
  @Test("priority enters at the next item, emergency interrupts, normal waits or is missed")
  func priorities() throws {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path,
      yaml: stationYAML(
        programs: [("p", "10:00"), ("q", "10:01:20"), ("r", "10:01:50"), ("s", "10:02:30")],
        extra: """
          announcements:
            - { id: a, title: Thông báo A, at: 2030-01-01 10:00:40, file: e10.wav, priority: priority }
            - { id: e, title: Báo động E, at: 2030-01-01 10:02:00, file: e10.wav, priority: emergency }

          """),
      audio: audioFiles)
    let station = try SimulatedStation(
      schedule: path, start: at("2030-01-01 09:59:00"), probe: NamedDurationProbe())
    try station.run(until: at("2030-01-01 10:10:00"))
    let logged = try station.airings()
    func row(_ id: String) throws -> LoggedAiring {
      try #require(logged.first { $0.program == id })
    }

    // p: a, b, then the announcement a (inserted), then c.
    let p = try row("p")
    #expect(p.status == .completed && p.lateMilliseconds == 0)
    #expect(p.endedAt == at("2030-01-01 10:01:40"))
    #expect(p.items.map(\.status) == [.completed, .completed, .completed])
    #expect(p.items[2].startedAt == at("2030-01-01 10:01:10"))
    let a = try row("a")
    #expect(a.kind == .announcement && a.status == .completed)
    #expect(a.startedAt == at("2030-01-01 10:01:00") && a.lateMilliseconds == 20_000)

    // q waited for p, then the emergency interrupted it.
    let q = try row("q")
    #expect(q.status == .interrupted && q.lateMilliseconds == 20_000)
    #expect(q.reason == "interrupted for the emergency announcement «Báo động E»")
    let e = try row("e")
    #expect(e.kind == .emergency && e.status == .completed)
    #expect(abs((e.lateMilliseconds ?? 0) - 150) <= 1)

    // r waited behind q and e and still started within catch-up; s could not.
    let r = try row("r")
    #expect(r.status == .completed)
    #expect(abs((r.lateMilliseconds ?? 0) - 20_150) <= 1)
    let s = try row("s")
    #expect(s.status == .missed)
    #expect(s.reason?.contains("«Chương trình R» (r) was still on air") == true)

    // Back-to-back airings keep the amplifier on: on 5 s before p, off a
    // minute after r.
    let switches = station.amplifier.switches.withLock { $0 }
    #expect(switches.map(\.on) == [true, false])
    #expect(switches.first?.at == at("2030-01-01 09:59:55"))
    #expect(
      switches.last.map { abs($0.at.timeIntervalSince(at("2030-01-01 10:04:40") + 0.15)) < 0.002 }
        == true)
  }

  @Test(
    "an emergency puts off a priority announcement waiting for its turn, and a program due after it"
  )
  func emergencyPostpones() throws {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path,
      yaml: stationYAML(
        programs: [("p", "10:00"), ("q", "11:00")],
        extra: """
          announcements:
            - { id: a, title: Thông báo A, at: 2030-01-01 10:00:10, file: e10.wav, priority: priority }
            - { id: e, title: Báo động E, at: 2030-01-01 10:00:20, file: e10.wav, priority: emergency }
            - { id: f, title: Báo động F, at: 2030-01-01 10:59:59, file: e10.wav, priority: emergency }

          """),
      audio: audioFiles)
    let station = try SimulatedStation(
      schedule: path, start: at("2030-01-01 09:59:00"), probe: NamedDurationProbe())
    try station.run(until: at("2030-01-01 11:10:00"))
    let logged = try station.airings()
    #expect(logged.map(\.program) == ["p", "a", "e", "f", "q"], station.transcript)
    func row(_ id: String) throws -> LoggedAiring {
      try #require(logged.first { $0.program == id })
    }
    // a entered p and waited for its boundary at 10:00:30; e came first.
    #expect(try row("p").status == .interrupted)
    let a = try row("a")
    #expect(a.status == .completed)
    #expect(
      a.startedAt.map { abs($0.timeIntervalSince(at("2030-01-01 10:00:30")) - 0.15) < 0.002 }
        == true)
    // f, due a second before q, is armed first; q waits for it.
    let q = try row("q")
    #expect(q.status == .completed && q.lateMilliseconds == 9_000)
  }

  @Test("an emergency arriving while a program is armed puts the program off, under its row")
  func emergencyWhileArmed() throws {
    let station = try namedStation(
      stationYAML(programs: [("q", "11:00")]), start: "2030-01-01 10:59:00")
    let daemon = try station.makeDaemon()
    let (clock, mailbox, path) = (station.clock, daemon.mailbox, station.schedulePath)
    // Saved 0.5 s after q was armed (2 s ahead), due already.
    clock.schedule(at: at("2030-01-01 10:59:58") + 0.5) {
      try?
        (stationYAML(programs: [("q", "11:00")])
        + "announcements:\n  - { id: e, title: Báo động E, at: 2030-01-01 10:59:58, file: e10.wav, "
        + "priority: emergency }\n")
        .write(toFile: path, atomically: true, encoding: .utf8)
      mailbox.post(.reload("test"))
    }
    daemon.run(until: at("2030-01-01 11:10:00"))
    let logged = try station.airings()
    #expect(logged.map(\.program) == ["e", "q"], station.transcript)
    #expect(logged.allSatisfy { $0.status == .completed })
    #expect(abs((logged.last?.lateMilliseconds ?? 0) - 8_950) <= 1, station.transcript)
    #expect(station.said("postponed: q"))
  }

  @Test("a clock set forward by days logs each day's airings missed, with the reason")
  func clockForwardByDays() throws {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path,
      yaml: stationYAML(programs: [("m", "10:00")]).replacingOccurrences(
        of: "until: 2030-01-01", with: "until: 2030-01-05"),
      audio: audioFiles)
    let station = try SimulatedStation(
      schedule: path, start: at("2030-01-01 09:59:00"), probe: NamedDurationProbe())
    let clock = station.clock
    clock.schedule(at: at("2030-01-01 10:05:00")) { clock.step(by: 3 * 86_400) }
    try station.run(until: at("2030-01-05 11:00:00"))
    let logged = try station.airings()
    #expect(logged.map(\.status) == [.completed, .missed, .missed, .missed, .completed])
    #expect(
      logged[1].reason?.hasPrefix("the clock was set forward from 2030-01-01T10:05:00") == true)
  }

  @Test("a clock set back before the daemon's start plays what falls due again and was not logged")
  func clockBackBeforeStart() throws {
    let station = try namedStation(
      stationYAML(programs: [("early", "09:58"), ("late", "10:02")]), start: "2030-01-01 10:00:00")
    let clock = station.clock
    clock.schedule(at: at("2030-01-01 10:00:10")) { clock.step(by: -300) }
    try station.run(until: at("2030-01-01 10:10:00"))
    let logged = try station.airings()
    #expect(logged.map(\.program) == ["early", "late"], station.transcript)
    #expect(logged.allSatisfy { $0.status == .completed && $0.lateMilliseconds == 0 })
  }

  @Test("the amplifier goes off after the cooldown between airings far apart")
  func amplifierBetweenAirings() throws {
    let station = try namedStation(
      stationYAML(programs: [("p", "10:00"), ("q", "11:00")]), start: "2030-01-01 09:00:00")
    try station.run(until: at("2030-01-01 12:00:00"))
    let switches = station.amplifier.switches.withLock { $0 }
    #expect(switches.map(\.on) == [true, false, true, false])
    #expect(
      switches.map(\.at) == [
        at("2030-01-01 09:59:55"), at("2030-01-01 10:02:30"), at("2030-01-01 10:59:55"),
        at("2030-01-01 11:02:30"),
      ])
  }

  @Test("a clock set back does not replay, set forward misses with the reason or starts late")
  func clockSteps() throws {
    let folder = try TemporaryFolder()
    let path = try writeStation(
      in: folder.path,
      yaml: stationYAML(
        programs: [("m0", "10:00"), ("m1", "10:10"), ("m2", "10:20"), ("m3", "10:30")],
        catchUp: "2m"),
      audio: audioFiles)
    let station = try SimulatedStation(
      schedule: path, start: at("2030-01-01 09:59:00"), probe: NamedDurationProbe())
    let clock = station.clock
    clock.schedule(at: at("2030-01-01 10:05:00")) { clock.step(by: -1800) }
    clock.schedule(at: at("2030-01-01 10:12:00")) { clock.step(by: 13 * 60) }
    clock.schedule(at: at("2030-01-01 10:29:50")) { clock.step(by: 60) }
    try station.run(until: at("2030-01-01 10:40:00"))

    let logged = try station.airings()
    #expect(logged.map(\.program) == ["m0", "m1", "m2", "m3"])
    #expect(logged.map(\.status) == [.completed, .completed, .missed, .completed])
    #expect(
      logged[2].reason
        == "the clock was set forward from 2030-01-01T10:12:00+07:00 to 2030-01-01T10:25:00+07:00")
    #expect(logged[3].lateMilliseconds == 50_000)
    #expect(station.said("the clock was set back by 30m00s"))
  }

  @Test("a reload takes a valid schedule, refuses an invalid one and keeps the old")
  func reloads() throws {
    let station = try namedStation(
      stationYAML(programs: [("x", "10:00"), ("y", "10:30")]), start: "2030-01-01 08:59:00")
    let daemon = try station.makeDaemon()
    let (clock, mailbox, path) = (station.clock, daemon.mailbox, station.schedulePath)
    clock.schedule(at: at("2030-01-01 09:00:00")) {
      try? (stationYAML(programs: [("x", "10:00")]) + "bogus: 1\n")
        .write(toFile: path, atomically: true, encoding: .utf8)
      mailbox.post(.reload("test"))
    }
    clock.schedule(at: at("2030-01-01 09:30:00")) {
      try? stationYAML(programs: [("w", "09:10"), ("x", "10:00"), ("y", "10:45"), ("z", "10:50")])
        .write(toFile: path, atomically: true, encoding: .utf8)
      mailbox.post(.reload("test"))
    }
    daemon.run(until: at("2030-01-01 11:00:00"))

    #expect(station.said("the new schedule is refused (1 error)"))
    #expect(
      station.said("station.yaml:18:1: error: unknown key 'bogus' in the schedule"),
      station.transcript)
    let logged = try station.airings()
    #expect(logged.map(\.program) == ["w", "x", "y", "z"])
    #expect(
      logged.map(\.plannedStart) == [
        at("2030-01-01 09:10:00"), at("2030-01-01 10:00:00"), at("2030-01-01 10:45:00"),
        at("2030-01-01 10:50:00"),
      ])
    // w was added at 09:30, twenty minutes after its time.
    #expect(logged[0].status == .missed)
    #expect(
      logged[0].reason
        == "added to the schedule at 2030-01-01T09:30:00+07:00, after its catch-up time")
    #expect(logged.dropFirst().allSatisfy { $0.status == .completed })
  }
}
