import CSndFile
import Foundation
import LoaTestSupport

// Start accuracy: when the first sound of a program comes out, against its
// planned start, for several ways of putting a program on air.
//
// The harness starts a private PulseAudio server whose null sink, `radio`,
// is a real-time clock with no sound card, and records the sink's monitor
// with parec for the whole run, noting when each chunk arrives. Each
// contender plays a tone at whole-second instants, one contender after
// another. The onset of each program (its first sample above −30 dBFS) is
// placed on the wall clock through the recording's frame 0, and lateness is
// the onset minus the planned instant.

/// One way to put a program on air at given instants.
struct StartContender {
  let name: String
  /// Launches whatever plays `tone` (a WAV path) at each of `instants` (whole seconds, wall
  /// clock) through the PulseAudio server that `environment` names in PULSE_SERVER (by ALSA's
  /// `pulse` PCM, or natively where that is what the player offers); returns the processes to
  /// wait for / kill at the end. `folder` is the contender's own, for scripts and logs.
  let launch:
    (_ instants: [Date], _ tone: String, _ environment: [String: String], _ folder: String) throws
      -> [Process]
}

extension StartContender {
  /// What an operator with cron or a systemd timer would write: one shell per
  /// program that sleeps until the instant and then execs `aplay`.
  ///
  /// The shell reads the clock itself (`date +%s%N`) and sleeps the
  /// fractional rest, so the time spent spawning it is not counted twice;
  /// what remains is the `sleep` and `aplay` start-up, as with a timer.
  /// `lateBy` shifts every start on purpose, to check the measurement.
  static func cronAplay(lateBy seconds: Double = 0) -> StartContender {
    let name =
      seconds == 0
      ? "sleep until the instant; aplay -D pulse (cron style)"
      : String(format: "the same, deliberately %.0f ms late", seconds * 1000)
    return StartContender(name: name) { instants, tone, environment, folder in
      let script = """
        target_ns=$(($1 * 1000000000 + $2))
        ns=$((target_ns - $(date +%s%N)))
        if [ "$ns" -gt 0 ]; then
          sleep "$((ns / 1000000000)).$(printf %09d $((ns % 1000000000)))"
        fi
        exec aplay -q -D pulse "$3"
        """
      let offset = Int((seconds * 1e9).rounded())
      return try instants.enumerated().map { index, instant in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        let target = Int(instant.timeIntervalSince1970.rounded())
        process.arguments = ["-c", script, "cron", String(target), String(offset), tone]
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try logFile("\(folder)/cron-\(index).log")
        try process.run()
        return process
      }
    }
  }

  /// Liquidsoap (Debian's 2.1.3) running a generated script: a `switch` of
  /// time predicates such as `{10h30m15s}`, one per program, each selecting
  /// `once(single(tone))` so that it plays once although the predicate holds
  /// for the whole second; `blank()` otherwise. `track_sensitive=false`
  /// lets the switch leave the endless blank track as soon as a predicate
  /// holds. Liquidsoap evaluates the predicates once per 40 ms frame.
  ///
  /// Output through `output.pulseaudio`, at its defaults and the station's
  /// 48 kHz. Not `output.alsa(device="pulse")`: at its defaults it asks ALSA
  /// for a 2^20-frame buffer, which the pulse PCM grants, so sound comes out
  /// about 22 s late; with `settings.alsa.alsa_buffer` at 100 ms it starts
  /// about as late as `output.pulseaudio`, and unbuffered it underruns.
  static var liquidsoap: StartContender {
    StartContender(name: "liquidsoap 2.1.3: switch of {HhMmSs} predicates") {
      instants, tone, environment, folder in
      var calendar = Calendar(identifier: .gregorian)
      calendar.timeZone = TimeZone.current
      let branches = instants.enumerated().map { index, instant in
        let time = calendar.dateComponents([.hour, .minute, .second], from: instant)
        return "  ({\(time.hour ?? 0)h\(time.minute ?? 0)m\(time.second ?? 0)s}, p\(index)),"
      }
      let sources = instants.indices.map { "p\($0) = once(single(\(quoted(tone))))" }
      let script = """
        settings.init.allow_root.set(true)
        settings.log.file.set(false)
        settings.log.stdout.set(true)
        settings.frame.audio.samplerate.set(48000)
        \(sources.joined(separator: "\n"))
        radio = switch(track_sensitive=false, [
        \(branches.joined(separator: "\n"))
          ({true}, blank())
        ])
        output.pulseaudio(radio)

        """
      let path = "\(folder)/start.liq"
      try script.write(toFile: path, atomically: true, encoding: .utf8)
      let process = Process()
      process.executableURL = URL(fileURLWithPath: "/usr/bin/liquidsoap")
      process.arguments = [path]
      process.environment = environment
      let log = try logFile("\(folder)/liquidsoap.log")
      process.standardOutput = log
      process.standardError = log
      try process.run()
      return [process]
    }
  }
}

/// A liquidsoap string literal.
private func quoted(_ text: String) -> String {
  "\""
    + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    + "\""
}

private func logFile(_ path: String) throws -> FileHandle {
  guard FileManager.default.createFile(atPath: path, contents: nil),
    let handle = FileHandle(forWritingAtPath: path)
  else { throw StartBenchError("cannot create \(path)") }
  return handle
}

struct StartBenchError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}

/// The recording's sample rate, the sink's and the tone's.
private let rate = 48_000
/// A program has started once a sample exceeds −30 dBFS.
private let threshold = Int16(32_768 * pow(10, -30.0 / 20))
/// The tone: 1 kHz at −6 dBFS for half a second, starting at its crest.
private let toneSeconds = 0.5
/// Below-threshold time that ends a sound (a sine dips below the threshold
/// for a few samples around each zero crossing).
private let gapFrames = rate / 20

/// Measures every contender in turn, `programs` programs each, `spacing`
/// seconds apart (rounded to whole seconds), and prints a table. Returns the
/// lateness in ms of each program that started, per contender name.
@discardableResult
func benchmarkStartAccuracy(contenders: [StartContender], programs: Int, spacing: Double)
  -> [String: [Double]]
{
  let step = max(1, Int(spacing.rounded()))
  guard programs > 0 else { return [:] }
  // The private server of the audio tests: a null sink `radio` at 48 kHz.
  let server: PulseServer
  do {
    server = try PulseServer(exporting: false)
  } catch {
    print("start accuracy: \(error) (install it: scripts/install-deps.sh --bench)")
    return [:]
  }
  let folder = server.folder.url.path
  let tone = "\(folder)/tone.wav"
  guard writeTone(to: tone) else {
    print("start accuracy: cannot write \(tone): \(String(cString: sf_strerror(nil)))")
    return [:]
  }
  let recorder: MonitorRecorder
  var environment = ProcessInfo.processInfo.environment
  environment["PULSE_SERVER"] = server.address
  environment["XDG_RUNTIME_DIR"] = folder
  environment["HOME"] = folder
  do {
    recorder = try MonitorRecorder(environment: environment)
  } catch {
    print("start accuracy: \(error)")
    return [:]
  }

  // Each contender in its own stretch of the recording, one after another.
  var plans: [(name: String, instants: [Date])] = []
  for contender in contenders {
    let first = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 8).rounded(.up))
    let instants = (0..<programs).map { first + Double($0 * step) }
    let subfolder = "\(folder)/\(plans.count)"
    try? FileManager.default.createDirectory(atPath: subfolder, withIntermediateDirectories: true)
    let processes: [Process]
    do {
      processes = try contender.launch(instants, tone, environment, subfolder)
    } catch {
      print("start accuracy: cannot launch \(contender.name): \(error)")
      continue
    }
    plans.append((contender.name, instants))
    let end = (instants.last ?? first) + toneSeconds + 2
    Thread.sleep(forTimeInterval: max(0, end.timeIntervalSinceNow))
    stop(processes)
  }
  let recording = recorder.finish()

  var results: [String: [Double]] = [:]
  print(
    "start accuracy: first sound on a PulseAudio null sink minus the planned start, "
      + "\(programs) programs \(step) s apart each")
  print(
    "what".padding(toLength: 56, withPad: " ", startingAt: 0)
      + "  p50 ms  p99 ms  max ms  missing  doubled")
  for plan in plans {
    let found = recording.onsets(of: plan.instants, spacing: Double(step))
    results[plan.name] = found.lateness
    let absolute = found.lateness.map(abs).sorted()
    let signed = found.lateness.sorted()
    guard !signed.isEmpty else {
      print(
        plan.name.padding(toLength: 56, withPad: " ", startingAt: 0)
          + "       –       –       –" + String(format: "%9d %8d", found.missing, found.doubled))
      continue
    }
    print(
      plan.name.padding(toLength: 56, withPad: " ", startingAt: 0)
        + String(
          format: "%8.1f%8.1f%8.1f%9d %8d", signed[signed.count / 2], percentile(absolute, 0.99),
          absolute.last ?? 0, found.missing, found.doubled))
  }
  print(
    "p50: signed median (negative is early); p99, max: of |lateness|; missing: no onset within "
      + "±\(Double(step) / 2) s; doubled: a second onset, or sound over 1.5× the tone")
  let spread = recording.spread(0.99)
  print(
    String(
      format:
        "frame 0 on the wall clock: least-delayed 1 %% of %d chunks (the least-delayed one: "
        + "%.1f ms earlier; 99 %% within %.1f ms later); drift over the run %.1f ms",
      recording.chunks.count, spread.early, spread.late, recording.drift))
  return results
}

/// Nearest-rank percentile of sorted `values`.
private func percentile(_ values: [Double], _ fraction: Double) -> Double {
  guard !values.isEmpty else { return 0 }
  let rank = Int((fraction * Double(values.count)).rounded(.up)) - 1
  return values[min(max(rank, 0), values.count - 1)]
}

/// The tone, 48 kHz stereo 16-bit WAV, at full level from its first sample.
private func writeTone(to path: String) -> Bool {
  var info = SF_INFO()
  info.samplerate = Int32(rate)
  info.channels = 2
  info.format = Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)
  guard let file = sf_open(path, Int32(SFM_WRITE), &info) else { return false }
  defer { sf_close(file) }
  let frames = Int(toneSeconds * Double(rate))
  var samples = [Float](repeating: 0, count: frames * 2)
  for frame in 0..<frames {
    // Cosine: the first sample is the crest, so the onset is the first frame.
    let value = Float(0.5 * cos(2 * Double.pi * 1_000 * Double(frame) / Double(rate)))
    samples[frame * 2] = value
    samples[frame * 2 + 1] = value
  }
  return sf_writef_float(file, samples, sf_count_t(frames)) == sf_count_t(frames)
}

/// Ends `processes`: SIGTERM, then SIGKILL to those still running after 2 s.
private func stop(_ processes: [Process]) {
  for process in processes where process.isRunning { process.terminate() }
  let deadline = Date() + 2
  while processes.contains(where: \.isRunning), Date() < deadline { usleep(20_000) }
  for process in processes where process.isRunning {
    kill(process.processIdentifier, SIGKILL)
  }
  for process in processes { process.waitUntilExit() }
}

/// parec on the sink's monitor, mono 16-bit at 48 kHz, read on a thread of
/// its own that notes when each chunk arrives.
private final class MonitorRecorder: @unchecked Sendable {
  private let process = Process()
  private let lock = NSLock()
  private var samples: [Int16] = []
  /// Per chunk: its first frame, and its arrival on the wall clock minus
  /// that frame's offset in the stream (a guess at frame 0's time that is
  /// late by the chunk's delay).
  private var chunks: [(frame: Int, frameZero: Double)] = []
  private var reader: Thread?

  init(environment: [String: String]) throws {
    let pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/parec")
    // The monitor's latency sets the null sink's block: it renders in
    // blocks of 1 ms, so that an onset is placed to within a millisecond
    // (at 5 ms, every contender's start would be rounded up to the next
    // 5 ms block, as wide as the target itself), and a chunk arrives at most
    // that much ahead of its time.
    process.arguments = [
      "-d", "radio.monitor", "--raw", "--format=s16le", "--rate=\(rate)", "--channels=1",
      "--latency-msec=1",
    ]
    process.environment = environment
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/parec") else {
      throw StartBenchError("/usr/bin/parec is missing (Debian package pulseaudio-utils)")
    }
    try process.run()
    let descriptor = pipe.fileHandleForReading.fileDescriptor
    let thread = Thread { [self] in read(from: descriptor) }
    thread.qualityOfService = .userInteractive
    reader = thread
    thread.start()
    // Until the stream flows, the contenders must wait.
    let deadline = Date() + 5
    while Date() < deadline {
      let flowing = lock.withLock { !chunks.isEmpty }
      if flowing { return }
      usleep(10_000)
    }
    process.terminate()
    throw StartBenchError("parec recorded nothing from radio.monitor")
  }

  private func read(from descriptor: Int32) {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var odd: UInt8? = nil
    while true {
      let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
      var now = timespec()
      clock_gettime(CLOCK_REALTIME, &now)
      guard count > 0 else { return }
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
      lock.withLock {
        let frame = samples.count
        chunks.append((frame, arrival - Double(frame) / Double(rate)))
        samples.append(contentsOf: values)
      }
    }
  }

  /// Stops parec and returns what it recorded.
  func finish() -> Recording {
    process.terminate()
    process.waitUntilExit()
    // The reader ends at end of file, once parec has gone.
    while reader?.isFinished == false { usleep(10_000) }
    return lock.withLock { Recording(samples: samples, chunks: chunks) }
  }
}

/// The recorded monitor, placed on the wall clock.
private struct Recording {
  let samples: [Int16]
  let chunks: [(frame: Int, frameZero: Double)]

  /// Wall-clock time of frame 0 as seen from the chunks within 10 s of
  /// `frame` (so that a slow drift between the sink's clock and the wall
  /// clock over a long run does not count): their least-delayed 1 %.
  ///
  /// Not the least-delayed chunk itself: the null sink renders 5 ms blocks
  /// when their time comes and parec passes them on within a fraction of a
  /// millisecond, steadily, but when a client connects the sink rewinds and
  /// a few odd-sized chunks arrive up to a block ahead of their time; they
  /// are fewer than one in a thousand.
  func frameZero(near frame: Int) -> Double {
    let window = 10 * rate
    let near = chunks.filter { abs($0.frame - frame) <= window }.map(\.frameZero).sorted()
    return percentile(near.isEmpty ? chunks.map(\.frameZero).sorted() : near, 0.01)
  }

  /// How much earlier than `frameZero` the least-delayed chunk of the
  /// whole run arrived, and how much later the chunk at `fraction`, in ms.
  func spread(_ fraction: Double) -> (early: Double, late: Double) {
    let all = chunks.map(\.frameZero).sorted()
    let reference = percentile(all, 0.01)
    return (
      ((reference - (all.first ?? reference)) * 1000),
      (percentile(all, fraction) - reference) * 1000
    )
  }

  /// Frame 0 as seen near the end, minus as seen near the start, in ms.
  var drift: Double {
    guard let last = chunks.last else { return 0 }
    return (frameZero(near: last.frame) - frameZero(near: 0)) * 1000
  }

  /// Onsets of sounds: first frame above the threshold after at least
  /// `gapFrames` below it, with the frame its sound last exceeded it.
  func sounds() -> [(start: Int, end: Int)] {
    var found: [(start: Int, end: Int)] = []
    var lastLoud = -gapFrames - 1
    for (index, sample) in samples.enumerated() where sample > threshold || sample < -threshold {
      if index - lastLoud > gapFrames {
        found.append((index, index))
      } else if !found.isEmpty {
        found[found.count - 1].end = index
      }
      lastLoud = index
    }
    return found
  }

  /// Matches sounds with `instants`: each instant owns the sounds that start
  /// within half a spacing of it.
  func onsets(of instants: [Date], spacing: Double) -> (
    lateness: [Double], missing: Int, doubled: Int
  ) {
    let all = sounds()
    var lateness: [Double] = []
    var missing = 0
    var doubled = 0
    for instant in instants {
      let planned = instant.timeIntervalSince1970
      let near = Int((planned - (chunks.first?.frameZero ?? planned)) * Double(rate))
      let zero = frameZero(near: near)
      let mine = all.filter {
        abs(zero + Double($0.start) / Double(rate) - planned) < spacing / 2
      }
      guard let first = mine.first else {
        missing += 1
        continue
      }
      lateness.append((zero + Double(first.start) / Double(rate) - planned) * 1000)
      let heard = Double(first.end - first.start) / Double(rate)
      if mine.count > 1 || heard > 1.5 * toneSeconds { doubled += 1 }
    }
    return (lateness, missing, doubled)
  }
}
