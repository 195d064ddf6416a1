import Foundation

/// Why a program stops before its end.
enum PlaybackStop: Error {
  case interrupted(String)
  case deviceLost(PCMError)
}

/// The program's stream of frames on the device: opens the device (again,
/// with back-off, when it fails), starts it so that the first frame is
/// heard at the planned instant, writes, and ties stream frames to the wall
/// clock.
///
/// Two ways to start on time, chosen by what the device does
/// (`PCMOutput.probeStartBehaviour`): a device that holds what is written
/// until it is started is pre-filled just before the instant and started
/// on it; one that plays at once (a sound server's plugin) is started early
/// on silence and the first frame is placed by its delay. Until the start,
/// a buffer of the program waits here, not on the device, and the device
/// is watched: one that turns out to play at once (its server was slow to
/// answer the probe) is led in like one found so. Either way nothing of
/// the program is heard before its time.
///
/// Owned by the player's thread, like the player.
final class DeviceStream {
  private let settings: PlayerSettings
  private let plannedStart: Date
  private let onEvent: @Sendable (PlaybackEvent) -> Void
  /// Why the program was interrupted, if it was; read between periods.
  private let interruption: () -> String?

  private var output: PCMOutput?
  /// What the open device does with frames written before its start.
  private var startBehaviour = PCMOutput.StartBehaviour.holdsUntilStarted
  /// Whether the open device's stream has been started.
  private(set) var isRunning = false
  /// Frames handed to devices so far: the position in the program's stream.
  private(set) var position = 0
  /// Where the open device's buffer began in the stream.
  private var deviceStartFrame = 0
  /// Stream frames tied to the wall-clock time they went out: one per
  /// (re)start of a device, the first an estimate until the stream starts.
  private var anchors: [(frame: Int, time: Date)]
  /// When the first frame went out; nil until the stream has started.
  private(set) var firstFrameAt: Date?
  private(set) var failures: [DeviceFailure] = []
  private var underrunsOfClosedDevices = 0
  /// Since when the device has been failing, and the pause before the next
  /// attempt; reset when a period plays.
  private var failingSince: Date?
  private var backoff = DeviceStream.firstPause
  /// Underruns of the open device already tied to a new anchor.
  private var recoveriesSeen = 0
  /// Up to a buffer of frames waiting for the device's (re)start.
  private var preroll: [Int16] = []
  /// The first frame's time on a device led in, until it has come.
  private var startToTell: Date?

  init(
    settings: PlayerSettings, plannedStart: Date,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void, interruption: @escaping () -> String?
  ) {
    self.settings = settings
    self.plannedStart = plannedStart
    self.onEvent = onEvent
    self.interruption = interruption
    anchors = [(0, plannedStart)]
  }

  private var channels: Int { settings.channels }
  private var rate: Int { settings.sampleRate }

  /// Frames the open device takes at a time.
  var periodFrames: Int { max(1, output?.periodFrames ?? 1024) }

  /// Underruns and suspends recovered from, on every device opened.
  var underruns: Int { underrunsOfClosedDevices + (output?.recoveries ?? 0) }

  /// Opens the device for the program's start.
  func open() throws(PlaybackStop) {
    try reopen(after: nil)
  }

  /// Hands `frames` frames of `pcm`, from frame `offset`, to the device:
  /// fills its buffer before the start, starts it when full, and reopens
  /// it when it fails.
  func write(_ pcm: UnsafeBufferPointer<Int16>, from offset: Int, frames: Int)
    throws(PlaybackStop)
  {
    // Frames of this piece the device has taken. A blocking write that
    // fails part-way is written again whole: at most a period heard twice.
    var done = 0
    while done < frames {
      do throws(PCMError) {
        guard let output else {
          throw PCMError("snd_pcm_open", device: settings.device, code: -ENODEV)
        }
        if !isRunning, startBehaviour == .playsAtOnce, firstFrameAt == nil {
          // Running on silence: the first frame is placed now, the program
          // follows as it comes.
          try leadIn(output)
          if !isRunning { return }
        }
        if !isRunning {
          // Up to a buffer waits for the start; a device such as `null` or
          // `file` would take the whole program before it.
          let room = max(0, output.bufferFrames - preroll.count / channels)
          let taken = min(frames - done, room)
          let first = (offset + done) * channels
          preroll += pcm[first..<(first + taken * channels)]
          position += taken
          done += taken
          // The buffer is full: the device starts (or, interrupted before
          // its start, never does and takes nothing more).
          if done < frames { try startStream() }
          if !isRunning { return }
          // Written to the device that started, which may be a new one.
          continue
        }
        try output.write(
          UnsafeBufferPointer(
            rebasing: pcm[((offset + done) * channels)..<((offset + frames) * channels)]))
        position += frames - done
        done = frames
        tellStart()
        failingSince = nil
        backoff = Self.firstPause
        if output.recoveries != recoveriesSeen { reanchor(after: output) }
      } catch {
        try reopen(after: error)
      }
    }
  }

  /// After an underrun the stream restarted by itself, later than planned:
  /// ties the frame now playing to ALSA's timestamp of it.
  private func reanchor(after output: PCMOutput) {
    recoveriesSeen = output.recoveries
    guard let status = try? output.status(), let takenAt = status.takenAt else { return }
    anchors.append((position - status.delay, takenAt + clockOffset))
  }

  /// On a device that plays at once: silence until the instant, then what
  /// was kept for the start, the first frame heard at the instant by the
  /// device's reckoning.
  private func leadIn(_ output: PCMOutput) throws(PCMError) {
    let placed = try output.placeNextFrame(heardAt: plannedStart - clockOffset) {
      interruption() != nil
    }
    guard let placed else { return }
    try preroll.withUnsafeBufferPointer { (frames) throws(PCMError) in try output.write(frames) }
    preroll = []
    isRunning = true
    let at = placed + clockOffset
    if firstFrameAt == nil {
      firstFrameAt = at
      // Told once it is heard, as a device that is started is (see
      // `tellStart`), and not before: the log takes it for gone out.
      startToTell = at
    }
    anchors = [(deviceStartFrame, at)]
  }

  /// Tells the start placed by `leadIn` once its time has come.
  private func tellStart() {
    guard let at = startToTell, now() >= at else { return }
    startToTell = nil
    onEvent(.started(at))
  }

  /// Starts the open device with what waits for it: at the planned instant
  /// the first time, at once after a reopen; not at all once interrupted.
  private func startStream() throws(PCMError) {
    while firstFrameAt == nil, startBehaviour == .holdsUntilStarted, let output,
      try !holds(output, until: plannedStart - Self.fillLead)
    {
      // It played the probe's silence after all (its sound server was slow
      // to answer), and its stream may have run dry since: a fresh one is
      // opened and probed again.
      try openDevice()
    }
    guard let output else { return }
    if startBehaviour == .playsAtOnce, firstFrameAt == nil {
      try leadIn(output)
      return
    }
    // Interrupted before the start: nothing goes out.
    if interruption() != nil { return }
    let filled = try preroll.withUnsafeBufferPointer { (frames) throws(PCMError) in
      try output.writeAvailable(frames)
    }
    if firstFrameAt == nil { sleep(until: plannedStart) }
    if interruption() != nil { return }
    let at = try output.start() + clockOffset
    isRunning = true
    if firstFrameAt == nil {
      firstFrameAt = at
      anchors = []
      onEvent(.started(at))
    }
    anchors.append((deviceStartFrame, at))
    // Started: should the device fail now, what waited is not played
    // again from its beginning. A reopened device with a smaller buffer
    // takes the rest now.
    let rest = Array(preroll[(filled * channels)...])
    preroll = []
    try rest.withUnsafeBufferPointer { (frames) throws(PCMError) in try output.write(frames) }
  }

  /// How long before the instant a holding device is filled: time enough
  /// to write a buffer and take back the probe's silence.
  private static let fillLead = 0.02

  /// Waits until `instant` on a device found holding, looking every 50 ms
  /// whether it has played the probe's silence after all. Returns whether
  /// it holds; if so, the silence is taken back.
  private func holds(_ output: PCMOutput, until instant: Date) throws(PCMError) -> Bool {
    while try !output.hasPlayedProbe() {
      if now() >= instant || interruption() != nil {
        try output.takeBackProbe()
        return true
      }
      sleep(onStationClockUntil: min(instant, now() + 0.05))
    }
    return false
  }

  /// Plays out the end of the stream: starts it if it was all pre-filled,
  /// and drains it.
  func end() throws(PlaybackStop) {
    guard let output else { return }
    do {
      if !isRunning {
        if preroll.isEmpty { return }
        try startStream()
      }
      if isRunning {
        try output.drain()
        tellStart()
      }
    } catch {
      failures.append(DeviceFailure(at: now(), error: error, recoveredAt: nil))
      onEvent(.deviceFailed(error))
      throw .deviceLost(error)
    }
    if !isRunning {
      output.drop()
      let reason = interruption()
      throw .interrupted(reason ?? "interrupted before the start")
    }
  }

  /// Opens the device, closing a failed one first, trying again with
  /// back-off (0.1 s doubling to 2 s) until the catch-up time has passed:
  /// counted from the planned start for the first opening, from the first
  /// of a run of failures afterwards (a run ends when a period plays).
  private func reopen(after error: PCMError?) throws(PlaybackStop) {
    let startedAt = now()
    if let error {
      onEvent(.deviceFailed(error))
      // A device that failed again before a period played waits first.
      if failingSince != nil { try pauseBeforeRetry() }
    }
    let failedAt = failingSince ?? startedAt
    failingSince = failedAt
    let deadline = (error == nil ? plannedStart : failedAt) + settings.catchUp.timeInterval
    closeDevice()
    isRunning = false
    var lastError = error
    while true {
      do throws(PCMError) {
        try openDevice()
        break
      } catch {
        if lastError == nil { onEvent(.deviceFailed(error)) }
        lastError = lastError ?? error
        if now() + backoff > deadline {
          failures.append(DeviceFailure(at: failedAt, error: error, recoveredAt: nil))
          throw .deviceLost(error)
        }
        try pauseBeforeRetry()
      }
    }
    if error == nil, lastError == nil { failingSince = nil }
    if let lastError {
      let back = now()
      failures.append(DeviceFailure(at: failedAt, error: lastError, recoveredAt: back))
      onEvent(.deviceRecovered(back))
    }
  }

  /// Opens the device, the open one closed first, and before the first
  /// start asks it whether it will wait for the start.
  private func openDevice() throws(PCMError) {
    closeDevice()
    let opened = try PCMOutput(
      device: settings.device, sampleRate: rate, channels: channels,
      bufferTime: settings.bufferTime)
    settings.deviceOpened?()
    startBehaviour =
      firstFrameAt == nil && plannedStart > now()
      ? try opened.probeStartBehaviour() : .holdsUntilStarted
    output = opened
    recoveriesSeen = 0
    // What waited for a device that failed before its start goes into the
    // new one, so that the program still begins at its start.
    deviceStartFrame = position - preroll.count / channels
  }

  private func closeDevice() {
    underrunsOfClosedDevices += output?.recoveries ?? 0
    output = nil
  }

  private static let firstPause = 0.1

  private func pauseBeforeRetry() throws(PlaybackStop) {
    try pauseInterruptibly(seconds: backoff)
    backoff = min(backoff * 2, 2)
  }

  private func pauseInterruptibly(seconds: Double) throws(PlaybackStop) {
    let end = now() + seconds
    while now() < end {
      if let reason = interruption() { throw .interrupted(reason) }
      sleep(onStationClockUntil: min(end, now() + 0.05))
    }
  }

  /// Sleeps until `instant` by the wall clock, waking every 50 ms to see an
  /// interrupt; the last wake-up is absolute, so it lands within the
  /// scheduler's latency of the instant.
  private func sleep(until instant: Date) {
    while now() < instant {
      if interruption() != nil { return }
      sleep(onStationClockUntil: min(instant, now() + 0.05))
    }
  }

  private func now() -> Date { Date() + clockOffset }

  /// The station's clock minus this machine's.
  private var clockOffset: TimeInterval { settings.clockOffset.timeInterval }

  private func sleep(onStationClockUntil instant: Date) {
    let seconds = instant.timeIntervalSince1970 - clockOffset
    var wake = timespec(
      tv_sec: Int(seconds.rounded(.down)),
      tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    while clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &wake, nil) == EINTR {}
  }

  /// The wall-clock time stream frame `frame` goes (or went) out, by the
  /// device's reckoning from its start.
  func time(of frame: Int) -> Date {
    let anchor = anchors.last { $0.frame <= frame } ?? anchors[0]
    return anchor.time + Double(frame - anchor.frame) / Double(rate)
  }

  /// When stream frame `frame`, just handed to the running device, is
  /// heard. No device holds more than its buffer, so none plays a frame
  /// later than that from now: a reckoning further ahead is a device
  /// without a clock (ALSA's `null`, `file:`), which takes frames as fast
  /// as they come, and its frames went out now.
  func heardTime(of frame: Int) -> Date {
    let reckoned = time(of: frame)
    guard firstFrameAt != nil else { return reckoned }
    let wallClock = now()
    let slack = Double(settings.bufferTime) / 1e6 + 1
    return reckoned.timeIntervalSince(wallClock) > slack ? wallClock : reckoned
  }
}

extension Duration {
  var timeInterval: TimeInterval {
    Double(components.seconds) + Double(components.attoseconds) / 1e18
  }

  /// The number of frames this lasts at `rate`, rounded to the nearest.
  func frames(at rate: Int) -> Int {
    let (seconds, attoseconds) = components
    return Int(seconds) * rate + Int((Double(attoseconds) / 1e18 * Double(rate)).rounded())
  }
}
