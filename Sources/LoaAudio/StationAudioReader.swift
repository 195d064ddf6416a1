/// Reads an audio file as interleaved float frames in the station's output
/// format: resampled to its rate and mapped to its channels, so that the
/// files of one program join in one stream.
///
/// Not shared between threads: one reader, one owner.
public final class StationAudioReader {
  public let file: SoundFile
  public let sampleRate: Int
  public let channels: Int
  private let resampler: Resampler?
  private var finished = false

  public init(path: String, sampleRate: Int, channels: Int) throws {
    file = try SoundFile(readingAt: path)
    self.sampleRate = sampleRate
    self.channels = channels
    resampler =
      file.format.sampleRate == sampleRate
      ? nil
      : try Resampler(from: file.format.sampleRate, to: sampleRate, channels: channels)
  }

  /// True when the file is already 16-bit PCM in the station's rate and
  /// channels: `read(into:frames:)` then copies its samples as they are.
  public var isPassthrough: Bool {
    resampler == nil && file.isPCM16 && file.format.channels == channels
  }

  /// The next frames as stored, for a passthrough file; 0 at the end.
  public func read(into buffer: UnsafeMutableBufferPointer<Int16>, frames: Int) throws -> Int {
    precondition(isPassthrough, "only a file in the station's format reads as it is")
    let count = file.read(into: buffer, frames: frames)
    if count < frames, let failure = file.failure { throw failure }
    return count
  }

  /// The next frames, up to about `frames` of them (resampling may give a
  /// few more or fewer); empty at the end of the file.
  public func read(frames: Int = 4096) throws -> [Float] {
    guard !finished else { return [] }
    let own = file.format.channels
    // Decoded straight into the array that is returned: at an hour of
    // audio, a copy more is a tenth of a second more.
    var count = 0
    let decoded = [Float](unsafeUninitializedCapacity: frames * own) { buffer, initialized in
      count = file.read(into: buffer, frames: frames)
      initialized = count * own
    }
    let atEnd = count < frames
    if atEnd, let failure = file.failure { throw failure }
    let mapped = own == channels ? decoded : Self.map(decoded[...], from: own, to: channels)
    guard let resampler else {
      finished = atEnd
      return mapped
    }
    var output = try resampler.process(mapped, endOfInput: atEnd)
    finished = atEnd
    // A resampler may hold back the last frames of a short read; ask again
    // so that an empty result really means the end.
    while output.isEmpty, !finished {
      output = try read(frames: frames)
    }
    return output
  }

  /// Every remaining frame.
  public func readAll() throws -> [Float] {
    var all: [Float] = []
    while true {
      let chunk = try read()
      if chunk.isEmpty { return all }
      all += chunk
    }
  }

  /// Maps interleaved frames between channel counts: mono is copied to every
  /// output channel, several channels to mono are averaged, and otherwise
  /// output channel c takes input channel c (wrapping when there are fewer).
  static func map(_ samples: ArraySlice<Float>, from input: Int, to output: Int) -> [Float] {
    if input == output { return Array(samples) }
    let frames = samples.count / input
    var result = [Float](repeating: 0, count: frames * output)
    let base = samples.startIndex
    for frame in 0..<frames {
      let first = base + frame * input
      if output == 1 {
        var sum: Float = 0
        for channel in 0..<input { sum += samples[first + channel] }
        result[frame] = sum / Float(input)
      } else {
        for channel in 0..<output {
          result[frame * output + channel] = samples[first + channel % input]
        }
      }
    }
    return result
  }
}
