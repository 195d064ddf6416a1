import Foundation
import LoaLog
import LoaPlayout
import LoaTesting
import Synchronization
import Testing

/// What a recorder told: failures given up, and its trouble as it changed.
final class RecorderWitness: Sendable {
  let failures = Mutex<[String]>([])
  let troubles = Mutex<[LogTrouble?]>([])

  func recorder(
    _ log: AiringLog, reserve: DiskReserve? = nil, backlogLimit: Int = 10_000
  ) -> AiringRecorder {
    AiringRecorder(
      log: log, reserve: reserve, backlogLimit: backlogLimit,
      failed: { text in self.failures.withLock { $0.append(text) } },
      onTrouble: { trouble in self.troubles.withLock { $0.append(trouble) } })
  }

  var trouble: LogTrouble? { troubles.withLock { $0.last ?? nil } }
}

@Suite("Playout: the recorder on a full disk", .serialized)
struct FullDiskTests {
  let t0 = Date(timeIntervalSince1970: 1_900_000_000)

  /// An airing's writes as the daemon makes them: begun, its item, ended.
  func airing(_ index: Int) -> [LogWrite] {
    let record = AiringRecordID(index)
    let start = t0 + Double(index) * 10
    let entry = AiringEntry(
      kind: .program, program: "p\(index)", title: "Chương trình \(index)", plannedStart: start,
      device: "null", items: [ItemEntry(kind: .silence, plannedSeconds: 2)])
    let outcome = Outcome(
      status: .completed, startedAt: start, endedAt: start + 2, frames: 2000, playedSeconds: 2,
      reason: nil)
    return [
      .begin(record, entry), .itemStarted(record, position: 0, at: start),
      .itemEnded(record, position: 0, outcome),
      .finish(record, outcome, lateMilliseconds: 0, xruns: 0), .heartbeat(start + 2),
    ]
  }

  func waitUntil(_ seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date() + seconds
    while !condition() {
      if Date() > deadline { return false }
      usleep(50_000)
    }
    return true
  }

  /// Another program fills the disk again and again while airings are
  /// written, until `done`.
  func fillWhileWriting(
    _ disk: SmallDisk, _ recorder: AiringRecorder, from first: Int, until done: () -> Bool
  ) -> Int {
    var index = first
    repeat {
      index += 1
      disk.fill()
      recorder.write(airing(index))
      recorder.flush()
    } while !done() && index < first + 500
    return index
  }

  @Test("rows a full disk refused wait in memory, in order, and are written once space is back")
  func backlog() throws {
    let disk = try SmallDisk()
    let log = try AiringLog.openForWriting(folder: disk.path)
    let witness = RecorderWitness()
    let recorder = witness.recorder(log)
    recorder.write(airing(0))
    recorder.flush()
    var last = fillWhileWriting(disk, recorder, from: 0) { recorder.waiting > 0 }
    last = fillWhileWriting(disk, recorder, from: last) { recorder.waiting > 20 }
    #expect(recorder.waiting > 20)
    let trouble = try #require(witness.trouble)
    #expect(trouble.waiting == recorder.waiting && trouble.dropped == 0)
    #expect(trouble.description.contains("kept in memory"), "\(trouble)")

    // Space back: the recorder tries again on its own, with nothing new to write.
    disk.shrinkFiller()
    #expect(waitUntil(5) { recorder.waiting == 0 })
    #expect(waitUntil(2) { witness.trouble == nil })
    #expect(witness.failures.withLock { $0 }.isEmpty)
    let airings = try AiringLog.openForReading(folder: disk.path).airings()
    #expect(airings.map(\.program) == (0...last).map { "p\($0)" })
    #expect(airings.allSatisfy { $0.status == .completed && $0.items.first?.frames == 2000 })
    // In the order they were given.
    #expect(airings.map(\.id) == airings.map(\.id).sorted())
  }

  @Test("the backlog is bounded: past its limit the oldest writes are given up, and told")
  func bounded() throws {
    let disk = try SmallDisk()
    let log = try AiringLog.openForWriting(folder: disk.path)
    let witness = RecorderWitness()
    let recorder = witness.recorder(log, backlogLimit: 12)
    let last = fillWhileWriting(disk, recorder, from: 0) { recorder.waiting > 0 }
    _ = fillWhileWriting(disk, recorder, from: last) { witness.trouble?.dropped ?? 0 > 0 }
    #expect(recorder.waiting <= 12)
    #expect((witness.trouble?.dropped ?? 0) > 0, "\(String(describing: witness.trouble))")
    #expect(witness.failures.withLock { $0 }.contains { $0.contains("lost") })
  }

  @Test("with a reserve, a disk filled by another file is told before rows wait, and they fit")
  func reserve() throws {
    let disk = try SmallDisk()
    let log = try AiringLog.openForWriting(folder: disk.path)
    let reserve = DiskReserve(folder: disk.path)
    let witness = RecorderWitness()
    let recorder = witness.recorder(log, reserve: reserve)
    recorder.flush()
    #expect(reserve.isHeld)
    #expect(witness.trouble == nil)
    let last = fillWhileWriting(disk, recorder, from: 0) { witness.trouble != nil }
    // Told while nothing waits: the reserve still holds the next rows.
    let early = try #require(witness.troubles.withLock { $0.first ?? nil })
    #expect(early.waiting == 0, "\(early)")
    #expect(recorder.waiting == 0)
    let airings = try AiringLog.openForReading(folder: disk.path).airings()
    #expect(airings.count == last && airings.allSatisfy { $0.status == .completed })

    disk.shrinkFiller()
    #expect(waitUntil(5) { witness.trouble == nil })
    #expect(reserve.isHeld)
  }

  @Test("a log that could not be opened is opened again, and what was written meanwhile is in it")
  func opensAgain() throws {
    struct DiskFull: Error, CustomStringConvertible {
      var description: String { "cannot open the airing log: database or disk is full" }
    }
    let folder = try TemporaryFolder()
    let path = folder.path
    let full = Mutex(true)
    let witness = RecorderWitness()
    let recorder = AiringRecorder(
      opening: {
        if full.withLock({ $0 }) { throw DiskFull() }
        return try AiringLog.openForWriting(folder: path)
      }, failedWith: DiskFull(),
      failed: { text in witness.failures.withLock { $0.append(text) } },
      onTrouble: { trouble in witness.troubles.withLock { $0.append(trouble) } })
    recorder.write(airing(1))
    recorder.flush()
    #expect(recorder.waiting == 5)
    let trouble = try #require(witness.trouble)
    #expect(!trouble.isOpen && trouble.description.contains("until it opens"), "\(trouble)")
    full.withLock { $0 = false }
    #expect(waitUntil(5) { witness.trouble == nil })
    #expect(recorder.waiting == 0)
    let airings = try AiringLog.openForReading(folder: folder.path).airings()
    #expect(airings.map(\.program) == ["p1"] && airings.first?.status == .completed)
  }
}
