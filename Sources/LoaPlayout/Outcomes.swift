import Foundation
import LoaAudio
import LoaLog

// What the player reports, as the log records it: one mapping for the
// daemon and for `loa play`. The status says what was heard: frames played
// against frames planned, not only whether the player reached the end.

extension AiringStatus {
  public init(_ status: PlayStatus) {
    switch status {
    case .completed: self = .completed
    case .interrupted: self = .interrupted
    case .failed: self = .failed
    }
  }
}

extension PlayStatus {
  /// Why it did not complete; nil when it did.
  public var reason: String? {
    switch self {
    case .completed: nil
    case .interrupted(let reason), .failed(let reason): reason
    }
  }
}

extension PlayedItem {
  /// How many frames short of its plan it fell, beyond a second (as the
  /// report counts: what resampling loses at a file's end, or a header's
  /// estimate of a compressed file's length, is not a cut); nil when it
  /// played whole or its plan is unknown.
  func shortfall(sampleRate: Int) -> Int? {
    guard let plannedFrames, plannedFrames - frames > sampleRate else { return nil }
    return plannedFrames - frames
  }

  /// Whether it was heard whole: completed, and not short of its plan.
  func isWhole(sampleRate: Int) -> Bool {
    status == .completed && shortfall(sampleRate: sampleRate) == nil
  }
}

/// Seconds for a reason in the log: "15.0 s".
func seconds(_ frames: Int, at sampleRate: Int) -> String {
  String(format: "%.1f s", Double(frames) / Double(sampleRate))
}

extension Outcome {
  /// An airing or an item that played `frames` frames at `sampleRate`.
  public init(
    _ status: PlayStatus, startedAt: Date?, endedAt: Date, frames: Int, sampleRate: Int
  ) {
    self.init(
      status: AiringStatus(status), startedAt: startedAt, endedAt: endedAt, frames: frames,
      playedSeconds: Double(frames) / Double(sampleRate), reason: status.reason)
  }

  /// How an item ended; it started only if a frame of it went out. One
  /// that reached its end short of its plan (a file cut while it played)
  /// is `partial`.
  public init(_ played: PlayedItem, sampleRate: Int) {
    self.init(
      played.status, startedAt: played.frames > 0 ? played.startedAt : nil,
      endedAt: played.endedAt, frames: played.frames, sampleRate: sampleRate)
    if played.status == .completed, let planned = played.plannedFrames,
      played.shortfall(sampleRate: sampleRate) != nil
    {
      status = .partial
      reason =
        "played \(seconds(played.frames, at: sampleRate)) of "
        + "\(seconds(planned, at: sampleRate)): the file ended early"
    }
  }

  /// How an airing ended, from the player's status and its own items:
  /// one the player completed is `completed` only when every item was
  /// heard whole, `failed` when none of it was heard, and `partial` with
  /// the first item's reason otherwise.
  public init(
    airing status: PlayStatus, items: [PlayedItem], startedAt: Date?, endedAt: Date,
    sampleRate: Int
  ) {
    let frames = items.reduce(0) { $0 + $1.frames }
    self.init(
      status, startedAt: startedAt, endedAt: endedAt, frames: frames, sampleRate: sampleRate)
    guard status == .completed,
      let short = items.first(where: { !$0.isWhole(sampleRate: sampleRate) })
    else { return }
    let why = Outcome(short, sampleRate: sampleRate).reason ?? "an item was not played whole"
    guard frames > 0 else {
      self.status = .failed
      reason = "nothing was played: \(why)"
      return
    }
    self.status = .partial
    let planned = items.compactMap(\.plannedFrames).reduce(0, +)
    let known = items.allSatisfy { $0.plannedFrames != nil }
    reason =
      "played \(seconds(frames, at: sampleRate))"
      + (known ? " of \(seconds(planned, at: sampleRate))" : "") + ": \(why)"
  }
}
