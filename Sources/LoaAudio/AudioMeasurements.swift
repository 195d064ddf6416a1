import Foundation
import Synchronization

/// What one full decode of a file tells: its real length, its loudness and
/// its true peak, for the content with this SHA-256.
public struct AudioMeasurement: Sendable, Equatable {
  /// SHA-256 of the file's bytes, in lowercase hex.
  public let sha256: String
  /// The channels it was measured in: the output's, or 0 for the file's own.
  public let channels: Int
  public let sampleRate: Int
  /// Frames actually decoded, at the file's own rate (for MP3 the header's
  /// count is only an estimate).
  public let frames: Int64
  /// Integrated loudness in LUFS; −∞ for silence.
  public let loudness: Double
  /// Highest true peak of any channel, in dBTP; −∞ for silence.
  public let truePeak: Double

  public var duration: Duration {
    .seconds(frames / Int64(sampleRate))
      + .nanoseconds(frames % Int64(sampleRate) * 1_000_000_000 / Int64(sampleRate))
  }

  /// The gain in dB that brings the file to `target` LUFS, lowered where
  /// needed so that its true peak stays at or under `peakCeiling` dBTP.
  /// Silence gets none.
  public func gain(toReach target: Double, peakCeiling: Double = -1) -> Double {
    guard loudness.isFinite else { return 0 }
    let gain = target - loudness
    return truePeak.isFinite ? min(gain, peakCeiling - truePeak) : gain
  }

  /// Decodes the whole file at its own rate, measuring it as it sounds in
  /// `channels` (mapped as the player maps it: a mono file on two speakers
  /// is 3 dB louder than on one), or in its own channels when 0; and hashes
  /// its bytes.
  public static func measure(_ path: String, channels: Int = 0, sha256: String? = nil) throws
    -> AudioMeasurement
  {
    let file = try SoundFile(readingAt: path)
    let own = file.format.channels
    let meter = try LoudnessMeter(
      channels: channels == 0 ? own : channels, sampleRate: file.format.sampleRate)
    var buffer = [Float](repeating: 0, count: 8192 * own)
    var frames: Int64 = 0
    while true {
      let count = buffer.withUnsafeMutableBufferPointer { file.read(into: $0, frames: 8192) }
      if count < 8192, let failure = file.failure { throw failure }
      if count == 0 { break }
      frames += Int64(count)
      let samples = buffer.prefix(count * own)
      try meter.add(
        channels == 0 || channels == own
          ? Array(samples) : StationAudioReader.map(samples, from: own, to: channels))
    }
    if frames == 0 {
      throw SoundFileError(call: "sf_readf_float", path: path, reason: "no audio could be decoded")
    }
    return AudioMeasurement(
      sha256: try sha256 ?? hashContent(ofFileAt: path), channels: channels,
      sampleRate: file.format.sampleRate, frames: frames,
      loudness: try meter.integratedLoudness(), truePeak: try meter.truePeak())
  }
}

/// Measurements of audio files, each content measured once and kept in a
/// tab-separated file under the state folder, so that a station with hours
/// of audio decodes each file once, not at every start.
///
/// A file is known again by its device, inode, size and modification time
/// (as git knows its index), so an unchanged file is not even hashed; a
/// copy or a touched file is hashed and, when its content is known, not
/// measured again. Lines are only appended; the last one for a key wins.
///
/// Thread-safe: the tables live behind a mutex; a file is measured outside it.
public final class AudioMeasurements: Sendable {
  /// The cache file; nil keeps measurements in memory only.
  public let file: String?
  /// Told of each file about to be decoded whole (not in the cache), for
  /// a command to show its progress: a long file takes a while.
  private let measuring: (@Sendable (_ path: String) -> Void)?
  private let known = Mutex(Known())

  private struct Known {
    var byIdentity: [String: AudioMeasurement] = [:]
    var byContent: [String: AudioMeasurement] = [:]
  }

  public init(file: String?, measuring: (@Sendable (_ path: String) -> Void)? = nil) {
    self.file = file
    self.measuring = measuring
    guard let file, let text = try? String(contentsOfFile: file, encoding: .utf8) else { return }
    var byIdentity: [String: AudioMeasurement] = [:]
    var byContent: [String: AudioMeasurement] = [:]
    for line in text.split(separator: "\n") {
      let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 8, fields[0] == "2", let channels = Int(fields[3]),
        let rate = Int(fields[4]), rate > 0, let frames = Int64(fields[5]),
        let loudness = Double(fields[6]), let truePeak = Double(fields[7])
      else { continue }
      let measurement = AudioMeasurement(
        sha256: fields[2], channels: channels, sampleRate: rate, frames: frames,
        loudness: loudness, truePeak: truePeak)
      byIdentity[fields[1] + "/\(channels)"] = measurement
      byContent[fields[2] + "/\(channels)"] = measurement
    }
    known.withLock { $0 = Known(byIdentity: byIdentity, byContent: byContent) }
  }

  /// The measurement of the file at `path` as it sounds in `channels` (0:
  /// its own), from the cache or measured now.
  public func measurement(of path: String, channels: Int = 0) throws -> AudioMeasurement {
    let identity = try Self.identity(of: path)
    let key = "/\(channels)"
    if let measurement = known.withLock({ $0.byIdentity[identity + key] }) { return measurement }
    measuring?(path)
    let digest = try hashContent(ofFileAt: path)
    let measurement =
      try known.withLock({ $0.byContent[digest + key] })
      ?? AudioMeasurement.measure(path, channels: channels, sha256: digest)
    known.withLock {
      $0.byIdentity[identity + key] = measurement
      $0.byContent[measurement.sha256 + key] = measurement
    }
    append(identity: identity, measurement)
    return measurement
  }

  /// `device:inode:size:mtime:ctime` — what changes when the file does
  /// (ctime too, which `cp -p` or `touch -r` cannot set back).
  private static func identity(of path: String) throws -> String {
    var info = stat()
    guard stat(path, &info) == 0 else {
      throw SoundFileError(
        call: "stat", path: path, reason: String(cString: strerror(errno)))
    }
    return
      "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
      + ":\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
  }

  /// Appends one line; a cache that cannot be written is only a slower start.
  private func append(identity: String, _ m: AudioMeasurement) {
    guard let file else { return }
    let line =
      [
        "2", identity, m.sha256, "\(m.channels)", "\(m.sampleRate)", "\(m.frames)",
        "\(m.loudness)", "\(m.truePeak)",
      ].joined(separator: "\t") + "\n"
    try? FileManager.default.createDirectory(
      atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return }
    defer { close(descriptor) }
    // One write of one short line: appends from several processes do not interleave.
    _ = line.utf8CString.withUnsafeBufferPointer { write(descriptor, $0.baseAddress, $0.count - 1) }
  }
}
