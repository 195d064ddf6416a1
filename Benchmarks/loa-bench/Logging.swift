import Foundation
import LoaCalendar
import LoaLog
import LoaPlanner
import LoaReport
import LoaSchedule

/// PRODUCT §11: the airing log exported as CSV beside `sqlite3 -csv` on
/// the same table, and a year's plan report of a busy station.
func benchmarkLog(loa: String, planner: Planner, year: (CivilDate, CivilDate)) {
  let folder = ".build/bench-log"
  try? FileManager.default.removeItem(atPath: folder)
  let database = folder + "/airings.sqlite"
  do {
    // The schema, by loa itself; then a million airings, by SQLite itself.
    _ = try AiringLog.openForWriting(folder: folder)
  } catch {
    print("cannot create the log: \(error)")
    return
  }
  let fill = """
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
    INSERT INTO airing (kind, program, title, planned_start, started_at, ended_at, status,
                        late_ms, played_s, frames, device, xruns, reason)
    SELECT 'program', 'sang', 'Chương trình phát thanh buổi sáng, "thôn Đông"',
           1759271400 + i * 600, 1759271400 + i * 600 + 0.002, 1759271400 + i * 600 + 107.3,
           CASE WHEN i % 50 = 0 THEN 'interrupted' ELSE 'completed' END, 2, 107.3, 5150400,
           'default', 0, CASE WHEN i % 50 = 0 THEN 'emergency announcement' END
    FROM n;
    """
  guard usage(of: ["sqlite3", database, fill]) != nil else {
    print("cannot run sqlite3 to fill the log (install it: scripts/install-deps.sh --bench)")
    return
  }
  var export = [
    Contender(
      "sqlite3 -csv: SELECT * FROM airing",
      ["sqlite3", "-csv", "-header", database, "SELECT * FROM airing"]),
    Contender("loa log --format csv", [loa, "log", "--format", "csv", "--schedule", "schedules"]),
  ]
  let rounds = 5
  race(&export, rounds: rounds, environment: ["LOA_STATE_DIR": folder])
  print("the airing log, 1,000,000 airings to CSV: medians of \(rounds) runs, round-robin")
  print("what".padding(toLength: 56, withPad: " ", startingAt: 0) + "  wall s   CPU s  peak MiB")
  for contender in export {
    guard let wall = contender.medianElapsed, let cpu = contender.medianCPU,
      let peak = contender.medianPeak
    else {
      print(contender.name.padding(toLength: 56, withPad: " ", startingAt: 0) + "  cannot run")
      continue
    }
    print(
      contender.name.padding(toLength: 56, withPad: " ", startingAt: 0)
        + String(format: "%7.2f %7.2f %9.1f", wall, cpu, peak))
  }
  if let ours = export[1].medianElapsed, let theirs = export[0].medianElapsed, theirs > 0 {
    print(
      "  loa log / sqlite3: " + String(format: "%.2f", ours / theirs) + "× the time (target ≤ 1.5×)"
    )
  }

  // A year of the busy station, every planned airing logged (commits not
  // synced: this is an import, not a station), then its report.
  let reportFolder = ".build/bench-report"
  try? FileManager.default.removeItem(atPath: reportFolder)
  do {
    let log = try AiringLog.openForWriting(folder: reportFolder, durable: false)
    for (index, airing) in planner.plan(from: year.0, through: year.1).enumerated() {
      let entry = AiringEntry(
        kind: .program, program: airing.id, title: airing.title, plannedStart: airing.start,
        device: "default",
        items: airing.items.map {
          ItemEntry(
            kind: ItemKind(rawValue: $0.kind.rawValue) ?? .file, file: $0.file,
            campaign: $0.campaign, planItem: $0.planItem, plannedSeconds: $0.duration.seconds)
        })
      if index % 97 == 0 {
        try log.record(entry, status: .missed, reason: "station off")
        continue
      }
      let id = try log.begin(entry)
      for (position, item) in airing.items.enumerated() {
        let seconds = item.duration.seconds
        try log.itemEnded(
          airing: id, position: position,
          Outcome(
            status: .completed, startedAt: airing.start, endedAt: airing.start + seconds,
            frames: Int(seconds * 48_000), playedSeconds: seconds, reason: nil))
      }
      let seconds = airing.duration.seconds
      try log.finish(
        airing: id,
        Outcome(
          status: .completed, startedAt: airing.start, endedAt: airing.end,
          frames: Int(seconds * 48_000), playedSeconds: seconds, reason: nil),
        lateMilliseconds: 1, xruns: 0)
    }
    let reader = try AiringLog.openForReading(folder: reportFolder)
    var size = 0
    let times = measure(runs: 11) {
      guard
        let report = try? PlanReport(planner: planner, log: reader, from: year.0, to: year.1)
      else { return }
      size = report.markdown().utf8.count + report.html().utf8.count + report.csv().utf8.count
    }
    print("")
    print(
      row("report: a year of a busy station (md+html+csv)", times, target: "≤ 1 s")
        + " (\(size / 1024) KiB)")
  } catch {
    print("cannot log the busy station's year: \(error)")
  }
}
