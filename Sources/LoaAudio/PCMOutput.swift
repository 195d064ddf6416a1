import CALSA

/// An error from ALSA, naming the call, the device and `snd_strerror`'s text.
public struct PCMError: Error, Sendable, CustomStringConvertible {
  public let call: String
  public let device: String
  public let code: Int32
  public let reason: String

  init(_ call: String, device: String, code: Int32) {
    self.call = call
    self.device = device
    self.code = code
    reason = String(cString: snd_strerror(code))
  }

  public var description: String { "\(reason) (\(call) on ALSA device '\(device)')" }
}

/// An ALSA playback device opened at a fixed rate and channel count, signed
/// 16-bit interleaved, with explicit hardware and software parameters.
///
/// Writes block; the player calls them from its own thread, never from the
/// async pool. Not shared between threads: one stream, one owner.
public final class PCMOutput {
  private let handle: OpaquePointer
  public let device: String
  public let sampleRate: Int
  public let channels: Int
  /// Underruns and suspends recovered from since opening.
  public private(set) var recoveries = 0

  /// Opens `device` (an ALSA PCM name such as `default`, `hw:1,0` or
  /// `file:'/tmp/out.wav',wav`).
  ///
  /// - Parameter bufferTime: microseconds of audio the device holds; the
  ///   period is a quarter of it.
  public init(device: String, sampleRate: Int, channels: Int, bufferTime: UInt32 = 200_000)
    throws(PCMError)
  {
    var pcm: OpaquePointer?
    let opened = snd_pcm_open(&pcm, device, SND_PCM_STREAM_PLAYBACK, 0)
    guard opened >= 0, let pcm else { throw PCMError("snd_pcm_open", device: device, code: opened) }
    handle = pcm
    self.device = device
    self.sampleRate = sampleRate
    self.channels = channels
    do {
      try configure(bufferTime: bufferTime)
    } catch {
      snd_pcm_close(pcm)
      throw error
    }
  }

  deinit {
    snd_pcm_close(handle)
  }

  private func check(_ call: String, _ result: Int32) throws(PCMError) {
    if result < 0 { throw PCMError(call, device: device, code: result) }
  }

  private func configure(bufferTime: UInt32) throws(PCMError) {
    var hw: OpaquePointer?
    try check("snd_pcm_hw_params_malloc", snd_pcm_hw_params_malloc(&hw))
    defer { snd_pcm_hw_params_free(hw) }
    try check("snd_pcm_hw_params_any", snd_pcm_hw_params_any(handle, hw))
    try check(
      "snd_pcm_hw_params_set_access",
      snd_pcm_hw_params_set_access(handle, hw, SND_PCM_ACCESS_RW_INTERLEAVED))
    try check(
      "snd_pcm_hw_params_set_format",
      snd_pcm_hw_params_set_format(handle, hw, SND_PCM_FORMAT_S16_LE))
    try check(
      "snd_pcm_hw_params_set_channels", snd_pcm_hw_params_set_channels(handle, hw, UInt32(channels))
    )
    // The rate must be exact: a different one would play every file at the wrong pitch.
    try check(
      "snd_pcm_hw_params_set_rate", snd_pcm_hw_params_set_rate(handle, hw, UInt32(sampleRate), 0))
    var buffer = bufferTime
    var direction: Int32 = 0
    try check(
      "snd_pcm_hw_params_set_buffer_time_near",
      snd_pcm_hw_params_set_buffer_time_near(handle, hw, &buffer, &direction))
    var period = bufferTime / 4
    try check(
      "snd_pcm_hw_params_set_period_time_near",
      snd_pcm_hw_params_set_period_time_near(handle, hw, &period, &direction))
    try check("snd_pcm_hw_params", snd_pcm_hw_params(handle, hw))

    var bufferSize: snd_pcm_uframes_t = 0
    try check(
      "snd_pcm_hw_params_get_buffer_size", snd_pcm_hw_params_get_buffer_size(hw, &bufferSize))
    var sw: OpaquePointer?
    try check("snd_pcm_sw_params_malloc", snd_pcm_sw_params_malloc(&sw))
    defer { snd_pcm_sw_params_free(sw) }
    try check("snd_pcm_sw_params_current", snd_pcm_sw_params_current(handle, sw))
    // Start only when the buffer is full, so that the first frames go out
    // without a gap; draining starts a stream that never filled it.
    try check(
      "snd_pcm_sw_params_set_start_threshold",
      snd_pcm_sw_params_set_start_threshold(handle, sw, bufferSize))
    try check("snd_pcm_sw_params", snd_pcm_sw_params(handle, sw))
  }

  /// Writes interleaved float frames (clamped to ±1, rounded to 16 bits),
  /// recovering from underruns and suspends.
  public func write(_ samples: [Float]) throws(PCMError) {
    let pcm = samples.map { sample -> Int16 in
      let scaled = (max(-1, min(1, sample)) * 32767).rounded()
      return Int16(scaled)
    }
    var offset = 0
    let frames = pcm.count / channels
    while offset < frames {
      let written = pcm.withUnsafeBufferPointer { buffer in
        snd_pcm_writei(
          handle, buffer.baseAddress.map { $0 + offset * channels },
          snd_pcm_uframes_t(frames - offset))
      }
      if written >= 0 {
        offset += Int(written)
        continue
      }
      let code = Int32(written)
      // EPIPE (underrun) and ESTRPIPE (suspend) are recoverable; anything
      // else is the device failing.
      guard snd_pcm_recover(handle, code, 1) >= 0 else {
        throw PCMError("snd_pcm_writei", device: device, code: code)
      }
      recoveries += 1
    }
  }

  /// Plays out what is buffered and returns when it has gone out.
  public func drain() throws(PCMError) {
    try check("snd_pcm_drain", snd_pcm_drain(handle))
  }
}
