import Foundation
import LoaTesting
import Testing

/// The repository root, found from this file's path.
let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .deletingLastPathComponent()
  .deletingLastPathComponent()

/// The `loa` this test run built.
var loaBinary: String {
  get throws { try builtProduct("loa") }
}

struct Run {
  let status: Int32
  let output: String
  let errors: String
}

/// Runs the real `loa` as a child process, in the repository.
func loa(_ arguments: String..., environment: [String: String] = [:]) throws -> Run {
  try loa(arguments, environment: environment)
}

/// With `seconds`, killed after that long: a command that hangs fails its
/// test instead of hanging it (status 137 then). It runs in `directory`.
func loa(
  _ arguments: [String], environment: [String: String] = [:], within seconds: Int? = nil,
  in directory: URL = repository
) throws -> Run {
  let process = Process()
  let binary = try loaBinary
  if let seconds {
    process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
    process.arguments = ["-s", "KILL", "\(seconds)", binary] + arguments
  } else {
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
  }
  process.currentDirectoryURL = directory
  // Files rather than pipes, so that a large output can never block the child.
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "loa-cli-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  defer { try? FileManager.default.removeItem(at: folder) }
  var env = ProcessInfo.processInfo.environment
  env.removeValue(forKey: "LOA_SCHEDULE")
  // Each run measures audio afresh, in a state folder of its own.
  env["LOA_STATE_DIR"] = folder.appendingPathComponent("state").path
  env.merge(environment) { $1 }
  process.environment = env
  let outURL = folder.appendingPathComponent("out")
  let errURL = folder.appendingPathComponent("err")
  _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
  _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
  let output = try FileHandle(forWritingTo: outURL)
  let errors = try FileHandle(forWritingTo: errURL)
  process.standardOutput = output
  process.standardError = errors
  try process.run()
  process.waitUntilExit()
  try output.close()
  try errors.close()
  return Run(
    status: process.terminationStatus,
    output: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
    errors: String(decoding: try Data(contentsOf: errURL), as: UTF8.self))
}

/// A copy of the sample station's schedules and audio in a new temporary
/// folder, for a test to change; the caller removes it.
func copyOfSampleStation() throws -> URL {
  let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
    "loa-validate-\(UUID().uuidString)")
  try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
  for name in ["schedules", "audio"] {
    try FileManager.default.copyItem(
      at: repository.appendingPathComponent(name), to: folder.appendingPathComponent(name))
  }
  return folder
}

func json(_ text: String) throws -> Any {
  try JSONSerialization.jsonObject(with: Data(text.utf8))
}

@Suite("The loa command line", .serialized)
struct CommandLineTests {
  @Test("validate accepts the sample station and exits 0")
  func validateSample() throws {
    let run = try loa("validate", "schedules")
    #expect(run.status == 0, "\(run.output)\(run.errors)")
    #expect(run.output.contains("schedules: valid:"))
    #expect(!run.output.contains("error:"))
    // Every file is listed with its length, loudness and gain.
    #expect(
      run.output.contains(
        "  nhac-hieu.ogg                         6.8s   -11.7 LUFS   -2.5 dBTP  gain -4.3 dB"))
  }

  @Test("validate decodes every audio file and refuses one that does not decode, at its reference")
  func validateUndecodableAudio() throws {
    let folder = try copyOfSampleStation()
    defer { try? FileManager.default.removeItem(at: folder) }
    let jingle = folder.appendingPathComponent("audio/nhac-hieu.ogg")
    try Data("OggS but not really".utf8).write(to: jingle)
    let run = try loa("validate", folder.appendingPathComponent("schedules").path)
    #expect(run.status == 1)
    #expect(
      run.output.contains("error: audio file 'nhac-hieu.ogg' cannot be decoded:"), "\(run.output)")
    #expect(run.output.contains("lien-minh-2025.yaml:"))
  }

  @Test(
    "validate says which long file it is measuring before it decodes it, not after a silent wait")
  func validateShowsProgress() throws {
    let folder = try copyOfSampleStation()
    defer { try? FileManager.default.removeItem(at: folder) }
    let jingle = folder.appendingPathComponent("audio/nhac-hieu.ogg").path
    try writeWAV(to: jingle, frames: 300 * 8_000, channels: 1, rate: 8_000) { _ in 0 }
    let run = try loa("validate", folder.appendingPathComponent("schedules").path)
    #expect(run.errors.contains("measuring \(jingle) (5m"), "\(run.errors)")
    // The sample's own files are short: not announced.
    #expect(run.errors.components(separatedBy: "measuring ").count == 2, "\(run.errors)")
  }

  @Test(
    "validate with no state folder chosen keeps its measurements for the run, not in /var/lib/loa")
  func validateWritesNoSystemState() throws {
    let station = try copyOfSampleStation()
    defer { try? FileManager.default.removeItem(at: station) }
    let elsewhere = try TemporaryFolder()
    // Content no cache has seen: measured, it would be added to one.
    let jingle = station.appendingPathComponent("audio/nhac-hieu.ogg").path
    let pitch = Double.random(in: 300...900)
    try writeWAV(to: jingle, frames: 8_000, channels: 1, rate: 8_000) { frame in
      Int16(8000 * sin(2 * Double.pi * pitch * Double(frame) / 8_000))
    }
    var info = stat()
    #expect(stat(jingle, &info) == 0)
    // How the cache knows the file: device, inode and size lead its line.
    let identity = "\t\(info.st_dev):\(info.st_ino):\(info.st_size):"
    let schedules = station.appendingPathComponent("schedules").path
    // Run where there is no ./schedules, with no state folder given.
    let run = try loa(
      ["validate", schedules], environment: ["LOA_STATE_DIR": "", "HOME": elsewhere.path],
      in: elsewhere.url)
    #expect(run.status == 0, "\(run.output)\(run.errors)")
    let system = try? String(contentsOfFile: "/var/lib/loa/audio-measurements.tsv", encoding: .utf8)
    #expect(system?.contains(identity) != true)
    // A state folder given keeps them: the identity is what the cache writes.
    let state = elsewhere.path("state")
    let kept = try loa(["validate", schedules, "--state", state], in: elsewhere.url)
    #expect(kept.status == 0, "\(kept.output)\(kept.errors)")
    let cache = try String(contentsOfFile: state + "/audio-measurements.tsv", encoding: .utf8)
    #expect(cache.contains(identity), "\(cache)")
  }

  @Test("validate refuses a broken schedule with file:line:col and exits 1")
  func validateBroken() throws {
    let path = "Tests/LoaScheduleTests/Broken/unknown-key.yaml"
    let run = try loa("validate", path)
    #expect(run.status == 1)
    #expect(
      run.output.contains(
        "\(path):22:5: error: unknown key 'per_dya' in campaign 'dai-hoi-xiv' (did you mean 'per_day'?)"
      ))
    #expect(run.output.contains("\(path): invalid: 1 error"))
  }

  @Test("the schedule comes from --schedule, else LOA_SCHEDULE, else ./schedules")
  func scheduleResolution() throws {
    let broken = "Tests/LoaScheduleTests/Broken/bad-time.yaml"
    #expect(try loa("validate", "--schedule", broken).status == 1)
    #expect(try loa("validate", environment: ["LOA_SCHEDULE": broken]).status == 1)
    #expect(try loa("validate").status == 0)
  }

  @Test("wrong usage exits 2 with a message")
  func usage() throws {
    for arguments in [
      ["plan", "--days", "x"], ["plan", "--from", "2025-13-01"], ["nonsense"],
      ["plan", "--to", "2025-10-02", "--days", "3"],
      ["plan", "--from", "2025-01-01", "--to", "2045-01-01"], ["calendar", "--year", "1800"],
      ["calendar", "--from", "2199-12-01", "--to", "2200-01-31"],
    ] {
      let process = try loa(arguments)
      #expect(process.status == 2, "\(arguments): \(process.errors)")
      #expect(
        process.errors.contains("Error:") || process.errors.contains("error"), "\(process.errors)")
    }
  }

  @Test("plan shows the first week of October 2025 with every spot, as JSON")
  func planJSON() throws {
    let run = try loa("plan", "--from", "2025-10-01", "--days", "7", "--format", "json")
    #expect(run.status == 0, "\(run.errors)")
    let airings = try #require(try json(run.output) as? [[String: Any]])
    let programs = airings.filter { $0["kind"] as? String == "program" }
    #expect(programs.count >= 14)
    for airing in airings {
      let start = try #require(airing["start"] as? String)
      #expect(start.hasSuffix("+07:00"))
      #expect(start >= "2025-10-01" && start < "2025-10-08")
      #expect(airing["end"] is String && airing["title"] is String && airing["priority"] is String)
    }
    let items = airings.flatMap { ($0["items"] as? [[String: Any]]) ?? [] }
    let spots = items.filter { $0["kind"] as? String == "campaign" }
    #expect(!spots.isEmpty)
    for spot in spots {
      #expect(spot["campaign"] is String && spot["plan_item"] is String && spot["file"] is String)
      #expect((spot["duration_s"] as? Double ?? 0) > 0)
    }
    // The sample's congress campaign airs on 1 October.
    #expect(spots.contains { ($0["plan_item"] as? String) == "II.6" })
  }

  @Test("plan prints a readable day-by-day table")
  func planText() throws {
    let run = try loa("plan", "--from", "2025-10-01", "--days", "2")
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("2025-10-01 Wed · âm lịch 10/8 Ất Tỵ"))
    #expect(run.output.contains("05:30:00"))
    #expect(run.output.contains("campaign"))
  }

  @Test(
    "calendar prints every day 1900–2199 as CSV, with the dates the Vietnamese calendar is known for"
  )
  func calendarCSV() throws {
    let run = try loa("calendar", "--from", "1900-01-01", "--to", "2199-12-31", "--format", "csv")
    #expect(run.status == 0, "\(run.errors)")
    let lines = run.output.split(separator: "\n")
    #expect(
      lines.first
        == "date,weekday,lunar_day,lunar_month,lunar_leap,lunar_year,can_chi_year,holidays")
    #expect(lines.count == 1 + 109_573)
    let rows = Dictionary(lines.dropFirst().map { (String($0.prefix(10)), String($0)) }) { a, _ in a
    }
    #expect(rows["1985-01-21"]?.hasPrefix("1985-01-21,Mon,1,1,false,1985,Ất Sửu,") == true)
    #expect(rows["2007-02-17"]?.hasPrefix("2007-02-17,Sat,1,1,false,2007,Đinh Hợi,") == true)
    #expect(rows["2030-02-02"]?.hasPrefix("2030-02-02,Sat,1,1,false,2030,Canh Tuất,") == true)
    #expect(rows["2025-09-02"]?.contains("quoc-khanh") == true)
    #expect(rows["2026-02-17"]?.contains("tet-nguyen-dan") == true)
    for date in ["2054-05-07", "2062-04-09"] {
      let fields = try #require(rows[date]?.split(separator: ",", omittingEmptySubsequences: false))
      #expect(Int(fields[2]) ?? 0 >= 1, "\(date): \(fields)")
    }
    for line in lines.dropFirst() {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard let day = Int(fields[2]), (1...30).contains(day) else {
        Issue.record("bad lunar day in \(line)")
        break
      }
    }
  }

  @Test("calendar lists a year's holidays as JSON with anniversaries and days off")
  func holidaysJSON() throws {
    let run = try loa("calendar", "--year", "2025", "--holidays", "--format", "json")
    #expect(run.status == 0, "\(run.errors)")
    let holidays = try #require(try json(run.output) as? [[String: Any]])
    let national = try #require(holidays.first { $0["id"] as? String == "quoc-khanh" })
    #expect(national["date"] as? String == "2025-09-02")
    #expect(national["anniversary"] as? Int == 80)
    #expect(national["day_off"] as? Bool == true)
    #expect(national["name"] as? String == "Quốc khánh")
    let tet = try #require(holidays.first { $0["id"] as? String == "tet-nguyen-dan" })
    #expect(tet["date"] as? String == "2025-01-29")
    // The sample schedule's own holiday is listed too.
    #expect(holidays.contains { $0["id"] as? String == "dai-hoi-tinh" })
  }

  @Test(
    "inspect reports an audio file as JSON, with the same SHA-256 as sha256sum, and goes on past a bad file"
  )
  func inspect() throws {
    let file = "audio/loi-chao/sang.ogg"
    let run = try loa("inspect", "--format", "json", file, "audio/README.md")
    #expect(run.status == 1)
    #expect(run.errors.contains("error: audio/README.md:"))
    let reports = try #require(try json(run.output) as? [[String: Any]])
    let report = try #require(reports.first)
    #expect(reports.count == 1)
    #expect(report["file"] as? String == file)
    #expect(report["sample_rate"] as? Int == 22_050 && report["channels"] as? Int == 1)
    #expect((report["duration_s"] as? Double ?? 0) > 1)
    #expect((report["loudness_lufs"] as? Double).map { $0 < 0 && $0 > -70 } == true)
    #expect((report["true_peak_dbtp"] as? Double).map { $0 <= 0 } == true)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    process.arguments = [file]
    process.currentDirectoryURL = repository
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let digest = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(digest.hasPrefix(report["sha256"] as? String ?? "missing"))
  }

  @Test("rehearse renders a day of the sample into a WAV as long as the plan says")
  func rehearse() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loa-rehearse-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let wav = folder.appendingPathComponent("day.wav").path
    let run = try loa("rehearse", "--date", "2025-10-01", "--out", wav)
    #expect(run.status == 0, "\(run.errors)")
    #expect(run.output.contains("05:30:00  sang  at 0:00.000"))
    let plan = try loa("plan", "--from", "2025-10-01", "--days", "1", "--format", "json")
    let airings = try #require(try json(plan.output) as? [[String: Any]])
    let items = airings.flatMap { ($0["items"] as? [[String: Any]]) ?? [] }
    let planned =
      items.reduce(0.0) { $0 + ($1["duration_s"] as? Double ?? 0) }
      + Double(2 * (airings.count - 1))
    let info = try loa("inspect", "--format", "json", wav)
    let report = try #require((try json(info.output) as? [[String: Any]])?.first)
    #expect(report["sample_rate"] as? Int == 48_000 && report["channels"] as? Int == 2)
    // Each file may differ from its planned length by a frame or two of resampling.
    #expect(abs((report["duration_s"] as? Double ?? 0) - planned) < 0.01 * Double(items.count))
  }

  @Test(
    "play sends files back to back to an ALSA device, and skips a file it cannot decode with an error"
  )
  func play() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loa-play-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let wav = folder.appendingPathComponent("played.wav").path
    let run = try loa(
      "play", "--output", "file:'\(wav)',wav", "audio/nhac-hieu.ogg", "audio/loi-chao/sang.ogg")
    #expect(run.status == 0, "\(run.errors)")
    let frames = run.output.split(separator: "\n").compactMap { line in
      line.split(separator: " ").dropFirst(2).first.flatMap { Int($0) }
    }
    #expect(frames.count == 2)
    let info = try loa("inspect", "--format", "json", wav)
    let report = try #require((try json(info.output) as? [[String: Any]])?.first)
    #expect(report["frames"] as? Int == frames.reduce(0, +))

    let partial = folder.appendingPathComponent("partial.wav").path
    let bad = try loa(
      "play", "--output", "file:'\(partial)',wav", "audio/README.md", "audio/nhac-hieu.ogg",
      "audio/missing.ogg")
    #expect(bad.status == 1)
    #expect(
      bad.errors.contains("error: Format not recognised. (sf_open on 'audio/README.md'); skipped"))
    #expect(
      bad.errors.contains(
        "error: No such file or directory (open on 'audio/missing.ogg'); skipped"))
    #expect(bad.output.contains("played audio/nhac-hieu.ogg: \(frames[0]) frames from frame 0"))

    // Normalized, each file is measured once and played at the station's level.
    let loud = folder.appendingPathComponent("loud.wav").path
    let normalized = try loa(
      "play", "--loudness", "-16", "--output", "file:'\(loud)',wav", "audio/nhac-hieu.ogg")
    #expect(normalized.status == 0, "\(normalized.errors)")
    let measured = try loa("inspect", "--format", "json", loud)
    let level = try #require((try json(measured.output) as? [[String: Any]])?.first)
    // The mono jingle measures -11.7 LUFS on two channels, its true peak -2.5 dBTP: brought to -16.
    #expect(abs((level["loudness_lufs"] as? Double ?? 0) + 16) < 0.2)
  }

  @Test("play --at waits for the time given and starts on it; a time it cannot read is wrong usage")
  func playAt() throws {
    var now = time(nil) + 2
    var parts = tm()
    localtime_r(&now, &parts)
    let at = String(format: "%02d:%02d:%02d.250", parts.tm_hour, parts.tm_min, parts.tm_sec)
    let run = try loa("play", "--output", "null", "--at", at, "audio/nhac-hieu.ogg")
    #expect(run.status == 0, "\(run.errors)")
    let line = try #require(
      run.output.split(separator: "\n").first { $0.hasPrefix("first frame out") })
    #expect(line.hasSuffix("after \(at)"), "\(line)")
    let late = try #require(Double(line.split(separator: ", ")[1].split(separator: " ")[0]))
    // Generous: a shared machine may be slow; the benchmark measures.
    #expect(abs(late) < 100, "\(line)")

    let wrong = try loa("play", "--output", "null", "--at", "25:00", "audio/nhac-hieu.ogg")
    #expect(wrong.status == 2)
    #expect(wrong.errors.contains("--at must be a time as HH:MM:SS"))
  }

  @Test("what loa play plays is in the log, as csv and json, with failed items and their reasons")
  func playIsLogged() throws {
    let state = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loa-log-\(UUID().uuidString)"
    ).path
    defer { try? FileManager.default.removeItem(atPath: state) }
    let environment = ["LOA_STATE_DIR": state]
    let empty = try loa("log", environment: environment)
    #expect(
      empty.status == 1 && empty.errors.contains("no airing log at '\(state)/airings.sqlite'"))

    let played = try loa(
      "play", "--output", "null", "audio/nhac-hieu.ogg", "audio/README.md",
      environment: environment)
    #expect(played.status == 1)
    // For Excel, as the report's: a byte-order mark (else it garbles
    // Vietnamese), rows ending in CRLF.
    let csv = try loa("log", "--format", "csv", environment: environment)
    #expect(csv.output.hasPrefix("\u{FEFF}id,kind,program,title,planned_start,started_at"))
    #expect(csv.output.hasSuffix("\r\n"))
    let rows = csv.output.dropFirst().split(separator: "\r\n")
    #expect(rows.count == 2)
    #expect(rows[1].hasPrefix("1,manual,,\"loa play: nhac-hieu.ogg, README.md\",,"))
    // One of its two files could not be read: partial, with the other's seconds.
    #expect(rows[1].contains(",partial,,6.800,326401,null,0,"))

    let json = try #require(
      try JSONSerialization.jsonObject(
        with: Data(loa("log", "--format", "json", environment: environment).output.utf8))
        as? [[String: Any]])
    let items = try #require(json.first?["items"] as? [[String: Any]])
    #expect(items.map { $0["status"] as? String } == ["completed", "failed"])
    #expect((items[1]["reason"] as? String)?.contains("audio/README.md") == true)

    let filtered = try loa("log", "--status", "failed", environment: environment)
    #expect(filtered.output.contains("no airings logged"))
    let text = try loa("log", environment: environment)
    // In the station's time, with its offset: the sample station is in Hà Nội.
    #expect(text.output.contains("+07:00  manual  partial"), "\(text.output)")
    #expect(
      try loa("log", "--status", "partial", environment: environment).output.contains(
        "manual  partial"))
    #expect(text.output.contains("2. audio/README.md: failed — Format not recognised."))
  }
}
