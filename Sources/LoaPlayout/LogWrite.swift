// Playout: what an airing needs around the player. The audio of a planned
// airing (AiringAudio), the mapping from the player's events to the log's
// rows (PlayoutLedger) and the writer of those rows off the player's and
// the daemon's threads (AiringRecorder). Used by the daemon, `loa play`
// and `loa rehearse`.
import Foundation
import LoaAudio
import LoaLog

/// An airing as its writer knows it before the log has given it a row:
/// the row is made on the recorder's queue, later writes find it by this.
public struct AiringRecordID: Hashable, Sendable, CustomStringConvertible {
  public let number: Int

  public init(_ number: Int) { self.number = number }

  public var description: String { "#\(number)" }
}

/// One write to the airing log.
public enum LogWrite: Sendable {
  /// The airing is about to play: its row, status `playing`.
  case begin(AiringRecordID, AiringEntry)
  /// An airing that never began: its row, missed, with why.
  case missed(AiringEntry, reason: String)
  case itemStarted(AiringRecordID, position: Int, at: Date)
  case itemEnded(AiringRecordID, position: Int, Outcome)
  case finish(AiringRecordID, Outcome, lateMilliseconds: Int?, xruns: Int)
  /// The station is alive at this time.
  case heartbeat(Date)

  /// The end of an airing played by a playback of its own, from the
  /// player's report: its own items' frames, and when its last item ended
  /// (`now` when none played).
  public static func finish(
    _ record: AiringRecordID, report: PlaybackReport, sampleRate: Int, now: Date,
    measuresLateness: Bool = true
  ) -> LogWrite {
    .finish(
      record,
      Outcome(
        airing: report.status, items: report.items.filter { !$0.inserted },
        startedAt: report.firstFrameAt, endedAt: report.items.last?.endedAt ?? now,
        sampleRate: sampleRate),
      lateMilliseconds: measuresLateness
        ? report.lateness.map { Int(($0.seconds * 1000).rounded()) } : nil,
      xruns: report.underruns)
  }

  /// The write with its item's times `offset` seconds later.
  func moved(by offset: TimeInterval) -> LogWrite {
    switch self {
    case .itemStarted(let record, let position, let at):
      return .itemStarted(record, position: position, at: at + offset)
    case .itemEnded(let record, let position, var outcome):
      outcome.startedAt = outcome.startedAt.map { $0 + offset }
      outcome.endedAt += offset
      return .itemEnded(record, position: position, outcome)
    default:
      return self
    }
  }

  /// What the write is, for a message when it fails.
  var purpose: String {
    switch self {
    case .begin: "logging the start"
    case .missed: "recording a missed airing"
    case .itemStarted, .itemEnded: "logging an item"
    case .finish: "logging the end"
    case .heartbeat: "heartbeat"
    }
  }
}
