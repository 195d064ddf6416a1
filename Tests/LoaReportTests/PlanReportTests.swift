import Foundation
import LoaCalendar
import LoaLog
import LoaPlanner
import LoaSchedule
import Testing

@testable import LoaReport

/// Every file lasts 16 s.
struct SixteenSeconds: AudioProbe {
  func duration(ofFileAt path: String, for station: Station) throws -> Duration { .seconds(16) }
}

/// A station folder with a small plan, and its log in a state folder.
final class ReportStation {
  let root = FileManager.default.temporaryDirectory.appendingPathComponent(
    "loa-report-\(UUID().uuidString)")
  var state: String { root.appendingPathComponent("state").path }

  init() throws {
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("audio"), withIntermediateDirectories: true)
    for name in ["a.ogg", "b.ogg", "c.ogg", "tin.ogg"] {
      _ = FileManager.default.createFile(
        atPath: root.appendingPathComponent("audio/\(name)").path, contents: Data())
    }
    try """
    station:
      name: Đài truyền thanh xã Thử
      audio_dir: audio
    plan:
      id: KH-1
      title: Kế hoạch thử, "năm 2025"
      report_to: UBND xã
      items:
        - id: I.1
          title: Tuyên truyền, "an toàn", mùa lễ
        - id: I.2
          title: Bầu cử
    programs:
      - id: sang
        title: Chương trình buổi sáng
        start: "05:30"
        segments: [ { campaigns: 2 } ]
      - id: trua
        title: Bản tin buổi trưa
        start: "11:00"
        segments: [ { file: tin.ogg } ]
    campaigns:
      - id: a
        title: Chiến dịch "An toàn giao thông", mùa lễ
        plan_item: I.1
        files: [a.ogg]
        from: 2025-10-01
        until: 2025-10-10
      - id: b
        title: Bầu cử đại biểu
        plan_item: I.2
        files: [b.ogg]
        from: 2025-09-28
        until: 2025-10-02
      - id: c
        title: =1+1 Cảnh báo
        plan_item: I.2
        files: [c.ogg]
        from: 2025-12-01
        until: 2025-12-02
    """.write(to: root.appendingPathComponent("schedule.yaml"), atomically: true, encoding: .utf8)
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  func planner() throws -> Planner {
    try Planner(
      loaded: ScheduleLoader(probe: SixteenSeconds()).load(
        path: root.appendingPathComponent("schedule.yaml").path))
  }
}

private func day(_ text: String) -> CivilDate { CivilDate(iso: text)! }

/// A planned airing's row, each item a 16 s campaign spot.
private func logEntry(_ airing: PlannedAiring) -> AiringEntry {
  AiringEntry(
    kind: .program, program: airing.id, title: airing.title, plannedStart: airing.start,
    device: "null",
    items: airing.items.map {
      ItemEntry(
        kind: .campaign, file: $0.file, campaign: $0.campaign, planItem: $0.planItem,
        plannedSeconds: 16)
    })
}

/// Logs `airing` as played: each item's status and seconds, then its own.
private func logPlayed(
  _ airing: PlannedAiring, _ items: [(AiringStatus, Double)], _ status: AiringStatus,
  in log: AiringLog
) throws {
  let id = try log.begin(logEntry(airing))
  for (position, (itemStatus, seconds)) in items.enumerated() {
    try log.itemEnded(
      airing: id, position: position,
      Outcome(
        status: itemStatus, startedAt: airing.start, endedAt: airing.start + seconds,
        frames: Int(seconds * 48_000), playedSeconds: seconds,
        reason: itemStatus == .completed ? nil : "emergency"))
  }
  let played = items.map(\.1).reduce(0, +)
  try log.finish(
    airing: id,
    Outcome(
      status: status, startedAt: airing.start, endedAt: airing.start + played,
      frames: Int(played * 48_000), playedSeconds: played,
      reason: status == .completed ? nil : "emergency"), lateMilliseconds: 1, xruns: 0)
}

@Suite("The plan report")
struct PlanReportTests {
  /// Mornings: 01/10 both spots aired; 02/10 interrupted, a cut after 8 s,
  /// b never began; 03/10 missed; 04/10 a aired; 05/10 not logged (an
  /// outage). Noons: 01/10 skipped, 02/10 failed, the rest not logged.
  /// 30/09 is outside the range; a manual airing does not count.
  func loggedStation() throws -> (ReportStation, PlanReport) {
    let station = try ReportStation()
    let planner = try station.planner()
    let all = planner.plan(from: day("2025-09-30"), through: day("2025-10-05"))
    let airings = all.filter { $0.id == "sang" }
    let noons = all.filter { $0.id == "trua" }
    #expect(airings.count == 6 && noons.count == 6)
    do {
      let log = try AiringLog.openForWriting(folder: station.state)
      func play(_ airing: PlannedAiring, _ items: [(AiringStatus, Double)], _ status: AiringStatus)
        throws
      { try logPlayed(airing, items, status, in: log) }
      func entry(_ airing: PlannedAiring) -> AiringEntry { logEntry(airing) }
      // 30/09: b only (a starts on 01/10).
      try play(airings[0], [(.completed, 16)], .completed)
      try play(airings[1], [(.completed, 16), (.completed, 16)], .completed)
      try play(airings[2], [(.interrupted, 8), (.interrupted, 0)], .interrupted)
      try log.record(entry(airings[3]), status: .missed, reason: "station off")
      try play(airings[4], [(.completed, 16)], .completed)
      // Noon on 01/10 gave way to another airing; on 02/10 the device failed at once.
      try log.record(entry(noons[1]), status: .skipped, reason: "conflict with an announcement")
      try play(noons[2], [(.failed, 0)], .failed)
      _ = try log.begin(
        AiringEntry(
          kind: .manual, program: nil, title: "loa play: a.ogg", plannedStart: nil, device: "null",
          items: [ItemEntry(kind: .file, file: "a.ogg", campaign: "a", plannedSeconds: 16)]))
      // The daemon beats last on 04/10 at 06:00…
      try log.heartbeat(at: airings[4].start + 1_800)
    }
    // …and is back on 05/10 at 09:00.
    _ = try AiringLog.openForWriting(folder: station.state, now: airings[5].start + 12_600)
    let report = try PlanReport(
      planner: planner, log: try AiringLog.openForReading(folder: station.state),
      from: day("2025-10-01"), to: day("2025-10-05"))
    return (station, report)
  }

  @Test("spots planned, aired, partly aired and missed, minutes and days, per campaign and program")
  func figures() throws {
    let (station, report) = try loggedStation()
    let campaigns = report.items.flatMap(\.campaigns)
    let a = try #require(campaigns.first { $0.campaign == "a" })
    let b = try #require(campaigns.first { $0.campaign == "b" })
    let c = try #require(campaigns.first { $0.campaign == "c" })
    #expect([a.planned, a.aired, a.partial, a.missed, a.days] as [Int] == [5, 2, 1, 2, 3])
    #expect(abs(a.minutes - 40.0 / 60) < 1e-9)
    // b runs from 28/09: only its 01/10 and 02/10 spots are in the range.
    #expect([b.planned, b.aired, b.partial, b.missed, b.days] as [Int] == [2, 1, 0, 1, 1])
    #expect(abs(b.minutes - 16.0 / 60) < 1e-9)
    #expect([c.planned, c.aired, c.missed] as [Int] == [0, 0, 0])
    #expect(report.items.map(\.planItem) == ["I.1", "I.2"])
    let sang = try #require(report.programs.first { $0.program == "sang" })
    #expect([sang.planned, sang.aired, sang.partial, sang.missed] as [Int] == [5, 2, 1, 2])
    let noon = try #require(report.programs.first { $0.program == "trua" })
    #expect([noon.planned, noon.aired, noon.partial, noon.missed] as [Int] == [5, 0, 0, 5])
    #expect(report.weekly.weeks == [day("2025-09-29")])
    #expect(report.weekly.counts == ["I.1": [3], "I.2": [1]])
    let outage = try #require(report.outages.first)
    #expect(report.outages.count == 1)
    #expect(report.clock.iso(outage.from) == "2025-10-04T06:00:00+07:00")
    #expect(report.clock.iso(outage.to) == "2025-10-05T09:00:00+07:00")
    withExtendedLifetime(station) {}
  }

  @Test(
    "aired and partly aired go by the seconds played: a row logged completed that played nothing or a part counts as such"
  )
  func heardBySeconds() throws {
    let station = try ReportStation()
    let planner = try station.planner()
    let airings = planner.plan(from: day("2025-10-01"), through: day("2025-10-05")).filter {
      $0.id == "sang"
    }
    do {
      let log = try AiringLog.openForWriting(folder: station.state)
      // 01/10: an older loa's `completed` for a folder it could not read.
      try logPlayed(airings[0], [(.failed, 0), (.failed, 0)], .completed, in: log)
      // 02/10: an older loa's `completed` for files cut at 5 s of 16.
      try logPlayed(airings[1], [(.completed, 5), (.completed, 5)], .completed, in: log)
      // 03/10: this loa's `partial`.
      try logPlayed(airings[2], [(.partial, 8)], .partial, in: log)
      try logPlayed(airings[3], [(.completed, 16)], .completed, in: log)
    }
    let report = try PlanReport(
      planner: planner, log: try AiringLog.openForReading(folder: station.state),
      from: day("2025-10-01"), to: day("2025-10-05"))
    let sang = try #require(report.programs.first { $0.program == "sang" })
    #expect([sang.planned, sang.aired, sang.partial, sang.missed] as [Int] == [5, 1, 2, 2])
    let a = try #require(report.items.flatMap(\.campaigns).first { $0.campaign == "a" })
    #expect([a.aired, a.partial] as [Int] == [1, 2])
    #expect(abs(a.minutes - 29.0 / 60) < 1e-9)
    withExtendedLifetime(station) {}
  }

  @Test(
    "md and html are in Vietnamese with dd/mm/yyyy; csv has a BOM, RFC 4180 quotes and no formulas")
  func renderings() throws {
    let (station, report) = try loggedStation()
    let markdown = report.markdown()
    #expect(markdown.contains("# Báo cáo kết quả phát thanh: Kế hoạch thử, \"năm 2025\""))
    #expect(markdown.contains("**Thời gian:** Từ ngày 01/10/2025 đến ngày 05/10/2025"))
    #expect(
      markdown.contains(
        "| I.1 | Tuyên truyền, \"an toàn\", mùa lễ | Chiến dịch \"An toàn giao thông\", mùa lễ | 5 | 2 | 1 | 2 | 0.7 | 3 |"
      ))
    #expect(markdown.contains("<svg"))
    #expect(
      markdown.contains(
        "- 04/10/2025 06:00 – 05/10/2025 09:00: đài không phát "
          + "(phần mềm loa không chạy, mất tín hiệu hoạt động)\n"))
    let html = report.html()
    #expect(html.contains("<meta charset=\"utf-8\">") && html.contains("@page { size: A4;"))
    #expect(html.contains("<td>Chiến dịch &quot;An toàn giao thông&quot;, mùa lễ</td>"))
    let csv = report.csv()
    #expect(csv.hasPrefix("\u{FEFF}plan_item,plan_item_title,campaign,campaign_title,planned"))
    #expect(
      csv.contains(
        "I.1,\"Tuyên truyền, \"\"an toàn\"\", mùa lễ\",a,\"Chiến dịch \"\"An toàn giao thông\"\", mùa lễ\",5,2,1,2,0.7,3\r\n"
      ))
    #expect(csv.contains("I.2,Bầu cử,c,'=1+1 Cảnh báo,0,0,0,0,0.0,0\r\n"))
    withExtendedLifetime(station) {}
  }
}
