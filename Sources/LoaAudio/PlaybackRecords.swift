import Foundation

// Public initializers for what a playback reports, so that a simulated
// player (LoaTesting) and the tests of decisions can make these records
// without `@testable`, which a release build cannot import. The first
// argument is unlabelled to keep them apart from the memberwise ones.

extension PlayedItem {
  public init(
    _ item: PlayItem, inserted: Bool, startFrame: Int, frames: Int, startedAt: Date,
    endedAt: Date, status: PlayStatus, plannedFrames: Int? = nil
  ) {
    self.init(
      item: item, inserted: inserted, startFrame: startFrame, frames: frames,
      startedAt: startedAt, endedAt: endedAt, status: status, plannedFrames: plannedFrames)
  }
}

extension PlaybackReport {
  public init(
    _ device: String, plannedStart: Date, firstFrameAt: Date?, items: [PlayedItem],
    frames: Int, underruns: Int, status: PlayStatus
  ) {
    self.init(
      device: device, plannedStart: plannedStart, firstFrameAt: firstFrameAt, items: items,
      frames: frames, underruns: underruns, deviceFailures: [], status: status)
  }
}
