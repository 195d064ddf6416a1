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
///
/// Nothing is lost to a full disk: a write that fails for want of space
/// first lets the `DiskReserve` go and checkpoints the log, and tries
/// again; one that still fails waits in a backlog in memory (bounded,
/// `backlogLimit`) with every write after it, in order, and they are tried
/// again every second and at each new write until the disk takes them.
/// The condition is reported (`onTrouble`) when it begins, changes and
/// ends. A log that could not be opened (a full disk) is opened again in
/// the same way, its writes waiting meanwhile.
public final class AiringRecorder: @unchecked Sendable {
  // @unchecked: `log`, `rows`, `ledgers`, `backlog`, `dropped` and
  // `trouble` are read and written only on `queue`.
  private var log: AiringLog?
  /// Opens the log that could not be opened at first; nil once it is.
  private var open: (@Sendable () throws -> AiringLog)?
  /// Opens it to read, until it is open.
  private var openForReading: (@Sendable () throws -> AiringLog?)?
  /// There is a log, or one to open: writes are kept.
  private let isLogging: Bool
  private let reserve: DiskReserve?
  private let queue = DispatchQueue(label: "loa-recorder")
  private let failed: @Sendable (String) -> Void
  private let onTrouble: @Sendable (LogTrouble?) -> Void
  private var rows: [AiringRecordID: Int64] = [:]
  private var ledgers: [AiringRecordID: PlayoutLedger] = [:]
  /// Writes the disk did not take yet, oldest first.
  private var backlog: [LogWrite] = []
  /// Writes given up because the backlog was full.
  private var dropped = 0
  private var trouble: LogTrouble?
  private var retryArmed = false
  /// When the write under way began; nil between writes.
  private let writingSince = Mutex<ContinuousClock.Instant?>(nil)

  /// The most writes kept in memory while the disk takes none: about an
  /// airing per 10 writes, a day and more of a busy station's airings in
  /// well under a MiB.
  public let backlogLimit: Int

  /// - Parameters:
  ///   - log: nil when the log could not be opened: nothing is written.
  ///   - reserve: space held back for the log, let go when the disk is full.
  ///   - backlogLimit: the most writes kept in memory.
  ///   - failed: told, on the recorder's queue, of each write that failed
  ///     and was given up.
  ///   - onTrouble: told, on the recorder's queue, when writes begin to
  ///     wait for the disk, how many wait, and nil once all are written.
  public convenience init(
    log: AiringLog?, reserve: DiskReserve? = nil, backlogLimit: Int = 10_000,
    failed: @escaping @Sendable (String) -> Void,
    onTrouble: @escaping @Sendable (LogTrouble?) -> Void = { _ in }
  ) {
    self.init(
      log: log, open: nil, reserve: reserve, backlogLimit: backlogLimit, failed: failed,
      onTrouble: onTrouble)
    if log != nil, reserve != nil {
      queue.async { [self] in timed { drain() } }
    }
  }

  /// A recorder whose log could not be opened (`error`): its writes wait in
  /// memory, and `open` is tried again every second until it opens the log.
  /// Meanwhile it is read as `reading` opens it, if it can (a full disk
  /// lets it be read, not written), so that what it holds is not aired
  /// again; `reading` gives nil when there is no log yet.
  public convenience init(
    opening open: @escaping @Sendable () throws -> AiringLog, failedWith error: any Error,
    reading: (@Sendable () throws -> AiringLog?)? = nil,
    reserve: DiskReserve? = nil, backlogLimit: Int = 10_000,
    failed: @escaping @Sendable (String) -> Void,
    onTrouble: @escaping @Sendable (LogTrouble?) -> Void = { _ in }
  ) {
    self.init(
      log: nil, open: open, reserve: reserve, backlogLimit: backlogLimit, failed: failed,
      onTrouble: onTrouble)
    openForReading = reading
    queue.async { [self] in
      report(LogTrouble(waiting: 0, dropped: 0, reason: "\(error)", isOpen: false))
      armRetry()
    }
  }

  private init(
    log: AiringLog?, open: (@Sendable () throws -> AiringLog)?, reserve: DiskReserve?,
    backlogLimit: Int, failed: @escaping @Sendable (String) -> Void,
    onTrouble: @escaping @Sendable (LogTrouble?) -> Void
  ) {
    self.log = log
    self.open = open
    isLogging = log != nil || open != nil
    self.reserve = reserve
    self.backlogLimit = backlogLimit
    self.failed = failed
    self.onTrouble = onTrouble
  }

  /// Queues `writes`, and returns.
  public func write(_ writes: [LogWrite]) {
    guard isLogging, !writes.isEmpty else { return }
    queue.async { [self] in timed { enqueue(writes) } }
  }

  /// Makes `writes` after those queued before them, and returns once they
  /// are written (or wait for the disk): an airing's first row, which must
  /// exist before it plays.
  public func writeAndWait(_ writes: [LogWrite]) {
    guard isLogging, !writes.isEmpty else { return }
    queue.sync { timed { enqueue(writes) } }
  }

  /// Reads the log once the writes queued before are made; nil (reported)
  /// when there is no log or the read fails.
  public func read<T>(_ what: String, _ body: (AiringLog) throws -> T) -> T? {
    guard isLogging else { return nil }
    return queue.sync {
      timed {
        do {
          if let log { return try body(log) }
          // Not open to write: read as it is, if it can be.
          guard let reading = openForReading, let readable = try reading() else { return nil }
          return try body(readable)
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

  /// Returns once every write queued so far is made, or waits for the
  /// disk (tried once more first).
  public func flush() {
    queue.sync { timed { drain() } }
  }

  /// How many writes wait for the disk.
  public var waiting: Int { queue.sync { backlog.count } }

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
        timed { enqueue(writes) }
        ledgers[record] = ledger
        then(event)
      }
    }
  }

  // MARK: The backlog

  private func enqueue(_ writes: [LogWrite]) {
    guard isLogging else { return }
    for write in writes {
      // Only the latest sign of life matters.
      if case .heartbeat = write { backlog.removeAll { $0.isHeartbeat } }
      backlog.append(write)
    }
    if backlog.count > backlogLimit {
      let excess = backlog.count - backlogLimit
      backlog.removeFirst(excess)
      dropped += excess
      failed(
        "the airing log: \(excess) write\(excess == 1 ? "" : "s") lost: more than "
          + "\(backlogLimit) waited for the disk")
    }
    drain()
  }

  /// Writes what waits, oldest first, until the disk refuses one.
  private func drain() {
    if log == nil, let open {
      do {
        log = try open()
        self.open = nil
      } catch {
        report(
          LogTrouble(waiting: backlog.count, dropped: dropped, reason: "\(error)", isOpen: false))
        return armRetry()
      }
    }
    guard let log else { return }
    while let write = backlog.first {
      do {
        try perform(write, in: log)
      } catch {
        guard let reason = AiringLog.diskTrouble(error) else {
          failed("the airing log: \(write.purpose): \(error)")
          backlog.removeFirst()
          continue
        }
        // The reserve's space and a checkpoint's: the rows still fit.
        reserve?.release()
        try? log.checkpoint()
        if (try? perform(write, in: log)) != nil {
          backlog.removeFirst()
          report(LogTrouble(waiting: backlog.count, dropped: dropped, reason: reason))
          continue
        }
        report(LogTrouble(waiting: backlog.count, dropped: dropped, reason: reason))
        return armRetry()
      }
      backlog.removeFirst()
    }
    // All written: told before the next airing when the disk beside the
    // reserve has less than half of it free; well again once the reserve
    // is whole and as much again is free (not to flap on the edge).
    if trouble != nil { try? log.checkpoint() }
    if let reserve,
      let shortage = reserve.shortage(needing: trouble == nil ? reserve.size / 2 : reserve.size)
    {
      report(LogTrouble(waiting: 0, dropped: dropped, reason: shortage))
      armRetry()
    } else if trouble != nil {
      dropped = 0
      report(nil)
    }
  }

  private func armRetry() {
    guard !retryArmed else { return }
    retryArmed = true
    queue.asyncAfter(deadline: .now() + 1) { [self] in
      retryArmed = false
      timed { drain() }
    }
  }

  private func report(_ new: LogTrouble?) {
    guard new != trouble else { return }
    trouble = new
    onTrouble(new)
  }

  private func perform(_ write: LogWrite, in log: AiringLog) throws {
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
      guard let row = rows[record] else { return }
      try log.finish(airing: row, outcome, lateMilliseconds: late, xruns: xruns)
      rows[record] = nil
      ledgers[record] = nil
    case .heartbeat(let at):
      try log.heartbeat(at: at)
    }
  }
}

/// Writes to the log wait for the disk (full, or failing).
public struct LogTrouble: Sendable, Equatable, CustomStringConvertible {
  /// Writes kept in memory until the disk takes them.
  public var waiting: Int
  /// Writes given up since the trouble began: the backlog was full.
  public var dropped: Int
  /// The disk's error.
  public var reason: String
  /// False while the log could not be opened.
  public var isOpen: Bool

  public init(waiting: Int, dropped: Int, reason: String, isOpen: Bool = true) {
    self.waiting = waiting
    self.dropped = dropped
    self.reason = reason
    self.isOpen = isOpen
  }

  public var description: String {
    guard isOpen else {
      return "\(reason); \(waiting) write\(waiting == 1 ? "" : "s") kept in memory until it opens"
        + (dropped > 0 ? ", \(dropped) lost" : "") + "; free some space"
    }
    guard waiting > 0 || dropped > 0 else {
      return "the log's disk is nearly full (\(reason)); free some space"
    }
    return "the log's disk is full (\(reason)): \(waiting) write\(waiting == 1 ? "" : "s") "
      + "kept in memory until there is space"
      + (dropped > 0 ? ", \(dropped) lost" : "") + "; free some space"
  }
}

extension LogWrite {
  var isHeartbeat: Bool {
    if case .heartbeat = self { return true }
    return false
  }
}
