// loa-bench: figures for PRODUCT §11, printed as a table. Run with
// `make bench` (a release build). Not a test: machines are shared and noisy,
// so it reports medians of repeated runs.

import Foundation
import LoaCalendar
import LoaPlanner
import LoaSchedule

/// Wall-clock milliseconds of `body`, `runs` times, sorted.
func measure(runs: Int, _ body: () -> Void) -> [Double] {
  (0..<runs).map { _ in
    let start = DispatchTime.now().uptimeNanoseconds
    body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
  }.sorted()
}

/// A busy station: 3 programs a day, 200 campaigns (fixed windows,
/// open-ended ones and yearly windows around holidays), 20 announcements.
func busyStation() -> (Schedule, [String: Duration]) {
  var durations: [String: Duration] = [:]
  func file(_ path: String, _ seconds: Int) -> AudioReference {
    durations[path] = .seconds(seconds)
    return AudioReference(path, at: nil)
  }
  let segments: [Segment] = [
    .file(file("nhac-hieu.ogg", 8)), .file(file("loi-chao.ogg", 20)), .campaigns(4),
    .silence(.seconds(2)), .campaigns(3), .file(file("nhac-hieu-ket.ogg", 5)),
  ]
  let programs = [("sang", 5, 30), ("trua", 11, 0), ("chieu", 17, 0)].map { id, hour, minute in
    Program(
      id: id, title: "Chương trình \(id)", start: TimeOfDay(hour: hour, minute: minute)!,
      repetition: .daily, from: nil, until: nil,
      except: [.holiday(Located("tet-nguyen-dan", at: nil))],
      on: [], replaces: [], maxLength: .seconds(1800), segments: segments, location: nil)
  }
  let holidays = [
    "quoc-khanh", "tet-nguyen-dan", "giai-phong-mien-nam", "phu-nu-viet-nam", "trung-thu",
  ]
  let base = CivilDate(year: 2026, month: 1, day: 1)!
  let campaigns = (0..<200).map { index -> Campaign in
    let window: CampaignWindow
    switch index % 4 {
    case 0:
      window = CampaignWindow(
        from: nil, until: nil,
        around: .init(
          holiday: Located(holidays[index % holidays.count], at: nil), daysBefore: 14, daysAfter: 2)
      )
    case 1:
      window = CampaignWindow(from: base.adding(days: index), until: nil, around: nil)
    default:
      let start = base.adding(days: (index * 7) % 330)
      window = CampaignWindow(from: start, until: start.adding(days: 30 + index % 60), around: nil)
    }
    return Campaign(
      id: "c\(index)", title: "Chiến dịch \(index)", planItem: nil,
      files: (0..<3).map { file("chien-dich/c\(index)-\($0).ogg", 15 + $0) }, window: window,
      programs: index % 5 == 0 ? [Located("sang", at: nil)] : nil, perDay: index % 3 == 0 ? 2 : nil,
      priority: index % 17 == 0 ? .priority : .normal, location: nil)
  }
  let announcements = (0..<20).map { index in
    Announcement(
      id: "a\(index)", title: "Thông báo \(index)",
      at: LocalDateTime(
        date: base.adding(days: index * 17), time: TimeOfDay(hour: 17, minute: 15)!),
      file: file("thong-bao/a\(index).ogg", 40), times: 3, gap: .seconds(30), priority: .priority,
      location: nil)
  }
  let station = Station(name: "Đài truyền thanh xã (benchmark)", audioDirectory: "/nonexistent")
  return (
    Schedule(
      station: station, programs: programs, campaigns: campaigns, announcements: announcements),
    durations
  )
}

func row(_ name: String, _ times: [Double], target: String) -> String {
  let median = times[times.count / 2]
  func ms(_ value: Double) -> String { String(format: "%8.1f ms", value) }
  return name.padding(toLength: 46, withPad: " ", startingAt: 0) + ms(median) + ms(times.first ?? 0)
    + ms(times.last ?? 0) + "   " + target
}

let (schedule, durations) = busyStation()
let planner = Planner(schedule: schedule, durations: durations)
let year = (CivilDate(year: 2026, month: 1, day: 1)!, CivilDate(year: 2026, month: 12, day: 31)!)
var airingCount = 0
var spotCount = 0
let planTimes = measure(runs: 21) {
  let airings = planner.plan(from: year.0, through: year.1)
  airingCount = airings.count
  spotCount = airings.reduce(0) { $0 + $1.items.filter { $0.kind == .campaign }.count }
}
let days = CivilDateRange(
  CivilDate(year: 1900, month: 1, day: 1)!, through: CivilDate(year: 2199, month: 12, day: 31)!)
var checksum = 0
let lunarTimes = measure(runs: 5) {
  for date in days { checksum &+= LunarCalendar.lunarDate(for: date).day }
}

/// The release `loa` beside this benchmark.
let loaBinary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  .appendingPathComponent("loa")

/// Wall-clock milliseconds of running the release `loa` with `arguments`, output discarded.
func loaProcess(_ arguments: [String], runs: Int) -> [Double]? {
  let binary = loaBinary
  guard FileManager.default.isExecutableFile(atPath: binary.path) else { return nil }
  return measure(runs: runs) {
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do {
      try process.run()
      process.waitUntilExit()
    } catch {
      print("cannot run \(binary.path): \(error)")
    }
  }
}

// `loa-bench daemon` runs only the daemon's figures (a few minutes);
// `loa-bench start [N]` only loa run's heard start accuracy over N programs;
// `loa-bench playing` only loa play's beside aplay, mpg123 and ffmpeg;
// `loa-bench log` only the log's CSV export beside sqlite3 and the report;
// `loa-bench soak [airings]` only the daemon's memory over 1,000 airings
// (six minutes);
// `loa-bench faults [rounds]` only the station under faults (10 rounds of
// each of four kinds: six minutes).
switch CommandLine.arguments.dropFirst().first {
case "daemon":
  benchmarkDaemon(loa: loaBinary.path)
  exit(0)
case "start":
  // Only loa's heard start accuracy, over N programs (default 50).
  let programs = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 50
  let state = FileManager.default.currentDirectoryPath + "/.build/bench-start"
  benchmarkStartAccuracy(
    contenders: [loaContender(loa: loaBinary.path, state: state, sampler: ProcessSampler())],
    programs: programs, spacing: 3)
  exit(0)
case "playing":
  benchmarkPlaying(loa: loaBinary.path)
  exit(0)
case "log":
  benchmarkLog(loa: loaBinary.path, planner: planner, year: year)
  exit(0)
case "soak":
  var plan = SoakPlan()
  if let airings = CommandLine.arguments.dropFirst(2).first.flatMap(Int.init), airings > 0 {
    plan.airings = airings
  }
  benchmarkSoak(loa: loaBinary.path, plan: plan)
  exit(0)
case "faults":
  let rounds = CommandLine.arguments.dropFirst(2).first.flatMap { Int($0) } ?? 10
  benchmarkFaults(loa: loaBinary.path, rounds: max(1, rounds))
  exit(0)
default:
  break
}

let samplePlan = loaProcess(
  ["plan", "--schedule", "schedules", "--from", "2025-10-01", "--days", "365", "--format", "json"],
  runs: 11)
let sampleReport = loaProcess(
  [
    "report", "--schedule", "schedules", "--from", "2025-10-01", "--to", "2026-01-31", "--format",
    "html",
  ],
  runs: 11)
let calendarCSV = loaProcess(
  ["calendar", "--from", "1900-01-01", "--to", "2199-12-31", "--format", "csv"], runs: 5)

print("loa-bench (release build; \(ProcessInfo.processInfo.activeProcessorCount) cores)")
print("")
print(
  "what".padding(toLength: 46, withPad: " ", startingAt: 0)
    + "    median       min       max   target")
print(row("plan a year: 3 programs/day, 200 campaigns", planTimes, target: "≤ 100 ms"))
print(
  row("lunar date of every day 1900–2199 (\(days.count))", lunarTimes, target: "(loa calendar)"))
if let samplePlan {
  print(row("loa plan: the sample, a year, JSON (process)", samplePlan, target: "whole command"))
}
if let sampleReport {
  print(
    row("loa report: the sample, 4 months, html (process)", sampleReport, target: "whole command"))
}
if let calendarCSV {
  print(row("loa calendar: 1900–2199 as CSV (process)", calendarCSV, target: "whole command"))
}
print("")
print("plan: \(airingCount) airings, \(spotCount) campaign spots; lunar checksum \(checksum)")
print("")
benchmarkLog(loa: loaBinary.path, planner: planner, year: year)
print("")
benchmarkPlaying(loa: loaBinary.path)
print("")
benchmarkDaemon(loa: loaBinary.path)
print("")
benchmarkSoak(loa: loaBinary.path)
print("")
benchmarkFaults(loa: loaBinary.path)
