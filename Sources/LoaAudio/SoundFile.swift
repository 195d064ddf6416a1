// LoaAudio owns audio files and, later, the ALSA output: C handles live
// here and nowhere else, each owned by one Swift type that frees it.

import CSndFile

/// An error from libsndfile, naming the call, the file and libsndfile's own text.
public struct SoundFileError: Error, Sendable, CustomStringConvertible {
  public let call: String
  public let path: String
  public let reason: String

  public var description: String { "\(reason) (\(call) on '\(path)')" }
}

/// What libsndfile reports of a file's format.
public struct AudioFormat: Hashable, Sendable {
  /// The container, e.g. "WAV (Microsoft)", "OGG (OGG Container format)", "MPEG-1/2 Audio".
  public let container: String
  /// The encoding, e.g. "Signed 16 bit PCM", "Vorbis", "Opus".
  public let encoding: String
  public let sampleRate: Int
  public let channels: Int
  public let frames: Int64

  /// Playing time at the file's own rate.
  public var duration: Duration {
    guard sampleRate > 0 else { return .zero }
    let whole = frames / Int64(sampleRate)
    let rest = frames % Int64(sampleRate)
    return .seconds(whole) + .nanoseconds(rest * 1_000_000_000 / Int64(sampleRate))
  }
}

/// An audio file opened for reading through libsndfile; closed when released.
///
/// Not shared between threads: one reader, one owner.
public final class SoundFile {
  private let handle: OpaquePointer
  /// What libsndfile reads through; released after the handle is closed.
  private let input: BufferedInput
  public let path: String
  public let format: AudioFormat
  private let subtype: Int32

  /// Opens `path` for reading; throws with libsndfile's reason when it
  /// cannot (missing, unreadable, not audio, a format it does not read).
  public init(readingAt path: String) throws(SoundFileError) {
    var info = SF_INFO()
    let input = try BufferedInput(path: path)
    var callbacks = BufferedInput.callbacks
    guard
      let handle = sf_open_virtual(
        &callbacks, Int32(SFM_READ), &info, Unmanaged.passUnretained(input).toOpaque())
    else {
      let reason = String(cString: sf_strerror(nil))
      throw SoundFileError(call: "sf_open", path: path, reason: reason)
    }
    self.handle = handle
    self.input = input
    self.path = path
    subtype = info.format & Int32(SF_FORMAT_SUBMASK)
    let container = Self.formatName(
      info.format & Int32(SF_FORMAT_TYPEMASK), command: Int32(SFC_GET_FORMAT_MAJOR))
    let encoding = Self.formatName(
      info.format & Int32(SF_FORMAT_SUBMASK), command: Int32(SFC_GET_FORMAT_SUBTYPE))
    format = AudioFormat(
      container: container, encoding: encoding, sampleRate: Int(info.samplerate),
      channels: Int(info.channels), frames: Int64(info.frames))
    // From here a throw runs `deinit`, which closes the handle.
    guard info.samplerate > 0, info.channels > 0 else {
      throw SoundFileError(
        call: "sf_open", path: path, reason: "the file declares no sample rate or channels")
    }
  }

  deinit {
    sf_close(handle)
  }

  /// Reads up to `frames` interleaved float frames into `buffer`; returns
  /// the frames read (0 at the end of the file).
  public func read(into buffer: UnsafeMutableBufferPointer<Float>, frames: Int) -> Int {
    precondition(buffer.count >= frames * format.channels, "buffer too small for \(frames) frames")
    return Int(sf_readf_float(handle, buffer.baseAddress, sf_count_t(frames)))
  }

  /// Reads up to `frames` interleaved 16-bit frames into `buffer`, as
  /// libsndfile converts them; for 16-bit PCM files this is a plain copy.
  public func read(into buffer: UnsafeMutableBufferPointer<Int16>, frames: Int) -> Int {
    precondition(buffer.count >= frames * format.channels, "buffer too small for \(frames) frames")
    return Int(sf_readf_short(handle, buffer.baseAddress, sf_count_t(frames)))
  }

  /// Why the last read stopped short, if not at the end of the file: a
  /// read error from the disk, or data libsndfile could not decode.
  public var failure: SoundFileError? {
    if let reason = input.failure {
      return SoundFileError(call: "read", path: path, reason: reason)
    }
    guard sf_error(handle) != Int32(SF_ERR_NO_ERROR) else { return nil }
    return SoundFileError(
      call: "sf_readf", path: path, reason: String(cString: sf_strerror(handle)))
  }

  /// True for 16-bit integer PCM, which reads as 16 bits without any loss.
  public var isPCM16: Bool { subtype == Int32(SF_FORMAT_PCM_16) }

  private static func formatName(_ format: Int32, command: Int32) -> String {
    // SFC_GET_FORMAT_MAJOR/SUBTYPE look a format up by index; scan them for ours.
    var count: Int32 = 0
    let countCommand =
      command == Int32(SFC_GET_FORMAT_MAJOR)
      ? SFC_GET_FORMAT_MAJOR_COUNT : SFC_GET_FORMAT_SUBTYPE_COUNT
    sf_command(nil, Int32(countCommand), &count, Int32(MemoryLayout<Int32>.size))
    for index in 0..<count {
      var info = SF_FORMAT_INFO()
      info.format = index
      sf_command(nil, command, &info, Int32(MemoryLayout<SF_FORMAT_INFO>.size))
      if info.format == format, let name = info.name { return String(cString: name) }
    }
    return "unknown (0x\(String(format, radix: 16)))"
  }
}
