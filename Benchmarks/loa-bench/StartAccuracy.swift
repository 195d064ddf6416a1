import Foundation
import LoaTesting

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

/// The tone: 1 kHz at −6 dBFS for half a second, starting at its crest.
private let toneSeconds = 0.5
/// A sound that starts more than this before its instant is heard early:
/// the recording places a sample on the wall clock to about a millisecond.
private let earlyTolerance = 0.001
/// How late a program may end and still not count as heard early before
/// the next: anything heard after this belongs to the next one's quiet.
private let lateAllowance = 0.5

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
  let recorder: MonitorRecorder
  let environment = server.clientEnvironment
  do {
    try writeToneWAV(to: tone, seconds: toneSeconds)
    recorder = try MonitorRecorder(server: server)
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
      + "  p50 ms  p99 ms  max ms  earliest  heard early  missing  doubled")
  for plan in plans {
    let found = recording.onsets(of: plan.instants, spacing: Double(step))
    results[plan.name] = found.lateness
    let absolute = found.lateness.map(abs).sorted()
    let signed = found.lateness.sorted()
    guard !signed.isEmpty else {
      print(
        plan.name.padding(toLength: 56, withPad: " ", startingAt: 0)
          + "       –       –       –         –"
          + String(format: "%13d %8d %8d", found.early, found.missing, found.doubled))
      continue
    }
    print(
      plan.name.padding(toLength: 56, withPad: " ", startingAt: 0)
        + String(
          format: "%8.1f%8.1f%8.1f%10.1f%13d %8d %8d", signed[signed.count / 2],
          percentile(absolute, 0.99), absolute.last ?? 0, signed.first ?? 0, found.early,
          found.missing, found.doubled))
  }
  print(
    "p50: signed median (negative is early); p99, max: of |lateness|; earliest: the most "
      + "negative; heard early: programs with sound over −30 dBFS in the quiet before their "
      + "instant (from \(lateAllowance) s after the previous tone to \(earlyTolerance * 1000) ms "
      + "before); missing: no onset within ±\(Double(step) / 2) s; doubled: a second onset, or "
      + "sound over 1.5× the tone")
  let spread = recording.spread(0.99)
  print(
    String(
      format:
        "frame 0 on the wall clock: least-delayed 1 %% of %d chunks (the least-delayed one: "
        + "%.1f ms earlier; 99 %% within %.1f ms later); drift over the run %.1f ms",
      recording.chunks.count, spread.early, spread.late, recording.drift))
  return results
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

/// Matching the sounds of a recording with the programs' instants.
extension MonitorRecording {
  /// For each instant: the first sound that starts within half a spacing
  /// of it (its lateness, in ms), and whether anything was heard in the
  /// quiet stretch before it (from the previous program's end, or a spacing
  /// before the first, to `earlyTolerance` before the instant).
  func onsets(of instants: [Date], spacing: Double) -> (
    lateness: [Double], missing: Int, doubled: Int, early: Int
  ) {
    let all = sounds()
    var lateness: [Double] = []
    var missing = 0
    var doubled = 0
    var early = 0
    var quietFrom = (instants.first ?? Date()) - spacing
    for instant in instants {
      if !isSilent(from: quietFrom, to: instant - earlyTolerance, threshold: -30) { early += 1 }
      quietFrom = instant + toneSeconds + lateAllowance
      let mine = all.filter { abs($0.start.timeIntervalSince(instant)) < spacing / 2 }
      guard let first = mine.first else {
        missing += 1
        continue
      }
      lateness.append(first.start.timeIntervalSince(instant) * 1000)
      let heard = first.end.timeIntervalSince(first.start)
      if mine.count > 1 || heard > 1.5 * toneSeconds { doubled += 1 }
    }
    return (lateness, missing, doubled, early)
  }
}
