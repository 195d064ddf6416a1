import Foundation
import LoaAudio
import LoaLog
import LoaPlayout
import LoaTesting
import Synchronization
import Testing

@Suite("Playout: the player's events as log rows")
struct PlayoutTests {
  let t0 = Date(timeIntervalSince1970: 1_900_000_000)
  let main = AiringRecordID(1)
  let guest = AiringRecordID(2)

  func played(_ seconds: Double, inserted: Bool = false, at start: Double) -> PlayedItem {
    PlayedItem(
      .silence(.seconds(seconds)), inserted: inserted, startFrame: 0,
      frames: Int(seconds * 1000), startedAt: t0 + start, endedAt: t0 + start + seconds,
      status: .completed)
  }

  func rows(_ writes: [LogWrite]) -> [String] {
    writes.map { write in
      switch write {
      case .itemStarted(let record, let position, _): "started \(record) \(position)"
      case .itemEnded(let record, let position, let outcome):
        "ended \(record) \(position) \(outcome.frames)"
      case .finish(let record, let outcome, let late, _):
        "finish \(record) \(outcome.status) \(late.map(String.init) ?? "-")"
      default: "other"
      }
    }
  }

  /// The outcome of an airing's finishing write.
  func finished(_ items: [PlayedItem], status: PlayStatus = .completed) -> Outcome? {
    let report = PlaybackReport(
      "null", plannedStart: t0, firstFrameAt: t0, items: items,
      frames: items.reduce(0) { $0 + $1.frames }, underruns: 0, status: status)
    guard
      case .finish(_, let outcome, _, _) = LogWrite.finish(
        main, report: report, sampleRate: 1000, now: t0 + 60)
    else { return nil }
    return outcome
  }

  @Test(
    "an airing whose only file could not be read played nothing: failed, with the file's reason")
  func unreadableFileFailsTheAiring() throws {
    let reason = "Permission denied (open on '/srv/loa/audio/tin-tuc.ogg')"
    let item = PlayedItem(
      .file(path: "/srv/loa/audio/tin-tuc.ogg"), inserted: false, startFrame: 0, frames: 0,
      startedAt: t0, endedAt: t0, status: .failed(reason))
    #expect(Outcome(item, sampleRate: 1000).status == .failed)
    #expect(Outcome(item, sampleRate: 1000).reason == reason)
    let airing = try #require(finished([item]))
    #expect(airing.status == .failed)
    #expect(airing.playedSeconds == 0)
    #expect(airing.reason == "nothing was played: \(reason)")
  }

  @Test("a file that ended at 15 s of its 60 is partial, and so is its airing, with what played")
  func shortFileIsPartial() throws {
    let item = PlayedItem(
      .file(path: "/srv/loa/audio/tin-tuc.ogg"), inserted: false, startFrame: 0,
      frames: 15_000, startedAt: t0, endedAt: t0 + 15, status: .completed,
      plannedFrames: 60_000)
    let outcome = Outcome(item, sampleRate: 1000)
    #expect(outcome.status == .partial)
    #expect(outcome.playedSeconds == 15)
    #expect(outcome.reason == "played 15.0 s of 60.0 s: the file ended early")
    let airing = try #require(finished([item, played(1, at: 15)]))
    #expect(airing.status == .partial)
    #expect(airing.playedSeconds == 16)
    #expect(airing.reason == "played 16.0 s: played 15.0 s of 60.0 s: the file ended early")
    // Played whole, within a second: completed.
    let whole = PlayedItem(
      .file(path: "/srv/loa/audio/tin-tuc.ogg"), inserted: false, startFrame: 0,
      frames: 59_200, startedAt: t0, endedAt: t0 + 60, status: .completed,
      plannedFrames: 60_000)
    #expect(finished([whole])?.status == .completed)
  }

  @Test("an entered airing whose item failed after another played is partial")
  func enteredPartly() {
    var ledger = PlayoutLedger(record: main, sampleRate: 1000)
    ledger.enter(guest, plannedStart: t0, count: 2)
    _ = ledger.apply(.itemEnded(played(2, inserted: true, at: 0)))
    let failed = PlayedItem(
      .file(path: "/a.ogg"), inserted: true, startFrame: 2000, frames: 0, startedAt: t0 + 2,
      endedAt: t0 + 2, status: .failed("not audio"))
    let (_, completed) = ledger.apply(.itemEnded(failed))
    #expect(completed != nil)
    if let completed {
      #expect(rows([ledger.finish(completed, status: nil, now: t0 + 3)]) == ["finish #2 partial 0"])
    }
  }

  @Test(
    "items begun before the first frame are logged once it is out, moved to when it was; never, if it never was"
  )
  func itemsWaitForTheFirstFrame() {
    var ledger = PlayoutLedger(record: main, sampleRate: 1000)
    // Armed: the player guesses the first item starts at the planned t0.
    #expect(
      ledger.apply(.itemStarted(.silence(.seconds(1)), inserted: false, at: t0)).writes.isEmpty)
    #expect(ledger.apply(.itemEnded(played(1, at: 0))).writes.isEmpty)
    // Out 4 s late: both rows, at the times they were heard.
    let writes = ledger.apply(.started(t0 + 4)).writes
    #expect(rows(writes) == ["started #1 0", "ended #1 0 1000"])
    if case .itemStarted(_, _, let at) = writes.first { #expect(at == t0 + 4) }
    if case .itemEnded(_, _, let outcome) = writes.last {
      #expect(outcome.startedAt == t0 + 4 && outcome.endedAt == t0 + 5)
    }
    // Afterwards, at once.
    let next = ledger.apply(.itemStarted(.silence(.seconds(1)), inserted: false, at: t0 + 5))
    #expect(rows(next.writes) == ["started #1 1"])

    // Interrupted before its first frame: the rows come with the end, as
    // guessed, for the airing's end to close; a crash before it leaves none.
    var never = PlayoutLedger(record: main, sampleRate: 1000)
    _ = never.apply(.itemStarted(.silence(.seconds(1)), inserted: false, at: t0))
    let report = PlaybackReport(
      "test", plannedStart: t0, firstFrameAt: nil, items: [], frames: 0, underruns: 0,
      status: .interrupted("emergency"))
    #expect(rows(never.apply(.finished(report)).writes) == ["started #1 0"])
  }

  @Test("inserted items are counted out to the airings that entered, in their order")
  func ledger() {
    var ledger = PlayoutLedger(record: main, sampleRate: 1000)
    var writes: [LogWrite] = []
    func apply(_ event: PlaybackEvent) -> PlayoutLedger.Entered? {
      let (more, completed) = ledger.apply(event)
      writes += more
      return completed
    }
    _ = apply(.started(t0))
    _ = apply(.itemStarted(.silence(.seconds(2)), inserted: false, at: t0))
    ledger.enter(guest, plannedStart: t0 + 1, count: 1)
    _ = apply(.itemEnded(played(2, at: 0)))
    _ = apply(.itemStarted(.silence(.seconds(3)), inserted: true, at: t0 + 2))
    let completed = apply(.itemEnded(played(3, inserted: true, at: 2)))
    _ = apply(.itemStarted(.silence(.seconds(1)), inserted: false, at: t0 + 5))
    _ = apply(.itemEnded(played(1, at: 5)))
    #expect(
      rows(writes) == [
        "started #1 0", "ended #1 0 2000", "started #2 0", "ended #2 0 3000", "started #1 1",
        "ended #1 1 1000",
      ])
    #expect(ledger.position == 2)
    #expect(ledger.waiting.isEmpty)
    #expect(completed != nil)
    if let entered = completed {
      // Entered at 2 s, due at 1 s: a second late.
      #expect(
        rows([ledger.finish(entered, status: nil, now: t0 + 9)]) == ["finish #2 completed 1000"])
    }
  }

  @Test("the player's callback only hands events over; rows are written on the recorder's queue")
  func recorder() throws {
    let folder = try TemporaryFolder()
    let log = try AiringLog.openForWriting(folder: folder.path, durable: false)
    let failures = Mutex<[String]>([])
    let recorder = AiringRecorder(log: log) { text in failures.withLock { $0.append(text) } }
    let entry = AiringEntry(
      kind: .manual, program: nil, title: "test", plannedStart: t0, device: "null",
      items: [ItemEntry(kind: .silence, file: nil, plannedSeconds: 2)])
    recorder.writeAndWait([.begin(main, entry)])
    let threads = Mutex<Set<String>>([])
    let onEvent = recorder.follow(main, sampleRate: 1000) { _ in
      _ = threads.withLock { $0.insert(Thread.current.name ?? "") }
    }
    Thread.current.name = "player"
    onEvent(.itemStarted(.silence(.seconds(2)), inserted: false, at: t0))
    onEvent(.started(t0))
    onEvent(.itemEnded(played(2, at: 0)))
    let report = PlaybackReport(
      "null", plannedStart: t0, firstFrameAt: t0, items: [played(2, at: 0)], frames: 2000,
      underruns: 0, status: .completed)
    recorder.write([.finish(main, report: report, sampleRate: 1000, now: t0 + 2)])
    recorder.flush()
    #expect(!threads.withLock { $0.contains("player") })
    #expect(failures.withLock { $0 }.isEmpty)
    let airing = try #require(try AiringLog.openForReading(folder: folder.path).airings().first)
    #expect(airing.status == .completed)
    #expect(airing.items.first?.frames == 2000)
  }

  @Test("a write held up by a locked log shows as stuck, and no longer once it is made")
  func stuck() throws {
    let folder = try TemporaryFolder()
    let log = try AiringLog.openForWriting(folder: folder.path, durable: false)
    let recorder = AiringRecorder(log: log) { _ in }
    #expect(!recorder.isStuck(longerThan: .zero))
    // Another process's connection holds the log for a second.
    let release = Date() + 1
    try holdLocked(folder.path("airings.sqlite"), until: release)
    Thread.sleep(forTimeInterval: 0.2)
    recorder.write([.heartbeat(t0)])
    Thread.sleep(forTimeInterval: 0.4)
    #expect(recorder.isStuck(longerThan: .milliseconds(300)))
    recorder.flush()
    #expect(Date() >= release)
    #expect(!recorder.isStuck(longerThan: .zero))
  }
}
