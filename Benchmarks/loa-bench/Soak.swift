import Foundation
import LoaTesting

// PRODUCT §11: the daemon's memory over 1,000 airings. A leak matters more
// to a box that runs for years than a few MiB: resident memory must stay
// flat (±1 MiB) from the first airings to the thousandth (the floor it
// settles to between airings: a leak raises it), and under 24 MiB.

/// What the soak asks of the daemon: airings in bursts at one instant each
/// (they play one after another, as late ones do), with a quiet gap after
/// each burst long enough for the daemon to give back the code it touched
/// (`ResidentMemory`, which waits for a deadline more than a second away),
/// as between the programs of a real day.
struct SoakPlan {
  var airings = 1_000
  var perBurst = 25
  /// Seconds from one burst to the next: a burst takes about 3 s, and the
  /// daemon arms the next 2 s ahead.
  var period = 8
  var bursts: Int { (airings + perBurst - 1) / perBurst }
}

/// The real release `loa run` on a generated station of many short
/// programs through ALSA's `null` PCM (which takes audio as fast as it is
/// written: decoding, resampling, the device, the log and the loop all run,
/// without waiting for the sound): VmRSS sampled from `/proc` every 50 ms.
func benchmarkSoak(loa: String, plan: SoakPlan = SoakPlan()) {
  let repository = FileManager.default.currentDirectoryPath
  let folder = repository + "/.build/bench-soak"
  let schedule = folder + "/station.yaml"
  try? FileManager.default.removeItem(atPath: folder)
  // Whole seconds, far enough ahead for the start (planning, measuring the file).
  let first = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 10).rounded(.up))
  let instants = (0..<plan.airings).map {
    first + Double($0 / plan.perBurst * plan.period)
  }
  guard
    (try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true))
      != nil,
    (try? stationYAML(
      instants, audio: repository + "/audio", file: "nhac-hieu.ogg", output: "null",
      catchUp: "10m"
    ).write(toFile: schedule, atomically: true, encoding: .utf8)) != nil
  else {
    print("soak: cannot write \(schedule)")
    return
  }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: loa)
  process.arguments = ["run", "--schedule", schedule, "--state", folder + "/state"]
  let errors = Pipe()
  process.standardOutput = FileHandle.nullDevice
  process.standardError = errors
  let airings = AiringCounter()
  let sampler = ProcessSampler()
  let launched = Date()
  do { try process.run() } catch {
    print("soak: cannot run \(loa): \(error)")
    return
  }
  sampler.watch(process.processIdentifier)
  airings.read(errors.fileHandleForReading)
  // The last airing's end (or a minute without one past its instant),
  // then a quiet while for the daemon to settle.
  var progress = (count: 0, at: Date())
  while airings.ended.count < plan.airings, process.isRunning {
    Thread.sleep(forTimeInterval: 0.2)
    let count = airings.ended.count
    if count > progress.count {
      progress = (count, Date())
    } else if Date().timeIntervalSince(max(progress.at, instants[min(count, instants.count - 1)]))
      > 60
    {
      break
    }
  }
  Thread.sleep(forTimeInterval: 3)
  let stopped = Date()
  sampler.stop()
  process.terminate()
  process.waitUntilExit()

  let ended = airings.ended
  guard ended.count >= plan.airings else {
    print(
      "soak: only \(ended.count) of \(plan.airings) airings ended; "
        + "\(airings.trouble.prefix(3).joined(separator: " | "))")
    return
  }
  func mib(_ kib: Int) -> String { String(format: "%.1f MiB", Double(kib) / 1024) }
  // The level in the quiet gap after the burst whose last airing is `index`.
  func settled(after index: Int) -> Int? {
    let end = ended[index]
    let next = index + 1 < instants.count ? instants[index + 1] - 2.5 : stopped
    return sampler.resident(from: end, to: max(next, end + 0.5)).min()
  }
  // Before the first airing is armed (2 s ahead); the start-up reads and
  // plans a schedule of a thousand programs, far more than a station's.
  let starting = sampler.resident(from: launched, to: first - 2.5)
  // A leak is memory that never comes back: it raises the floor the
  // daemon settles to between bursts. One gap it did not settle in (a
  // burst that ran late, a page not yet given back) reads high on its own,
  // so each end is judged by its lowest gap: the first 300 airings'
  // against the last 300's.
  let window = max(1, min(plan.bursts / 3, 300 / plan.perBurst))
  func floor(_ bursts: ClosedRange<Int>) -> Int? {
    bursts.compactMap { settled(after: min($0 * plan.perBurst, plan.airings) - 1) }.min()
  }
  guard let start = starting.last, let startPeak = starting.max(),
    let warm = floor(1...window), let last = floor((plan.bursts - window + 1)...plan.bursts),
    let peak = sampler.resident(from: first - 1.5, to: stopped).max()
  else {
    print("soak: too few samples of the daemon's memory")
    return
  }
  let trend = stride(from: 0, to: plan.bursts, by: max(1, plan.bursts / 10)).compactMap {
    burst -> String? in
    let index = min(plan.airings, (burst + 1) * plan.perBurst) - 1
    return settled(after: index).map {
      "\(index + 1): \(String(format: "%.1f", Double($0) / 1024))"
    }
  }
  let growth = last - warm
  let flat = abs(growth) <= 1024
  let small = peak <= 24 * 1024
  let seconds = (ended.last ?? stopped).timeIntervalSince(first)
  print(
    "the daemon over \(plan.airings) airings (loa run, ALSA null, nhac-hieu.ogg; "
      + "\(plan.perBurst) at a time every \(plan.period) s; \(Int(seconds)) s)")
  func line(_ what: String, _ kib: Int) {
    print("  " + what.padding(toLength: 52, withPad: " ", startingAt: 0) + mib(kib))
  }
  line("resident at the start, before the first airing", start)
  line("  most while starting (reading 1,000 programs)", startPeak)
  line("settled over the first \(window * plan.perBurst) airings (lowest)", warm)
  line("settled over the last \(window * plan.perBurst) airings (lowest)", last)
  line("most while airing", peak)
  print("  settled after N airings (MiB): " + trend.joined(separator: ", "))
  print(
    "  verdict: \(small ? "within" : "OVER") ≤ 24 MiB; "
      + "\(flat ? "flat" : "NOT flat"): \(growth >= 0 ? "+" : "")\(mib(growth)) "
      + "in the settled floor from the first airings to the last (target ±1 MiB)")
  if !airings.trouble.isEmpty {
    print("  \(airings.trouble.count) airings did not end well, e.g. \(airings.trouble[0])")
  }
}

/// The daemon's airing ends, read from its standard error as it runs.
final class AiringCounter: @unchecked Sendable {
  // @unchecked: `ends` and `problems` are behind `lock`.
  private let lock = NSLock()
  private var ends: [Date] = []
  private var problems: [String] = []

  /// When each airing ended, in order.
  var ended: [Date] { lock.withLock { ends } }
  /// Lines of airings that failed, were interrupted or missed.
  var trouble: [String] { lock.withLock { problems } }

  func read(_ handle: FileHandle) {
    let thread = Thread { [self] in
      var pending = Data()
      while case let data = handle.availableData, !data.isEmpty {
        pending.append(data)
        while let newline = pending.firstIndex(of: 0x0A) {
          let line = String(decoding: pending[..<newline], as: UTF8.self)
          pending.removeSubrange(...newline)
          note(line)
        }
      }
    }
    thread.start()
  }

  private func note(_ line: String) {
    let now = Date()
    let bad = [" failed: ", " interrupted: ", " missed "].contains { line.contains($0) }
    guard bad || line.contains(" ended: ") else { return }
    lock.withLock {
      ends.append(now)
      if bad { problems.append(line) }
    }
  }
}
