import CSndFile
import Foundation

/// CPU time and peak memory of one run of a program.
struct Usage {
  /// User plus system time, in seconds.
  let cpu: Double
  /// Peak resident set, in MiB.
  let peakMiB: Double
  /// Wall-clock seconds.
  let elapsed: Double
}

/// Runs `argv` (output discarded) under GNU time and returns what it used.
///
/// GNU time forks before it runs the program, so the peak is the
/// program's own: a child spawned straight from this process would report
/// this process's memory as its peak, since `posix_spawn` shares it until
/// the `exec`.
func usage(of argv: [String], environment: [String: String] = [:]) -> Usage? {
  let report = FileManager.default.temporaryDirectory.appendingPathComponent(
    "loa-bench-\(getpid()).time"
  ).path
  defer { unlink(report) }
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
  process.arguments = ["-f", "%U %S %M %e", "-o", report] + argv
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  process.standardOutput = FileHandle.nullDevice
  process.standardError = FileHandle.nullDevice
  do {
    try process.run()
  } catch {
    return nil
  }
  process.waitUntilExit()
  guard process.terminationStatus == 0,
    let text = try? String(contentsOfFile: report, encoding: .utf8)
  else { return nil }
  let fields = text.split(whereSeparator: \.isWhitespace).compactMap { Double($0) }
  guard fields.count == 4 else { return nil }
  return Usage(cpu: fields[0] + fields[1], peakMiB: fields[2] / 1024, elapsed: fields[3])
}

/// A program run side by side with the others.
struct Contender {
  let name: String
  let argv: [String]
  var runs: [Usage] = []

  init(_ name: String, _ argv: [String]) {
    self.name = name
    self.argv = argv
  }

  var medianCPU: Double? { median(runs.map(\.cpu)) }
  var medianPeak: Double? { median(runs.map(\.peakMiB)) }
  var medianElapsed: Double? { median(runs.map(\.elapsed)) }

  private func median(_ values: [Double]) -> Double? {
    values.isEmpty ? nil : values.sorted()[values.count / 2]
  }
}

/// Runs every contender `rounds` times, round-robin, so that a slow spell
/// of a shared machine falls on all of them alike.
func race(_ contenders: inout [Contender], rounds: Int, environment: [String: String]) {
  for _ in 0..<rounds {
    for index in contenders.indices {
      if let used = usage(of: contenders[index].argv, environment: environment) {
        contenders[index].runs.append(used)
      }
    }
  }
}

/// An hour of programme-like stereo audio at 48 kHz: two tones swelling at
/// speech rate over a little noise, written by libsndfile in `format`.
func writeHour(to path: String, format: Int32) -> Bool {
  var info = SF_INFO()
  info.samplerate = 48_000
  info.channels = 2
  info.format = format
  guard let file = sf_open(path, Int32(SFM_WRITE), &info) else { return false }
  defer { sf_close(file) }
  var state: UInt32 = 12_345
  var second = [Float](repeating: 0, count: 96_000)
  for s in 0..<3600 {
    for frame in 0..<48_000 {
      let t = Double(s) + Double(frame) / 48_000
      state = state &* 1_664_525 &+ 1_013_904_223
      let noise = Double(Int32(bitPattern: state)) / Double(Int32.max) * 0.02
      let swell = 0.6 + 0.4 * sin(2 * Double.pi * 3 * t)
      let left =
        swell * (0.25 * sin(2 * Double.pi * 220 * t) + 0.1 * sin(2 * Double.pi * 1_320 * t))
      let right = swell * (0.25 * sin(2 * Double.pi * 330 * t) + 0.1 * sin(2 * Double.pi * 990 * t))
      second[frame * 2] = Float(left + noise)
      second[frame * 2 + 1] = Float(right + noise)
    }
    guard sf_writef_float(file, second, 48_000) == 48_000 else { return false }
  }
  return true
}
