import Foundation
import LoaAudio
import LoaLog

/// Which log row each item of one playback belongs to, and what the
/// player's events write there: the one mapping from player events to log
/// rows, for the daemon and for `loa play`.
///
/// A playback plays its airing's own items and, inserted at item
/// boundaries, those of priority airings that entered it: the player says
/// only whether an item was inserted, so inserted items are counted out to
/// the entered airings in the order they entered. A value: no I/O, no
/// threads.
public struct PlayoutLedger: Sendable {
  public let record: AiringRecordID
  public let sampleRate: Int
  /// The next of the airing's own items to end.
  public private(set) var position = 0
  public private(set) var entered: [Entered] = []
  /// Rows of items begun (or ended) before the first frame went out, at the
  /// times the player guessed from the planned start: written once it has
  /// gone out, moved to when it did, so that an item's start in the log is
  /// always one that was heard, and a crash before it leaves none.
  private var beforeStart: [LogWrite] = []
  /// The first item's guessed start: the planned start.
  private var guessedStart: Date?
  private var hasStarted = false

  /// A priority airing that entered the playback.
  public struct Entered: Sendable {
    public let record: AiringRecordID
    public let plannedStart: Date
    public let count: Int
    public fileprivate(set) var items: [PlayedItem] = []
    public var isDone: Bool { items.count == count }
  }

  public init(record: AiringRecordID, sampleRate: Int) {
    self.record = record
    self.sampleRate = sampleRate
  }

  /// `count` items of another airing will be inserted at the next boundary.
  public mutating func enter(_ record: AiringRecordID, plannedStart: Date, count: Int) {
    entered.append(Entered(record: record, plannedStart: plannedStart, count: count))
  }

  /// Entered airings whose items have not all ended.
  public var waiting: [Entered] { entered.filter { !$0.isDone } }

  /// The rows `event` writes, and the entered airing whose last item it
  /// ended (to be finished, `finish(_:status:now:)`).
  public mutating func apply(_ event: PlaybackEvent) -> (writes: [LogWrite], completed: Entered?) {
    switch event {
    case .itemStarted(_, let inserted, let at):
      guard let (record, position) = place(inserted: inserted) else { return ([], nil) }
      if !hasStarted, guessedStart == nil { guessedStart = at }
      return (held([.itemStarted(record, position: position, at: at)]), nil)
    case .itemEnded(let played):
      guard let (record, position) = place(inserted: played.inserted) else { return ([], nil) }
      let write = LogWrite.itemEnded(
        record, position: position, Outcome(played, sampleRate: sampleRate))
      return (held([write]), itemEnded(played))
    case .started(let at):
      hasStarted = true
      let offset = guessedStart.map { at.timeIntervalSince($0) } ?? 0
      defer { beforeStart = [] }
      return (beforeStart.map { $0.moved(by: offset) }, nil)
    case .finished:
      // Never started: the rows as guessed, for the airing's end to close.
      defer { beforeStart = [] }
      return (beforeStart, nil)
    case .deviceFailed, .deviceRecovered:
      return ([], nil)
    }
  }

  /// `writes` now, or once the first frame has gone out.
  private mutating func held(_ writes: [LogWrite]) -> [LogWrite] {
    guard !hasStarted else { return writes }
    beforeStart += writes
    return []
  }

  /// The end of an entered airing: by its items, or with the status of
  /// the airing it was in when that ended first.
  public func finish(_ entered: Entered, status: PlayStatus?, now: Date) -> LogWrite {
    let startedAt = entered.items.first(where: { $0.frames > 0 })?.startedAt
    // An item that failed makes it partial or failed by what was heard
    // (`Outcome(airing:)`); one interrupted, interrupted.
    let cut = entered.items.first { if case .interrupted = $0.status { true } else { false } }
    let overall = status.flatMap { $0 == .completed ? nil : $0 } ?? cut?.status ?? .completed
    return .finish(
      entered.record,
      Outcome(
        airing: overall, items: entered.items, startedAt: startedAt,
        endedAt: entered.items.last?.endedAt ?? now, sampleRate: sampleRate),
      lateMilliseconds: startedAt.map {
        Int(($0.timeIntervalSince(entered.plannedStart) * 1000).rounded())
      },
      xruns: 0)
  }

  /// The row and position of the item now playing.
  private func place(inserted: Bool) -> (AiringRecordID, Int)? {
    guard inserted else { return (record, position) }
    guard let entered = entered.first(where: { !$0.isDone }) else { return nil }
    return (entered.record, entered.items.count)
  }

  /// Counts an item that ended; returns the entered airing it completed.
  private mutating func itemEnded(_ played: PlayedItem) -> Entered? {
    guard played.inserted else {
      position += 1
      return nil
    }
    guard let index = entered.firstIndex(where: { !$0.isDone }) else { return nil }
    entered[index].items.append(played)
    return entered[index].isDone ? entered[index] : nil
  }
}
