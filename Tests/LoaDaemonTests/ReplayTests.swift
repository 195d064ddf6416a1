import Foundation
import LoaCalendar
import LoaDaemon
import LoaLog
import LoaPlanner
import LoaSchedule
import Testing

@Suite("The daemon on a simulated clock")
struct ReplayTests {
  /// Five months of the sample station in seconds: across a month end, the
  /// year end (the New Year special replaces the morning session) and Tết
  /// (a lunar holiday with no sessions), with a crash mid-airing and a
  /// two-day outage in between.
  @Test("every planned airing of 5 months is logged once: completed, or with its reason")
  func fiveMonths() throws {
    let station = try SimulatedStation(schedule: sampleSchedule, start: at("2025-09-30 12:00:00"))
    let loaded = station.load()
    let planner = try Planner(loaded: loaded)
    let brokenFile = try #require(loaded.audio["chien-dich/giam-ngheo.ogg"]).path
    station.broken = [brokenFile]

    // Crash during the morning session of 31 October, one minute in.
    var settings = DaemonSettings()
    settings.scheduling.heartbeat = .seconds(600)
    try station.run(until: at("2025-10-31 05:31:00"), settings: settings)
    // Off until 2 November 17:05: the evening session there starts 5 minutes late.
    station.clock.step(by: at("2025-11-02 17:05:00").timeIntervalSince(station.clock.now()))
    try station.run(until: at("2026-02-21 00:00:00"), settings: settings)

    let logged = try station.airings()
    let planned = planner.plan(
      from: CivilDate(year: 2025, month: 9, day: 30)!,
      through: CivilDate(year: 2026, month: 2, day: 20)!
    ).filter { $0.start >= at("2025-09-30 12:00:00") }
    #expect(planned.count > 280)
    // Once each, and nothing that was not planned.
    let keys = logged.map { "\($0.program ?? "") \($0.plannedStart?.timeIntervalSince1970 ?? 0)" }
    #expect(Set(keys).count == keys.count)
    let plannedKeys = Set(planned.map { "\($0.id) \($0.start.timeIntervalSince1970)" })
    #expect(plannedKeys.subtracting(keys).sorted() == [], "planned, never logged")
    #expect(Set(keys).subtracting(plannedKeys).sorted() == [], "logged, never planned")
    for airing in logged {
      #expect(airing.status != .playing)
      if airing.status != .completed { #expect(airing.reason?.isEmpty == false) }
    }

    func row(_ program: String, _ start: String) -> LoggedAiring? {
      logged.first { $0.program == program && $0.plannedStart == at(start) }
    }
    let crashed = try #require(row("sang", "2025-10-31 05:30:00"))
    #expect(crashed.status == .interrupted)
    #expect(crashed.reason?.contains("loa stopped while playing") == true)
    for (program, start) in [
      ("chieu", "2025-10-31 17:00:00"), ("sang", "2025-11-01 05:30:00"),
      ("chieu", "2025-11-01 17:00:00"), ("sang", "2025-11-02 05:30:00"),
    ] {
      let missed = try #require(row(program, start))
      #expect(missed.status == .missed)
      #expect(missed.reason?.contains("loa was not running from 2025-10-31T05:3") == true)
    }
    let late = try #require(row("chieu", "2025-11-02 17:00:00"))
    // Whole, unless it carried the file that cannot be decoded (below).
    let carriedBroken = late.items.contains { $0.file == "chien-dich/giam-ngheo.ogg" }
    #expect(late.status == (carriedBroken ? .partial : .completed))
    #expect(late.lateMilliseconds == 300_000)
    let outages = try AiringLog.openForReading(folder: station.state.path).outages()
    #expect(outages.count == 1)

    // The calendar: New Year's special instead of the morning session, and
    // no sessions on the first day of Tết (17 February 2026, lunar 1/1).
    #expect(row("chao-nam-moi", "2026-01-01 06:00:00")?.status == .completed)
    #expect(row("sang", "2026-01-01 05:30:00") == nil)
    #expect(
      logged.filter {
        $0.plannedStart.map(planner.clock.day) == CivilDate(year: 2026, month: 2, day: 17)
      }.isEmpty)
    #expect(row("sang", "2026-02-18 05:30:00")?.status == .completed)

    // A file that cannot be decoded is skipped; its program goes on, and
    // is logged partial: not all of it was heard.
    let withBroken = logged.filter {
      $0.status == .partial && $0.items.contains { $0.file == "chien-dich/giam-ngheo.ogg" }
    }
    #expect(withBroken.count >= 10)
    for airing in withBroken {
      let item = try #require(airing.items.first { $0.file == "chien-dich/giam-ngheo.ogg" })
      #expect(item.status == .failed)
      #expect(airing.items.last?.status == .completed)
      #expect(airing.reason?.hasPrefix("played ") == true)
      #expect(airing.reason?.hasSuffix(item.reason ?? "-") == true)
    }
  }
}
