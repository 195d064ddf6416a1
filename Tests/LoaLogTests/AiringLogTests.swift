import Foundation
import LoaTesting
import Testing

@testable import LoaLog

func entry(_ program: String?, at planned: Date?, kind: AiringKind = .program) -> AiringEntry {
  AiringEntry(
    kind: kind, program: program, title: "Chương trình \(program ?? "tay")", plannedStart: planned,
    device: "null",
    items: [
      ItemEntry(kind: .file, file: "nhac-hieu.ogg", sha256: "ab", plannedSeconds: 6.8),
      ItemEntry(
        kind: .campaign, file: "c.ogg", campaign: "dai-hoi", planItem: "II.6", plannedSeconds: 16),
    ])
}

let t0 = Date(timeIntervalSince1970: 1_759_271_400)  // 2025-10-01 05:30 +07:00

@Suite("The airing log")
struct AiringLogTests {
  @Test("an airing is playing once begun, and completed with its items once finished")
  func lifecycle() throws {
    let state = try TemporaryFolder()
    let log = try AiringLog.openForWriting(folder: state.path)
    let id = try log.begin(entry("sang", at: t0))
    #expect(try log.airings().map(\.status) == [.playing])
    try log.itemStarted(airing: id, position: 0, at: t0 + 0.002)
    try log.itemEnded(
      airing: id, position: 0,
      Outcome(
        status: .completed, startedAt: nil, endedAt: t0 + 6.802, frames: 326_400,
        playedSeconds: 6.8, reason: nil))
    try log.finish(
      airing: id,
      Outcome(
        status: .interrupted, startedAt: t0 + 0.002, endedAt: t0 + 7, frames: 336_000,
        playedSeconds: 7, reason: "emergency announcement"), lateMilliseconds: 2, xruns: 1)
    let airing = try #require(try log.airings().first)
    #expect(airing.status == .interrupted && airing.reason == "emergency announcement")
    #expect(airing.lateMilliseconds == 2 && airing.xruns == 1 && airing.frames == 336_000)
    #expect(airing.items[0].status == .completed)
    #expect(abs((airing.items[0].startedAt ?? .distantPast).timeIntervalSince(t0 + 0.002)) < 1e-6)
    #expect(
      airing.items[1].status == .interrupted && airing.items[1].reason == "emergency announcement")
    #expect(try log.integrityCheck() == "ok")
  }

  @Test("a missed airing is recorded once, whoever records it again")
  func missedOnce() throws {
    let state = try TemporaryFolder()
    let log = try AiringLog.openForWriting(folder: state.path)
    #expect(try log.record(entry("sang", at: t0), status: .missed, reason: "station off") != nil)
    #expect(try log.record(entry("sang", at: t0), status: .missed, reason: "station off") == nil)
    let airings = try log.airings()
    #expect(
      airings.count == 1 && airings[0].status == .missed && airings[0].reason == "station off")
    #expect(airings[0].items.allSatisfy { $0.status == .missed })
  }

  @Test("filters by range, program, campaign and status")
  func filters() throws {
    let state = try TemporaryFolder()
    let log = try AiringLog.openForWriting(folder: state.path)
    _ = try log.record(entry("sang", at: t0), status: .missed, reason: "off")
    _ = try log.record(entry("chieu", at: t0 + 41_400), status: .skipped, reason: "conflict")
    var plain = entry("tin", at: t0 + 86_400)
    plain.items.removeLast()
    _ = try log.record(plain, status: .missed, reason: "off")
    #expect(try log.airings(.init(from: t0 + 1)).map(\.program) == ["chieu", "tin"])
    #expect(try log.airings(.init(to: t0 + 86_400)).map(\.program) == ["sang", "chieu"])
    #expect(try log.airings(.init(program: "chieu")).count == 1)
    #expect(try log.airings(.init(campaign: "dai-hoi")).map(\.program) == ["sang", "chieu"])
    #expect(try log.airings(.init(status: .skipped)).map(\.program) == ["chieu"])
  }

  @Test("a reader sees a live writer's airing as playing and does not touch it")
  func readerLeavesLiveWriter() throws {
    let state = try TemporaryFolder()
    let writer = try AiringLog.openForWriting(folder: state.path)
    _ = try writer.begin(entry("sang", at: t0))
    // Another writer opening meanwhile must not close it: its writer lives.
    _ = try AiringLog.openForWriting(folder: state.path)
    let reader = try AiringLog.openForReading(folder: state.path)
    #expect(try reader.airings().map(\.status) == [.playing])
  }

  @Test("a reader of a state folder with no log is told so, naming the file")
  func noLog() throws {
    let state = try TemporaryFolder()
    #expect {
      _ = try AiringLog.openForReading(folder: state.path)
    } throws: { error in
      "\(error)".contains("no airing log at '\(state.path)/airings.sqlite'")
    }
  }

  @Test("a reader of a log file no writer has set up is told it is empty, not of a missing table")
  func emptyLog() throws {
    let state = try TemporaryFolder()
    #expect(FileManager.default.createFile(atPath: state.path("airings.sqlite"), contents: Data()))
    #expect {
      _ = try AiringLog.openForReading(folder: state.path)
    } throws: { error in
      "\(error)"
        == "the airing log '\(state.path)/airings.sqlite' is empty: nothing has been logged in it yet"
    }
  }
}

/// The `loa-log-writer` this test run built.
var writerBinary: String {
  get throws { try builtProduct("loa-log-writer") }
}

@Suite("The airing log under kill -9")
struct CrashTests {
  @Test(
    "a writer killed at random moments, 40 times: nothing lost or doubled, the file sound, every airing cut interrupted with when it was heard, outages apart from what aired"
  )
  func survivesKills() throws {
    let state = try TemporaryFolder()
    var begun: Set<Int64> = []
    var started: Set<Int64> = []
    var done: Set<Int64> = []
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<40 {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: try writerBinary)
      process.arguments = [state.path]
      let output = Pipe()
      process.standardOutput = output
      try process.run()
      usleep(UInt32.random(in: 30_000...250_000, using: &generator))
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
      #expect(process.terminationReason == .uncaughtSignal)
      let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      for line in text.split(separator: "\n") {
        let parts = line.split(separator: " ")
        guard parts.count == 2, let id = Int64(parts[1]) else { continue }
        switch parts[0] {
        case "begun": begun.insert(id)
        case "started": started.insert(id)
        default: done.insert(id)
        }
      }
      // The next writer to open closes what the dead one left.
      let log = try AiringLog.openForWriting(folder: state.path)
      #expect(try log.integrityCheck() == "ok")
      let airings = try log.airings()
      let ids = Set(airings.map(\.id))
      // Begun but not started: nothing went out, the row is gone so that
      // the next run plays it.
      #expect(started.isSubset(of: ids), "an airing that went out was lost")
      #expect(ids.isSubset(of: begun))
      #expect(done.isSubset(of: Set(airings.filter { $0.status == .completed }.map(\.id))))
      #expect(
        Set(airings.compactMap(\.plannedStart)).count == airings.count, "an airing was doubled")
      for airing in airings {
        #expect(airing.status == .completed || airing.status == .interrupted)
        if airing.status == .interrupted {
          #expect(airing.reason != nil)
          #expect(airing.items.allSatisfy { $0.status != .playing })
          let heard = try #require(airing.startedAt, "\(airing)")
          #expect((airing.endedAt ?? .distantPast) >= heard)
          #expect((airing.playedSeconds ?? -1) >= 0)
        }
      }
      for outage in try log.outages() {
        // A cut airing ends at the last sign of life, where its outage begins.
        for airing in airings where airing.status == .completed || airing.status == .interrupted {
          #expect(
            (airing.endedAt ?? .distantFuture) <= outage.from
              || (airing.startedAt ?? .distantPast) >= outage.to,
            "an outage overlaps what aired: \(outage), \(airing)")
        }
      }
    }
    #expect(begun.count >= 40, "the writer never got going: \(begun.count) airings")
    // The kills did land mid-airing, so the test did test something.
    let interrupted = try AiringLog.openForReading(folder: state.path).airings(
      .init(status: .interrupted))
    #expect(!interrupted.isEmpty)
  }
}
