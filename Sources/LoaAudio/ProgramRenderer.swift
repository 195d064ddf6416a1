/// One part of a program, as the audio engine sees it.
public enum PlayItem: Sendable {
  /// A file, cut after `limit` when given (a program's `max_length`).
  case file(path: String, limit: Duration?)
  case silence(Duration)
}

/// Where an item landed in the output stream, in frames from the start.
public struct RenderedItem: Sendable, Equatable {
  public let startFrame: Int
  public let frames: Int
}

/// Plays items back to back into one output stream, with no gap between
/// them: each file is decoded to the stream's format as it goes.
///
/// This is the non-real-time core of the program player; `loa rehearse`
/// renders a day through it into ALSA's `file` PCM.
public struct ProgramRenderer {
  public let output: PCMOutput
  /// Frames written so far.
  public private(set) var position = 0

  public init(output: PCMOutput) {
    self.output = output
  }

  /// Plays `items` in order and returns where each went.
  public mutating func render(_ items: [PlayItem]) throws -> [RenderedItem] {
    var rendered: [RenderedItem] = []
    for item in items {
      let start = position
      switch item {
      case .silence(let length):
        try writeSilence(frames: frames(in: length))
      case .file(let path, let limit):
        let reader = try StationAudioReader(
          path: path, sampleRate: output.sampleRate, channels: output.channels)
        var remaining = limit.map(frames(in:)) ?? Int.max
        while remaining > 0 {
          var chunk = try reader.read()
          if chunk.isEmpty { break }
          if chunk.count / output.channels > remaining {
            chunk = Array(chunk.prefix(remaining * output.channels))
          }
          try output.write(chunk)
          position += chunk.count / output.channels
          remaining -= chunk.count / output.channels
        }
      }
      rendered.append(RenderedItem(startFrame: start, frames: position - start))
    }
    return rendered
  }

  /// Writes `frames` frames of silence.
  public mutating func writeSilence(frames: Int) throws {
    var left = frames
    let block = [Float](repeating: 0, count: 4096 * output.channels)
    while left > 0 {
      let count = min(left, 4096)
      try output.write(count == 4096 ? block : Array(block.prefix(count * output.channels)))
      left -= count
      position += count
    }
  }

  private func frames(in duration: Duration) -> Int {
    let (seconds, attoseconds) = duration.components
    return Int(seconds) * output.sampleRate
      + Int((Double(attoseconds) / 1e18 * Double(output.sampleRate)).rounded())
  }
}
