import Dispatch
import Foundation
import LoaAudio
import LoaLog
import Synchronization

/// Writes the airing log on a serial queue of its own: never on the
/// player's real-time thread (whose event callback must return at once),
/// and, but for an airing's first row, never on the daemon's loop.
///
/// Writes are made in the order they are given. An airing's later writes
/// find its row by its `AiringRecordID`; those of an airing whose first row
/// could not be written are dropped (the failure was reported).
public final class AiringRecorder: @unchecked Sendable {
  // @unchecked: `rows` and `ledgers` are read and written only on `queue`.
  private let log: AiringLog?
  private let queue = DispatchQueue(label: "loa-recorder")
  private let failed: @Sendable (String) -> Void
  private var rows: [AiringRecordID: Int64] = [:]
  private var ledgers: [AiringRecordID: PlayoutLedger] = [:]
  /// When the write under way began; nil between writes.
  private let writingSince = Mutex<ContinuousClock.Instant?>(nil)

  /// - Parameters:
  ///   - log: nil when the log could not be opened: nothing is written.
  ///   - failed: told, on the recorder's queue, of each write that failed.
  public init(log: AiringLog?, failed: @escaping @Sendable (String) -> Void) {
    self.log = log
    self.failed = failed
  }

  /// Queues `writes`, and returns.
  public func write(_ writes: [LogWrite]) {
    guard log != nil, !writes.isEmpty else { return }
    queue.async { [self] in timed { writes.forEach(perform) } }
  }

  /// Makes `writes` after those queued before them, and returns once they
  /// are written: an airing's first row, which must exist before it plays.
  public func writeAndWait(_ writes: [LogWrite]) {
    guard log != nil, !writes.isEmpty else { return }
    queue.sync { timed { writes.forEach(perform) } }
  }

  /// Reads the log once the writes queued before are made; nil (reported)
  /// when there is no log or the read fails.
  public func read<T>(_ what: String, _ body: (AiringLog) throws -> T) -> T? {
    guard let log else { return nil }
    return queue.sync {
      timed {
        do {
          return try body(log)
        } catch {
          failed("the airing log: \(what): \(error)")
          return nil
        }
      }
    }
  }

  /// True while a write or read has been under way for `limit` or more:
  /// the log is stuck (locked by another process, a disk that hangs), and
  /// the daemon should stop telling systemd's watchdog all is well.
  public func isStuck(longerThan limit: Duration) -> Bool {
    writingSince.withLock { since in since.map { .now - $0 >= limit } ?? false }
  }

  private func timed<T>(_ body: () -> T) -> T {
    writingSince.withLock { $0 = .now }
    defer { writingSince.withLock { $0 = nil } }
    return body()
  }

  /// Returns once every write queued so far is made.
  public func flush() {
    queue.sync {}
  }

  /// A player's event callback for a playback of `record`'s items alone
  /// (`loa play`): it only hands the event over to the recorder's queue,
  /// where the ledger writes its rows and `then` runs (printing, releasing
  /// memory: nothing that may run on the player's thread).
  public func follow(
    _ record: AiringRecordID, sampleRate: Int,
    then: @escaping @Sendable (PlaybackEvent) -> Void = { _ in }
  ) -> @Sendable (PlaybackEvent) -> Void {
    { [self] event in
      queue.async { [self] in
        var ledger = ledgers[record] ?? PlayoutLedger(record: record, sampleRate: sampleRate)
        let writes = ledger.apply(event).writes
        timed { writes.forEach(perform) }
        ledgers[record] = ledger
        then(event)
      }
    }
  }

  private func perform(_ write: LogWrite) {
    guard let log else { return }
    do {
      switch write {
      case .begin(let record, let entry):
        rows[record] = try log.begin(entry)
      case .missed(let entry, let reason):
        _ = try log.record(entry, status: .missed, reason: reason)
      case .itemStarted(let record, let position, let at):
        guard let row = rows[record] else { return }
        try log.itemStarted(airing: row, position: position, at: at)
      case .itemEnded(let record, let position, let outcome):
        guard let row = rows[record] else { return }
        try log.itemEnded(airing: row, position: position, outcome)
      case .finish(let record, let outcome, let late, let xruns):
        guard let row = rows.removeValue(forKey: record) else { return }
        ledgers[record] = nil
        try log.finish(airing: row, outcome, lateMilliseconds: late, xruns: xruns)
      case .heartbeat(let at):
        try log.heartbeat(at: at)
      }
    } catch {
      failed("the airing log: \(write.purpose): \(error)")
    }
  }
}
