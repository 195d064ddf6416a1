import Crypto
import Foundation

/// What `loa inspect` tells of an audio file.
public struct AudioInspection: Sendable {
  public let path: String
  public let format: AudioFormat
  /// Integrated loudness in LUFS; −∞ for silence.
  public let loudness: Double
  /// Highest true peak of any channel, in dBTP.
  public let truePeak: Double
  /// SHA-256 of the file's bytes, in lowercase hex.
  public let sha256: String

  /// Decodes the whole file once to measure it, and hashes its bytes.
  public init(path: String) throws {
    let file = try SoundFile(readingAt: path)
    let meter = try LoudnessMeter(
      channels: file.format.channels, sampleRate: file.format.sampleRate)
    var buffer = [Float](repeating: 0, count: 8192 * file.format.channels)
    while true {
      let count = buffer.withUnsafeMutableBufferPointer { file.read(into: $0, frames: 8192) }
      if count == 0 { break }
      try meter.add(Array(buffer.prefix(count * file.format.channels)))
    }
    self.path = path
    format = file.format
    loudness = try meter.integratedLoudness()
    truePeak = try meter.truePeak()
    sha256 = try Self.hash(path)
  }

  /// SHA-256 of a file read in 1 MiB pieces, so that an hour of WAV does not sit in memory.
  static func hash(_ path: String) throws -> String {
    guard let handle = FileHandle(forReadingAtPath: path) else {
      throw SoundFileError(call: "open", path: path, reason: "cannot read the file")
    }
    defer { try? handle.close() }
    var hasher = SHA256()
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
      hasher.update(data: chunk)
    }
    return hasher.finalize().map { byte in
      let hex = String(byte, radix: 16)
      return byte < 16 ? "0" + hex : hex
    }.joined()
  }
}
