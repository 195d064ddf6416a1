import Crypto
import Foundation

/// What `loa inspect` tells of an audio file.
public struct AudioInspection: Sendable {
  public let path: String
  /// The format as the file's header declares it.
  public let format: AudioFormat
  /// Length, loudness, true peak and hash from decoding it whole.
  public let measurement: AudioMeasurement

  /// Reads the header, then measures the file (or takes its measurement
  /// from `measurements`).
  public init(path: String, measurements: AudioMeasurements) throws {
    self.path = path
    format = try SoundFile(readingAt: path).format
    measurement = try measurements.measurement(of: path)
  }
}

/// SHA-256 of a file read in 1 MiB pieces, so that an hour of WAV does not
/// sit in memory; lowercase hex.
func hashContent(ofFileAt path: String) throws -> String {
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
