import CALSA
import Foundation

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
/// The stream does not start by itself: the caller pre-fills the buffer with
/// `writeAvailable` and calls `start()` at the instant the first frame is due.
/// Writes block; the player calls them from its own thread, never from the
/// async pool. Not shared between threads: one stream, one owner.
public final class PCMOutput {
  private let handle: OpaquePointer
  public let device: String
  public let sampleRate: Int
  public let channels: Int
  /// Frames the device buffer holds, and frames per period, as negotiated.
  public private(set) var bufferFrames = 0
  public private(set) var periodFrames = 0
  /// Underruns and suspends recovered from since opening.
  public private(set) var recoveries = 0

  /// Silence written by `probeStartBehaviour` that the device has not been
  /// seen to play: its frames, the largest delay seen with it queued (a
  /// sound server's plugin may report none until the server answers), and
  /// the room in the buffer once it was written.
  private var witness: (frames: Int, delay: Int, room: Int)?

  /// Opens `device` (an ALSA PCM name such as `default`, `hw:1,0`, `pulse` or
  /// `file:'/tmp/out.wav',wav`).
  ///
  /// - Parameter bufferTime: microseconds of audio the device holds; the
  ///   period is a quarter of it. It bounds how late an interrupt is heard.
  public init(device: String, sampleRate: Int, channels: Int, bufferTime: UInt32 = 200_000)
    throws(PCMError)
  {
    Self.silenceLibraryMessages
    var pcm: OpaquePointer?
    // Non-blocking to open, so that a device held by another program is an
    // error at once rather than a wait without end; blocking to write.
    let opened = snd_pcm_open(&pcm, device, SND_PCM_STREAM_PLAYBACK, SND_PCM_NONBLOCK)
    guard opened >= 0, let pcm else { throw PCMError("snd_pcm_open", device: device, code: opened) }
    handle = pcm
    self.device = device
    self.sampleRate = sampleRate
    self.channels = channels
    // From here a throw runs `deinit`, which closes the handle.
    try check("snd_pcm_nonblock", snd_pcm_nonblock(pcm, 0))
    try configure(bufferTime: bufferTime)
  }

  deinit {
    snd_pcm_close(handle)
  }

  /// ALSA's own stderr lines are replaced by loa's errors, once per process.
  private static let silenceLibraryMessages: Void = loa_alsa_silence_errors()

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
    var periodSize: snd_pcm_uframes_t = 0
    try check(
      "snd_pcm_hw_params_get_buffer_size", snd_pcm_hw_params_get_buffer_size(hw, &bufferSize))
    try check(
      "snd_pcm_hw_params_get_period_size",
      snd_pcm_hw_params_get_period_size(hw, &periodSize, &direction))
    bufferFrames = Int(bufferSize)
    periodFrames = Int(periodSize)

    try changeSoftwareParameters { (sw) throws(PCMError) in
      var boundary: snd_pcm_uframes_t = 0
      try check("snd_pcm_sw_params_get_boundary", snd_pcm_sw_params_get_boundary(sw, &boundary))
      // Never start on a write: the player starts the stream at the due instant.
      try check(
        "snd_pcm_sw_params_set_start_threshold",
        snd_pcm_sw_params_set_start_threshold(handle, sw, boundary))
      try check(
        "snd_pcm_sw_params_set_avail_min",
        snd_pcm_sw_params_set_avail_min(handle, sw, periodSize))
      // Timestamps in wall-clock time, comparable with the planned start.
      try check(
        "snd_pcm_sw_params_set_tstamp_mode",
        snd_pcm_sw_params_set_tstamp_mode(handle, sw, SND_PCM_TSTAMP_ENABLE))
      try check(
        "snd_pcm_sw_params_set_tstamp_type",
        snd_pcm_sw_params_set_tstamp_type(handle, sw, SND_PCM_TSTAMP_TYPE_GETTIMEOFDAY))
    }
  }

  /// Frames that can be written now without blocking.
  public func available() throws(PCMError) -> Int {
    let available = snd_pcm_avail_update(handle)
    if available >= 0 { return Int(available) }
    try recover(Int32(available), call: "snd_pcm_avail_update")
    return Int(max(0, snd_pcm_avail_update(handle)))
  }

  /// Starts the stream: the first buffered frame goes out now. Returns the
  /// wall-clock time ALSA recorded for the start, or the time of the call
  /// when the device gives none.
  @discardableResult
  public func start() throws(PCMError) -> Date {
    let called = Date()
    try check("snd_pcm_start", snd_pcm_start(handle))
    // From now on a refill after an underrun restarts the stream by itself.
    try setStartThreshold(snd_pcm_uframes_t(periodFrames))
    return (try? status().triggeredAt) ?? called
  }

  private func setStartThreshold(_ frames: snd_pcm_uframes_t) throws(PCMError) {
    try changeSoftwareParameters { (sw) throws(PCMError) in
      try check(
        "snd_pcm_sw_params_set_start_threshold",
        snd_pcm_sw_params_set_start_threshold(handle, sw, frames))
    }
  }

  /// Reads the current software parameters, lets `change` set some, and
  /// applies them.
  private func changeSoftwareParameters(_ change: (OpaquePointer?) throws(PCMError) -> Void)
    throws(PCMError)
  {
    var sw: OpaquePointer?
    try check("snd_pcm_sw_params_malloc", snd_pcm_sw_params_malloc(&sw))
    defer { snd_pcm_sw_params_free(sw) }
    try check("snd_pcm_sw_params_current", snd_pcm_sw_params_current(handle, sw))
    try change(sw)
    try check("snd_pcm_sw_params", snd_pcm_sw_params(handle, sw))
  }

  /// What ALSA reports of the running stream.
  public struct Status: Sendable {
    /// When the stream was started, by the device's clock; nil if it gives none.
    public let triggeredAt: Date?
    /// When this status was taken.
    public let takenAt: Date?
    /// Frames written but not yet heard.
    public let delay: Int
  }

  public func status() throws(PCMError) -> Status {
    var status: OpaquePointer?
    try check("snd_pcm_status_malloc", snd_pcm_status_malloc(&status))
    defer { snd_pcm_status_free(status) }
    try check("snd_pcm_status", snd_pcm_status(handle, status))
    var trigger = snd_htimestamp_t()
    var taken = snd_htimestamp_t()
    snd_pcm_status_get_trigger_htstamp(status, &trigger)
    snd_pcm_status_get_htstamp(status, &taken)
    return Status(
      triggeredAt: Self.date(trigger), takenAt: Self.date(taken),
      delay: Int(snd_pcm_status_get_delay(status)))
  }

  private static func date(_ time: snd_htimestamp_t) -> Date? {
    guard time.tv_sec > 0 else { return nil }
    return Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9)
  }

  /// Writes every frame of `samples` (interleaved), blocking while the
  /// buffer is full, recovering from underruns and suspends.
  public func write(_ samples: UnsafeBufferPointer<Int16>) throws(PCMError) {
    var offset = 0
    let frames = samples.count / channels
    while offset < frames {
      offset += try writeOnce(samples, from: offset, frames: frames - offset)
    }
  }

  /// Writes what fits without blocking and returns the frames written; for
  /// pre-filling the buffer before `start()`.
  public func writeAvailable(_ samples: UnsafeBufferPointer<Int16>) throws(PCMError) -> Int {
    let frames = min(samples.count / channels, try available())
    guard frames > 0 else { return 0 }
    return try writeOnce(samples, from: 0, frames: frames)
  }

  private func writeOnce(_ samples: UnsafeBufferPointer<Int16>, from offset: Int, frames: Int)
    throws(PCMError) -> Int
  {
    let written = snd_pcm_writei(
      handle, samples.baseAddress.map { $0 + offset * channels }, snd_pcm_uframes_t(frames))
    if written >= 0 { return Int(written) }
    try recover(Int32(written), call: "snd_pcm_writei")
    return 0
  }

  /// EPIPE (underrun) and ESTRPIPE (suspend) are recovered and counted;
  /// anything else is the device failing.
  private func recover(_ code: Int32, call: String) throws(PCMError) {
    guard code == -EPIPE || code == -ESTRPIPE || code == -EINTR,
      snd_pcm_recover(handle, code, 1) >= 0
    else {
      throw PCMError(call, device: device, code: code)
    }
    if code != -EINTR { recoveries += 1 }
  }

  /// What a device does with frames written before `start()`.
  public enum StartBehaviour: Sendable, Equatable {
    /// It keeps them until started, as ALSA's own PCMs do (hardware, `dmix`,
    /// `plug`, `file`, `null`): pre-fill, then start at the instant.
    case holdsUntilStarted
    /// It plays them at once, whatever the start threshold says, as I/O
    /// plugins that feed a sound server may (`pulse` does): it is running
    /// now, and the first frame must be placed by its delay.
    case playsAtOnce
  }

  /// Finds out, on the device itself, whether it holds what is written
  /// before `start()`: writes one period of silence, waits a fraction of a
  /// period, and sees whether the device's delay went down (it is playing).
  /// One that plays at once is started, and plays silence until the caller
  /// places its first frame (`placeNextFrame`).
  ///
  /// A device found holding keeps the silence queued until `takeBackProbe`:
  /// a sound server too busy to answer within the fraction of a period (a
  /// loaded machine) plays it later, and the caller looks again
  /// (`hasPlayedProbe`) while it waits for the instant, so that it never
  /// pre-fills a device that plays at once.
  ///
  /// Call on a freshly opened device, before anything is written.
  public func probeStartBehaviour() throws(PCMError) -> StartBehaviour {
    let probe = [Int16](repeating: 0, count: periodFrames * channels)
    let written = try probe.withUnsafeBufferPointer { (silence) throws(PCMError) in
      try writeAvailable(silence)
    }
    witness = (written, try status().delay, try available())
    // Long enough to see a sound server consume (it plays within a few
    // milliseconds), short enough that a period of silence is still queued.
    usleep(useconds_t(max(5_000, min(30_000, periodFrames * 1_000_000 / sampleRate / 2))))
    guard try hasPlayedProbe() else { return .holdsUntilStarted }
    try start()
    return .playsAtOnce
  }

  /// Whether the device has played the silence `probeStartBehaviour` left
  /// queued, since it was written: a millisecond of it gone by the delay,
  /// or by the room in the buffer (a plugin that said no delay at first
  /// and none again, the server having played it all in between).
  public func hasPlayedProbe() throws(PCMError) -> Bool {
    guard let queued = witness else { return false }
    let delay = try status().delay
    let room = try available()
    let millisecond = sampleRate / 1_000
    if queued.delay - delay >= millisecond || (queued.delay > 0 && delay == 0)
      || room - queued.room >= millisecond
    {
      witness = nil
      return true
    }
    witness = (queued.frames, max(queued.delay, delay), queued.room)
    return false
  }

  /// Takes back the silence `probeStartBehaviour` left queued on a device
  /// that holds, so that its stream begins with the caller's first frame.
  public func takeBackProbe() throws(PCMError) {
    guard let queued = witness else { return }
    witness = nil
    guard queued.frames > 0 else { return }
    let rewound = snd_pcm_rewind(handle, snd_pcm_uframes_t(queued.frames))
    if rewound != queued.frames {
      // Cannot be taken back piecemeal: start over with an empty buffer.
      try check("snd_pcm_drop", snd_pcm_drop(handle))
      try check("snd_pcm_prepare", snd_pcm_prepare(handle))
    }
  }

  /// On a running device, writes the silence after which the next frame
  /// written is heard at `instant` (wall clock), by the device's own delay;
  /// returns when that frame will be heard, by the same reckoning. Blocks,
  /// a period at a time, until the instant is within a period of what the
  /// device has queued; returns nil as soon as `shouldStop` says so.
  public func placeNextFrame(heardAt instant: Date, shouldStop: () -> Bool) throws(PCMError)
    -> Date?
  {
    let silence = [Int16](repeating: 0, count: max(1, periodFrames) * channels)
    while !shouldStop() {
      let status = try status()
      let takenAt = status.takenAt ?? Date()
      // Frames between the end of what is queued and the instant.
      let gap =
        Int((instant.timeIntervalSince(takenAt) * Double(sampleRate)).rounded()) - status.delay
      let frames = gap <= periodFrames ? max(0, gap) : min(gap - periodFrames, periodFrames)
      try silence.withUnsafeBufferPointer { (buffer) throws(PCMError) in
        try write(UnsafeBufferPointer(rebasing: buffer.prefix(frames * channels)))
      }
      if gap <= periodFrames {
        return takenAt + Double(status.delay + frames) / Double(sampleRate)
      }
    }
    return nil
  }

  /// Plays out what is buffered and returns when it has gone out.
  public func drain() throws(PCMError) {
    // A stream shorter than its buffer was never started.
    if snd_pcm_state(handle) == SND_PCM_STATE_PREPARED { try start() }
    try check("snd_pcm_drain", snd_pcm_drain(handle))
  }

  /// Stops at once, discarding what is buffered.
  public func drop() {
    snd_pcm_drop(handle)
  }
}
