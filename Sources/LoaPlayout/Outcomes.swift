import Foundation
import LoaAudio
import LoaLog

// What the player reports, as the log records it: one mapping for the
// daemon and for `loa play`.

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

extension Outcome {
  /// An airing or an item that played `frames` frames at `sampleRate`.
  public init(
    _ status: PlayStatus, startedAt: Date?, endedAt: Date, frames: Int, sampleRate: Int
  ) {
    self.init(
      status: AiringStatus(status), startedAt: startedAt, endedAt: endedAt, frames: frames,
      playedSeconds: Double(frames) / Double(sampleRate), reason: status.reason)
  }

  /// How an item ended; it started only if a frame of it went out.
  public init(_ played: PlayedItem, sampleRate: Int) {
    self.init(
      played.status, startedAt: played.frames > 0 ? played.startedAt : nil,
      endedAt: played.endedAt, frames: played.frames, sampleRate: sampleRate)
  }
}
