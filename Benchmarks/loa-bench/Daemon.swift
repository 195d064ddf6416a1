import Foundation
import LoaTesting

// The daemon in the start-accuracy race, and what it costs: its resident
// memory idle and while playing, and its CPU while it waits.

/// What `/proc` says of a running process, sampled on a thread of its own.
final class ProcessSampler: @unchecked Sendable {
  // @unchecked: `samples` and `pid` are behind `lock`.
  private let lock = NSLock()
  private var samples: [(at: Date, residentKiB: Int)] = []
  private var pid: pid_t?
  private var instants: (launched: Date, first: Date, last: Date)?

  /// When the process was started, and its first and last program.
  var window: (launched: Date, first: Date, last: Date)? { lock.withLock { instants } }

  func expect(_ instants: [Date]) {
    guard let first = instants.first, let last = instants.last else { return }
    lock.withLock { self.instants = (Date(), first, last) }
  }

  func watch(_ pid: pid_t) {
    lock.withLock { self.pid = pid }
    let thread = Thread { [self] in
      while let pid = lock.withLock({ self.pid }), let resident = Self.residentKiB(of: pid) {
        lock.withLock { samples.append((Date(), resident)) }
        usleep(50_000)
      }
    }
    thread.start()
  }

  func stop() { lock.withLock { pid = nil } }

  /// The samples taken from `from` to `to`.
  func resident(from: Date, to: Date) -> [Int] {
    lock.withLock { samples.filter { $0.at >= from && $0.at <= to }.map(\.residentKiB) }
  }

  static func residentKiB(of pid: pid_t) -> Int? {
    guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
      let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return nil }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
  }

  /// User plus system CPU seconds of `pid` so far.
  static func cpuSeconds(of pid: pid_t) -> Double? {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
      let close = stat.lastIndex(of: ")")
    else { return nil }
    // Fields after the command's closing parenthesis: state is field 3, utime 14, stime 15.
    let fields = stat[stat.index(after: close)...].split(separator: " ")
    guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else {
      return nil
    }
    return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
  }
}

/// `loa run` on a generated station: one program per instant, the tone as
/// its only segment, played as recorded, through ALSA's `pulse` PCM.
func loaContender(loa: String, state: String, sampler: ProcessSampler) -> StartContender {
  StartContender(name: "loa run (first frame by the null sink's monitor)") {
    instants, tone, environment, folder in
    try? FileManager.default.removeItem(atPath: state)
    try FileManager.default.createDirectory(
      atPath: folder + "/audio", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: tone, toPath: folder + "/audio/tone.wav")
    let schedule = folder + "/station.yaml"
    try stationYAML(instants).write(toFile: schedule, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: loa)
    process.arguments = [
      "run", "--schedule", schedule, "--state", state, "--stop-after", String(instants.count),
    ]
    process.environment = environment
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    sampler.expect(instants)
    try process.run()
    sampler.watch(process.processIdentifier)
    return [process]
  }
}

/// Start accuracy of loa, a timer with aplay, and liquidsoap; then loa's
/// own ALSA timestamps, its memory idle and playing, and its CPU idle.
func benchmarkDaemon(loa: String) {
  let state = FileManager.default.currentDirectoryPath + "/.build/bench-daemon"
  let sampler = ProcessSampler()
  let programs = 50
  benchmarkStartAccuracy(
    contenders: [
      .cronAplay(), .liquidsoap, loaContender(loa: loa, state: state, sampler: sampler),
    ],
    programs: programs, spacing: 3)
  sampler.stop()

  // loa's own record: ALSA's trigger timestamp of each first frame.
  let process = Process()
  process.executableURL = URL(fileURLWithPath: loa)
  process.arguments = ["log", "--state", state, "--format", "json"]
  let pipe = Pipe()
  process.standardOutput = pipe
  process.standardError = FileHandle.nullDevice
  var lateness: [Double] = []
  if (try? process.run()) != nil {
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let rows = (try? JSONSerialization.jsonObject(with: data)) as? [[String: Any]] ?? []
    lateness = rows.compactMap { ($0["late_ms"] as? Int).map(Double.init) }
  }
  let absolute = lateness.map(abs).sorted()
  if !absolute.isEmpty {
    let p99 = percentile(absolute, 0.99)
    print(
      String(
        format:
          "loa's own reckoning in its log (ALSA's trigger timestamp, or the device's delay), %d airings: p50 %.1f ms, p99 %.1f ms, "
          + "max %.1f ms", absolute.count, lateness.sorted()[lateness.count / 2], p99,
        absolute.last ?? 0))
  }
  if let window = sampler.window {
    let idle = sampler.resident(from: window.launched + 2, to: window.first - 2.5)
    let playing = sampler.resident(from: window.first, to: window.last + 1)
    if let idle = idle.last, let peak = playing.max() {
      print(
        String(
          format: "loa run resident memory: %.1f MiB idle before the first program, "
            + "%.1f MiB at most while playing the %d (target ≤ 24 MiB)", Double(idle) / 1024,
          Double(peak) / 1024, programs))
    }
  }
  benchmarkIdle(loa: loa, state: state + "-idle")
}

/// The daemon waiting an hour for its next program: its CPU over a minute,
/// and its memory.
private func benchmarkIdle(loa: String, state: String) {
  let repository = FileManager.default.currentDirectoryPath
  let schedule = state + "/station.yaml"
  try? FileManager.default.removeItem(atPath: state)
  guard
    (try? FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true))
      != nil,
    (try? stationYAML([Date() + 3600], audio: repository + "/audio", file: "nhac-hieu.ogg")
      .write(toFile: schedule, atomically: true, encoding: .utf8)) != nil
  else { return }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: loa)
  process.arguments = ["run", "--schedule", schedule, "--state", state]
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  guard (try? process.run()) != nil else { return }
  defer {
    process.terminate()
    process.waitUntilExit()
  }
  let pid = process.processIdentifier
  Thread.sleep(forTimeInterval: 5)
  guard let before = ProcessSampler.cpuSeconds(of: pid) else { return }
  let seconds = 60.0
  Thread.sleep(forTimeInterval: seconds)
  guard let after = ProcessSampler.cpuSeconds(of: pid),
    let resident = ProcessSampler.residentKiB(of: pid)
  else { return }
  print(
    String(
      format: "loa run idle (next program in an hour): %.3f %% CPU over %.0f s, %.1f MiB resident",
      (after - before) / seconds * 100, seconds, Double(resident) / 1024))
}
