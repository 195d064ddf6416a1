// The station under faults, for the fault benchmark (`loa-bench faults`)
// and the crash test of `loa run`: the real `loa run` plays a 2 s tone
// every 8 s through ALSA's `pulse` PCM into a private PulseAudio null sink
// whose monitor is recorded (what a listener hears), while one kind of
// fault strikes once a program; then its log is held against what was
// heard.

import Foundation
import LoaLog

/// One kind of fault, struck once a program.
public enum Fault: String, CaseIterable, Sendable {
  case kill = "kill -9 around starts"
  case disk = "disk full and freed"
  case device = "device loss"
  case reloads = "reload storms"
}

/// What became of the programs of one kind of fault.
public struct FaultTally: Sendable {
  public var planned = 0
  public var heard = 0
  public var logged = 0
  public var loggedCorrectly = 0
  public var airedTwice = 0
  public var lost = 0
  /// The programs whose log does not say what was heard, in a few words.
  public var wrong: [String] = []
  /// When each fault struck, from its program's start: to run it again.
  public var strikes: [String] = []
}

/// One kind of fault over its rounds: the server, the ear, the daemon.
public final class FaultRounds {
  let fault: Fault
  let loa: String
  let rounds: Int
  let folder: String
  let length = 2.0
  let spacing = 8.0
  var pulse: PulseServer
  var ear: MonitorRecorder
  var recordings: [MonitorRecording] = []
  var disk: SmallDisk?
  var daemon: pid_t?
  var generator = SystemRandomNumberGenerator()
  var strikes: [String] = []

  /// - Parameters:
  ///   - loa: the `loa` binary to run.
  ///   - rounds: programs, each struck once.
  ///   - folder: for the station, made anew.
  public init(_ fault: Fault, loa: String, rounds: Int, in folder: String) throws {
    self.fault = fault
    self.loa = loa
    self.rounds = rounds
    self.folder = folder
    try? FileManager.default.removeItem(atPath: folder)
    try FileManager.default.createDirectory(
      atPath: folder + "/audio", withIntermediateDirectories: true)
    try writeToneWAV(to: folder + "/audio/tone.wav", seconds: length)
    if fault == .disk { disk = try SmallDisk(size: "400k") }
    pulse = try PulseServer(exporting: false)
    ear = try MonitorRecorder(server: pulse)
  }

  var state: String { disk?.path("state") ?? folder + "/state" }
  var schedule: String { folder + "/station.yaml" }

  /// Plays the rounds, striking each, and holds the log against what was
  /// heard.
  public func run() throws -> FaultTally {
    let zero = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 + 6).rounded(.up))
    let instants = (0..<rounds).map { zero + Double($0) * spacing }
    let yaml = stationYAML(
      instants, audio: folder + "/audio", file: "tone.wav", output: "pulse", catchUp: "10m")
    try yaml.write(toFile: schedule, atomically: true, encoding: .utf8)
    try startDaemon()
    for (index, instant) in instants.enumerated() {
      let offset = try strike(at: instant, valid: yaml)
      strikes.append(String(format: "p%d %+.2f s", index, offset))
    }
    Thread.sleep(until: (instants.last ?? zero) + length + 4)
    stopDaemon(SIGTERM)
    recordings.append(ear.finish())
    // (The small disk goes with the run, once its log is read.)
    return try tally(instants)
  }

  /// The fault of this run, around the program at `instant`; returns when
  /// it struck, from the instant.
  private func strike(at instant: Date, valid yaml: String) throws -> Double {
    switch fault {
    case .kill:
      let offset = Double.random(in: -2...2, using: &generator)
      Thread.sleep(until: instant + offset)
      stopDaemon(SIGKILL)
      Thread.sleep(forTimeInterval: 2.5)
      try startDaemon()
      return offset
    case .disk:
      guard let disk else { return 0 }
      Thread.sleep(until: instant - 1)
      disk.fill()
      Thread.sleep(until: instant + length + 1)
      disk.shrinkFiller()
      return -1
    case .device:
      let offset = Double.random(in: 0.3...1.5, using: &generator)
      Thread.sleep(until: instant + offset)
      recordings.append(ear.finish())
      pulse.stop()
      Thread.sleep(forTimeInterval: 0.5)
      try pulse.start()
      ear = try MonitorRecorder(server: pulse)
      return offset
    case .reloads:
      Thread.sleep(until: instant - 1.5)
      var valid = true
      while Date() < instant + 1.5 {
        valid.toggle()
        try (valid ? yaml : yaml + "bogus: true\n").write(
          toFile: schedule, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.05)
      }
      try yaml.write(toFile: schedule, atomically: true, encoding: .utf8)
      return -1.5
    }
  }

  private func startDaemon() throws {
    daemon = try spawn(
      [loa, "run", "--schedule", schedule, "--state", state],
      environment: pulse.clientEnvironment, output: folder + "/daemon.log")
  }

  private func stopDaemon(_ signal: Int32) {
    guard let pid = daemon else { return }
    kill(pid, signal)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    daemon = nil
  }

  /// Each program owns the time from 1 s before its start to 1 s before
  /// the next: what is heard then is its airing (or airings).
  private func tally(_ instants: [Date]) throws -> FaultTally {
    let airings = try AiringLog.openForReading(folder: state).airings()
    var tally = FaultTally(planned: instants.count, strikes: strikes)
    for (index, instant) in instants.enumerated() {
      let window = (instant - 1, instant + spacing - 1)
      let heard = recordings.flatMap { $0.sounds(from: window.0, to: window.1) }
        .reduce(0) { $0 + $1.end.timeIntervalSince($1.start) }
      let row = airings.first { $0.program == "p\(index)" }
      if heard > 0.05 { tally.heard += 1 }
      if heard > length + 0.3 { tally.airedTwice += 1 }
      guard let row else {
        tally.lost += 1
        tally.wrong.append("p\(index): not in the log; heard \(seconds(heard))")
        continue
      }
      tally.logged += 1
      let played = row.playedSeconds ?? 0
      let correct: Bool
      switch row.status {
      case .completed:
        correct = abs(heard - length) <= 0.3 && abs(played - length) <= 0.3
      case .missed, .skipped:
        correct = heard <= 0.05
      case .playing:
        correct = false
      default:
        // Cut short: the log knows how long to within its beats on air
        // (every second), the device's buffer, and what a loaded machine
        // adds to a beat's write.
        correct = heard > 0.05 && abs(played - heard) <= 1.5
      }
      if correct {
        tally.loggedCorrectly += 1
      } else {
        tally.wrong.append(
          "p\(index): logged \(row.status.rawValue), \(seconds(played)); heard \(seconds(heard))")
      }
    }
    return tally
  }

  private func seconds(_ value: Double) -> String { String(format: "%.2f s", value) }
}

/// A station with a program at each instant (station time, UTC+7), each
/// playing `file` from `audio` to `output`.
public func stationYAML(
  _ instants: [Date], audio: String = "audio", file: String = "tone.wav",
  output: String = "pulse", catchUp: String = "10s"
) -> String {
  var calendar = Calendar(identifier: .gregorian)
  calendar.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh") ?? .gmt
  var yaml = """
    station:
      name: Đài truyền thanh đo thời gian
      audio_dir: \(audio)
      output: "\(output)"
      catch_up: \(catchUp)
    programs:

    """
  for (index, instant) in instants.enumerated() {
    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
    let day = String(format: "%04d-%02d-%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0)
    yaml += """
        - id: p\(index)
          title: Chương trình \(index)
          start: "\(String(format: "%02d:%02d:%02d", c.hour ?? 0, c.minute ?? 0, c.second ?? 0))"
          repeat: daily
          from: \(day)
          until: \(day)
          segments: [ { file: \(file) } ]

      """
  }
  return yaml
}
