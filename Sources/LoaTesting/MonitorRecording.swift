// The listener's ear for real-time tests and benchmarks: the private
// server's null sink recorded from its monitor, each sample placed on the
// wall clock, and the sounds found in it.

import Foundation

extension PulseServer {
  /// The environment a PulseAudio client of this server runs with.
  public var clientEnvironment: [String: String] {
    var environment = ProcessInfo.processInfo.environment
    environment["PULSE_SERVER"] = address
    environment["XDG_RUNTIME_DIR"] = folder.path
    environment["HOME"] = folder.path
    return environment
  }
}

/// parec on the null sink's monitor, mono 16-bit at 48 kHz, read on a
/// thread of its own that notes when each chunk arrives. Dropped without
/// `finish()` (a test that failed early), it stops parec all the same.
public final class MonitorRecorder: @unchecked Sendable {
  // @unchecked: `pid` is the owner's alone; the samples are the tape's.
  public static let rate = 48_000
  private var pid: pid_t?
  private let tape = Tape()
  private var reader: Thread?

  /// What parec has sent, shared between the reader thread and `finish()`
  /// under `lock`; the thread holds only this, so that the recorder can go.
  private final class Tape: @unchecked Sendable {
    let lock = NSLock()
    var samples: [Int16] = []
    /// Per chunk: its first frame, and its arrival on the wall clock minus
    /// that frame's offset in the stream (a guess at frame 0's time that
    /// is late by the chunk's delay).
    var chunks: [(frame: Int, frameZero: Double)] = []
  }

  /// Starts recording `server`'s sink `radio`; returns once samples flow.
  public init(server: PulseServer) throws {
    let parec = "/usr/bin/parec"
    guard FileManager.default.isExecutableFile(atPath: parec) else {
      throw PulseServerError("\(parec) is missing (Debian package pulseaudio-utils)")
    }
    // The monitor's latency sets the null sink's block: 1 ms, so that an
    // onset is placed to within a millisecond, and a chunk arrives at most
    // that much ahead of its time.
    let arguments = [
      parec, "-d", "radio.monitor", "--raw", "--format=s16le", "--rate=\(Self.rate)",
      "--channels=1", "--latency-msec=1",
    ]
    // Spawned, not run by Foundation's `Process`, whose wait for the exit
    // can stall while a test's pulseaudio runs (see `PulseServer.start`).
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else {
      throw PulseServerError("pipe: \(String(cString: strerror(errno)))")
    }
    let descriptor = ends[0]
    do {
      pid = try spawn(arguments, environment: server.clientEnvironment, standardOutput: ends[1])
    } catch {
      close(ends[0])
      close(ends[1])
      throw error
    }
    close(ends[1])
    let tape = tape
    let thread = Thread { Self.read(from: descriptor, into: tape) }
    thread.qualityOfService = .userInteractive
    reader = thread
    thread.start()
    let deadline = Date() + 5
    while Date() < deadline {
      if tape.lock.withLock({ !tape.chunks.isEmpty }) { return }
      usleep(10_000)
    }
    _ = finish()
    throw PulseServerError("parec recorded nothing from radio.monitor")
  }

  deinit { stop() }

  private static func read(from descriptor: Int32, into tape: Tape) {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var odd: UInt8? = nil
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      var now = timespec()
      clock_gettime(CLOCK_REALTIME, &now)
      guard count > 0 else {
        close(descriptor)
        return
      }
      let arrival = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
      var bytes = buffer[0..<count]
      var values: [Int16] = []
      values.reserveCapacity(count / 2 + 1)
      if let first = odd, let second = bytes.first {
        values.append(Int16(bitPattern: UInt16(first) | UInt16(second) << 8))
        bytes = bytes.dropFirst()
        odd = nil
      }
      var index = bytes.startIndex
      while index + 1 < bytes.endIndex {
        values.append(Int16(bitPattern: UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8))
        index += 2
      }
      if index < bytes.endIndex { odd = bytes[index] }
      tape.lock.withLock {
        let frame = tape.samples.count
        tape.chunks.append((frame, arrival - Double(frame) / Double(rate)))
        tape.samples.append(contentsOf: values)
      }
    }
  }

  /// Stops parec and returns what it recorded.
  public func finish() -> MonitorRecording {
    stop()
    return tape.lock.withLock { MonitorRecording(samples: tape.samples, chunks: tape.chunks) }
  }

  /// Ends parec and waits for the reader, which ends at end of file.
  private func stop() {
    if let pid {
      kill(pid, SIGTERM)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
      self.pid = nil
    }
    while reader?.isFinished == false { usleep(10_000) }
  }
}

/// The recorded monitor, placed on the wall clock.
public struct MonitorRecording: Sendable, CustomStringConvertible {
  /// How early a sound on time may seem to a test: the recording places a
  /// sample to a millisecond or two, and on a shared machine a sound
  /// server's start varies by more (`loa-bench start` reports how many
  /// programs, and how early: up to 6 ms with the code before the start
  /// was reworked and up to 18 ms after, in runs of 50 on a noisy day; 0
  /// on a quiet one). Sound heard earlier than this is a defect: the one it
  /// guards against put 200 ms of a program on the air 2 s early.
  public static let earlyAllowance = 0.02

  public let samples: [Int16]
  public let chunks: [(frame: Int, frameZero: Double)]
  private var rate: Double { Double(MonitorRecorder.rate) }

  /// Short, for a failed expectation: not every sample.
  public var description: String {
    String(format: "%.3f s recorded in %d chunks", Double(samples.count) / rate, chunks.count)
  }

  /// A sound: from its first sample over the threshold to its last.
  public struct Sound: Sendable {
    public let start: Date
    public let end: Date
  }

  /// Wall-clock time of frame 0 as seen from the chunks within 10 s of
  /// `frame` (so that a slow drift between the sink's clock and the wall
  /// clock over a long run does not count): their least-delayed 1 %.
  ///
  /// Not the least-delayed chunk itself: the null sink renders its blocks
  /// when their time comes and parec passes them on within a fraction of a
  /// millisecond, steadily, but when a client connects the sink rewinds and
  /// a few odd-sized chunks arrive up to a block ahead of their time; they
  /// are fewer than one in a thousand.
  public func frameZero(near frame: Int) -> Double {
    let window = 10 * MonitorRecorder.rate
    let near = chunks.filter { abs($0.frame - frame) <= window }.map(\.frameZero).sorted()
    return percentile(near.isEmpty ? chunks.map(\.frameZero).sorted() : near, 0.01)
  }

  /// The wall-clock time of recorded frame `frame`.
  public func time(ofFrame frame: Int) -> Date {
    Date(timeIntervalSince1970: frameZero(near: frame) + Double(frame) / rate)
  }

  /// The recorded frame heard at `date` (about).
  public func frame(at date: Date) -> Int {
    let guess = Int((date.timeIntervalSince1970 - (chunks.first?.frameZero ?? 0)) * rate)
    return Int(((date.timeIntervalSince1970 - frameZero(near: guess)) * rate).rounded())
  }

  /// How much earlier than `frameZero` the least-delayed chunk of the
  /// whole run arrived, and how much later the chunk at `fraction`, in ms.
  public func spread(_ fraction: Double) -> (early: Double, late: Double) {
    let all = chunks.map(\.frameZero).sorted()
    let reference = percentile(all, 0.01)
    return (
      ((reference - (all.first ?? reference)) * 1000),
      (percentile(all, fraction) - reference) * 1000
    )
  }

  /// Frame 0 as seen near the end, minus as seen near the start, in ms.
  public var drift: Double {
    guard let last = chunks.last else { return 0 }
    return (frameZero(near: last.frame) - frameZero(near: 0)) * 1000
  }

  /// Sounds: a sample over `threshold` dBFS starts one after at least `gap`
  /// seconds below it (a sine dips below any threshold for a few samples
  /// around each zero crossing).
  public func sounds(threshold: Double = -30, gap: Double = 0.05) -> [Sound] {
    let level = Int16(32_768 * pow(10, threshold / 20))
    let gapFrames = Int(gap * rate)
    var found: [(start: Int, end: Int)] = []
    var lastLoud = -gapFrames - 1
    for (index, sample) in samples.enumerated() where sample > level || sample < -level {
      if index - lastLoud > gapFrames {
        found.append((index, index))
      } else if !found.isEmpty {
        found[found.count - 1].end = index
      }
      lastLoud = index
    }
    return found.map { Sound(start: time(ofFrame: $0.start), end: time(ofFrame: $0.end)) }
  }

  /// The sounds that start within `from..<to`.
  public func sounds(from: Date, to: Date, threshold: Double = -30) -> [Sound] {
    sounds(threshold: threshold).filter { $0.start >= from && $0.start < to }
  }

  /// Whether anything at all over `threshold` dBFS was heard in `from..<to`.
  public func isSilent(from: Date, to: Date, threshold: Double = -50) -> Bool {
    let level = Int16(32_768 * pow(10, threshold / 20))
    let first = max(0, frame(at: from))
    let last = min(samples.count, frame(at: to))
    guard first < last else { return true }
    return !samples[first..<last].contains { $0 > level || $0 < -level }
  }
}

/// Nearest-rank percentile of sorted `values`.
public func percentile(_ values: [Double], _ fraction: Double) -> Double {
  guard !values.isEmpty else { return 0 }
  let rank = Int((fraction * Double(values.count)).rounded(.up)) - 1
  return values[min(max(rank, 0), values.count - 1)]
}

/// Writes a 48 kHz stereo 16-bit WAV of a 1 kHz tone at −6 dBFS, at full
/// level from its first sample (a cosine starts at its crest), so that its
/// onset is its first frame.
public func writeToneWAV(to path: String, seconds: Double, rate: Int = 48_000) throws {
  try writeWAV(to: path, frames: Int(seconds * Double(rate)), channels: 2, rate: rate) { frame in
    Int16((16_383 * cos(2 * Double.pi * 1_000 * Double(frame) / Double(rate))).rounded())
  }
}

/// Writes a 16-bit WAV of `frames` frames, every channel of a frame the
/// sample that `sample` gives for it.
public func writeWAV(
  to path: String, frames: Int, channels: Int, rate: Int, sample: (Int) -> Int16
) throws {
  var data = Data(capacity: 44 + frames * channels * 2)
  func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
  }
  data.append(contentsOf: Array("RIFF".utf8))
  append(UInt32(36 + frames * channels * 2))
  data.append(contentsOf: Array("WAVEfmt ".utf8))
  append(UInt32(16))
  append(UInt16(1))
  append(UInt16(channels))
  append(UInt32(rate))
  append(UInt32(rate * channels * 2))
  append(UInt16(channels * 2))
  append(UInt16(16))
  data.append(contentsOf: Array("data".utf8))
  append(UInt32(frames * channels * 2))
  for frame in 0..<frames {
    let value = sample(frame)
    for _ in 0..<channels { append(value) }
  }
  try data.write(to: URL(fileURLWithPath: path))
}

/// The executable `name` that this test run built, beside its test bundle;
/// never another (an older one in `.build/debug`), which would test other
/// code and could pass for it.
public func builtProduct(_ name: String) throws -> String {
  let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
  let path = folder.appendingPathComponent(name).path
  guard FileManager.default.isExecutableFile(atPath: path) else {
    throw MissingProduct(name: name, path: path)
  }
  return path
}

/// The test run's own build of an executable is not where it should be.
public struct MissingProduct: Error, CustomStringConvertible {
  public let name: String
  public let path: String
  public var description: String {
    "no \(name) built beside the test bundle at \(path): build it with the tests "
      + "(swift build --build-tests), then run them (swift test --skip-build)"
  }
}
