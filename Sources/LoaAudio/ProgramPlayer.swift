import Foundation

/// Plays one program on the playback's own thread: opens the device,
/// starts it so that the first frame is heard at the due instant, writes
/// period by period, obeys interrupts and insertions, and reopens a
/// failing device.
///
/// Two ways to start on time, chosen by what the device does
/// (`PCMOutput.probeStartBehaviour`): a device that holds what is written
/// until it is started is pre-filled and started at the instant; one that
/// plays at once (a sound server's plugin) is started early on silence and
/// the first frame is placed by its delay. Either way nothing of the
/// program is heard before its time.
///
/// Owned by that one thread from start to end.
final class ProgramPlayer {
  private let playback: Playback
  private let settings: PlayerSettings
  private let plannedStart: Date
  private let onEvent: @Sendable (PlaybackEvent) -> Void

  private var output: PCMOutput?
  /// What the open device does with frames written before its start.
  private var startBehaviour = PCMOutput.StartBehaviour.holdsUntilStarted
  /// Whether the open device's stream has been started.
  private var isRunning = false
  /// Frames handed to devices so far: the position in the program's stream.
  private var position = 0
  /// Where the open device's buffer began in the stream.
  private var deviceStartFrame = 0
  /// Stream frames tied to the wall-clock time they went out: one per
  /// (re)start of a device, the first an estimate until the stream starts.
  private var anchors: [(frame: Int, time: Date)]
  private var firstFrameAt: Date?
  private var failures: [DeviceFailure] = []
  private var underrunsOfClosedDevices = 0
  /// Since when the device has been failing, and the pause before the next
  /// attempt; reset when a period plays.
  private var failingSince: Date?
  private var backoff = ProgramPlayer.firstPause
  /// Underruns of the open device already tied to a new anchor.
  private var recoveriesSeen = 0
  /// Frames written to the device before the first start.
  private var preroll: [Int16] = []
  /// Once interrupted: the reason, and the frames of fade still to write.
  private var interruption: (reason: String, fadeLeft: Int)?
  /// The 16-bit frames on their way to the device, reused chunk after chunk.
  private var pcm: [Int16] = []

  /// Why a program stops before its end.
  private enum Stop: Error {
    case interrupted(String)
    case deviceLost(PCMError)
  }

  init(
    playback: Playback, settings: PlayerSettings, plannedStart: Date,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void
  ) {
    self.playback = playback
    self.settings = settings
    self.plannedStart = plannedStart
    self.onEvent = onEvent
    anchors = [(0, plannedStart)]
  }

  private var channels: Int { settings.channels }
  private var rate: Int { settings.sampleRate }

  func play(_ items: [PlayItem]) -> PlaybackReport {
    var played: [PlayedItem] = []
    var status = PlayStatus.completed
    do throws(Stop) {
      try reopen(after: nil)
      var queue = items.map { (item: $0, inserted: false) }
      var next = 0
      while true {
        let insertions = playback.control.withLock { control in
          defer { control.insertions = [] }
          return control.insertions
        }
        // After what was inserted before and has not played yet: in order.
        let at = queue[next...].firstIndex { !$0.inserted } ?? queue.count
        queue.insert(contentsOf: insertions.map { ($0, true) }, at: at)
        guard next < queue.count else { break }
        try play(queue[next].item, inserted: queue[next].inserted, into: &played)
        next += 1
      }
      try endStream()
      // The interrupt came during the last item's fade.
      if let interruption { status = .interrupted(interruption.reason) }
    } catch {
      switch error {
      case .interrupted(let reason):
        status = .interrupted(reason)
        try? endStream()
      case .deviceLost(let error):
        status = .failed(error.description)
      }
    }
    if firstFrameAt == nil {
      // Stopped before the start: what was buffered never went out.
      played = played.map {
        PlayedItem(
          item: $0.item, inserted: $0.inserted, startFrame: 0, frames: 0, startedAt: $0.startedAt,
          endedAt: $0.startedAt, status: $0.status)
      }
      position = 0
    }
    return PlaybackReport(
      device: settings.device, plannedStart: plannedStart, firstFrameAt: firstFrameAt,
      items: played, frames: position,
      underruns: underrunsOfClosedDevices + (output?.recoveries ?? 0), deviceFailures: failures,
      status: status)
  }

  // MARK: Items

  private func play(_ item: PlayItem, inserted: Bool, into played: inout [PlayedItem])
    throws(Stop)
  {
    let start = position
    var status = PlayStatus.completed
    onEvent(.itemStarted(item, inserted: inserted, at: time(of: start)))
    defer {
      let record = PlayedItem(
        item: item, inserted: inserted, startFrame: start, frames: position - start,
        startedAt: time(of: start), endedAt: time(of: position), status: status)
      played.append(record)
      onEvent(.itemEnded(record))
    }
    do {
      switch item {
      case .silence(let length):
        var left = length.frames(at: rate)
        while left > 0 {
          let count = min(left, Self.chunkFrames)
          prepareBuffer(frames: count)
          pcm.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
          try deliver(frames: count)
          left -= count
        }
      case .file(let path, let limit, let gain):
        status = try playFile(path, limit: limit, gain: gain)
      }
    } catch {
      switch error {
      case .interrupted(let reason): status = .interrupted(reason)
      case .deviceLost(let error): status = .failed(error.description)
      }
      throw error
    }
  }

  /// Frames decoded at a time: a third of a second, so that a 16-bit file
  /// is read 64 KiB a call (fewer calls cost less than any buffering).
  private static let chunkFrames = 16_384

  /// Plays a file, or as much of it as decodes; a file that cannot be read
  /// is `failed` and the program goes on.
  private func playFile(_ path: String, limit: Duration?, gain: Double) throws(Stop) -> PlayStatus {
    let reader: StationAudioReader
    do {
      reader = try StationAudioReader(path: path, sampleRate: rate, channels: channels)
    } catch {
      return .failed("\(error)")
    }
    let factor = Float(pow(10, gain / 20))
    var remaining = limit.map { $0.frames(at: rate) } ?? Int.max
    while remaining > 0 {
      var count: Int
      if reader.isPassthrough {
        // 16-bit at the station's rate and channels: straight into the buffer.
        prepareBuffer(frames: Self.chunkFrames)
        do {
          count = try pcm.withUnsafeMutableBufferPointer {
            try reader.read(into: $0, frames: min(Self.chunkFrames, remaining))
          }
        } catch {
          return .failed("\(error)")
        }
        if factor != 1 {
          pcm.withUnsafeMutableBufferPointer {
            SampleConversion.scale(.init(rebasing: $0.prefix(count * channels)), by: factor)
          }
        }
      } else {
        let chunk: [Float]
        do {
          chunk = try reader.read(frames: Self.chunkFrames)
        } catch {
          return .failed("\(error)")
        }
        count = min(chunk.count / channels, remaining)
        prepareBuffer(frames: count)
        chunk.withUnsafeBufferPointer { input in
          pcm.withUnsafeMutableBufferPointer { output in
            if let base = output.baseAddress {
              SampleConversion.pcm16(
                from: .init(rebasing: input.prefix(count * channels)), gain: factor, into: base)
            }
          }
        }
      }
      if count == 0 { break }
      remaining -= count
      try deliver(frames: count)
    }
    return .completed
  }

  // MARK: The stream

  /// Makes the 16-bit buffer hold at least `frames` frames.
  private func prepareBuffer(frames: Int) {
    if pcm.count < frames * channels { pcm = [Int16](repeating: 0, count: frames * channels) }
  }

  /// Hands the first `frames` frames of the buffer to the device a period at
  /// a time, fading out and stopping once interrupted.
  private func deliver(frames: Int) throws(Stop) {
    let period = max(1, output?.periodFrames ?? 1024)
    var offset = 0
    while offset < frames {
      checkInterruption()
      var count = min(period, frames - offset)
      if let interrupted = interruption {
        if interrupted.fadeLeft == 0 { throw .interrupted(interrupted.reason) }
        count = min(count, interrupted.fadeLeft)
        fade(frames: offset..<(offset + count), from: interrupted.fadeLeft)
        interruption = (interrupted.reason, interrupted.fadeLeft - count)
      }
      try write(from: offset, frames: count)
      offset += count
    }
    if let interrupted = interruption, interrupted.fadeLeft == 0 {
      throw .interrupted(interrupted.reason)
    }
  }

  private func checkInterruption() {
    guard interruption == nil,
      let reason = playback.control.withLock({ $0.interruption })
    else { return }
    // Nothing has gone out yet: stop without a sound.
    interruption = (reason, isRunning ? settings.fade.frames(at: rate) : 0)
  }

  /// A linear ramp down to silence over the frames of fade left.
  private func fade(frames: Range<Int>, from fadeLeft: Int) {
    let total = Float(max(1, settings.fade.frames(at: rate)))
    for (step, frame) in frames.enumerated() {
      let level = Float(fadeLeft - step - 1) / total
      for sample in (frame * channels)..<((frame + 1) * channels) {
        pcm[sample] = Int16((Float(pcm[sample]) * level).rounded())
      }
    }
  }

  /// Hands `frames` frames of the buffer, from frame `offset`, to the
  /// device: fills its buffer before the start, starts it when full, and
  /// reopens it when it fails.
  private func write(from offset: Int, frames: Int) throws(Stop) {
    // Frames of this piece the device has taken. A blocking write that
    // fails part-way is written again whole: at most a period heard twice.
    var done = 0
    while done < frames {
      do throws(PCMError) {
        guard let output else {
          throw PCMError("snd_pcm_open", device: settings.device, code: -ENODEV)
        }
        if !isRunning, startBehaviour == .playsAtOnce {
          try leadIn(output)
          // Interrupted before the start: nothing of the program went out.
          if !isRunning { return }
        }
        let before = done
        try pcm.withUnsafeBufferPointer { (buffer) throws(PCMError) in
          let piece = UnsafeBufferPointer(
            rebasing: buffer[((offset + before) * channels)..<((offset + frames) * channels)])
          if !isRunning {
            // Up to one buffer before the start: a device such as `null` or
            // `file` would take the whole program.
            let room = max(0, output.bufferFrames - (position - deviceStartFrame))
            let written = try output.writeAvailable(
              UnsafeBufferPointer(rebasing: piece.prefix(min(frames - done, room) * channels)))
            // Kept until the first start, to be written again should the
            // device fail before it.
            if firstFrameAt == nil { preroll += piece.prefix(written * channels) }
            position += written
            done += written
            if done < frames { try startStream() }
            // Interrupted before the start: the rest is not written.
            if !isRunning { return }
          }
          if done < frames {
            try output.write(UnsafeBufferPointer(rebasing: piece[((done - before) * channels)...]))
            position += frames - done
            done = frames
          }
        }
        if !isRunning { return }
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
      playback.control.withLock { $0.interruption != nil }
    }
    guard let placed else { return }
    try preroll.withUnsafeBufferPointer { (frames) throws(PCMError) in try output.write(frames) }
    preroll = []
    isRunning = true
    let at = placed + clockOffset
    if firstFrameAt == nil {
      firstFrameAt = at
      onEvent(.started(at))
    }
    anchors = [(deviceStartFrame, at)]
  }

  /// Starts the open device: at the planned instant the first time, at once
  /// after a reopen; not at all once interrupted.
  private func startStream() throws(PCMError) {
    guard let output else { return }
    if firstFrameAt == nil { sleep(until: plannedStart) }
    // Interrupted before the start: what is buffered never goes out.
    if playback.control.withLock({ $0.interruption }) != nil { return }
    let at = try output.start() + clockOffset
    isRunning = true
    if firstFrameAt == nil {
      firstFrameAt = at
      anchors = []
      preroll = []
      onEvent(.started(at))
    }
    anchors.append((deviceStartFrame, at))
  }

  /// Plays out the end of the stream: starts it if it was all pre-filled,
  /// and drains it.
  private func endStream() throws(Stop) {
    guard let output else { return }
    do {
      if !isRunning {
        if position == deviceStartFrame { return }
        try startStream()
      }
      if isRunning { try output.drain() }
    } catch {
      failures.append(DeviceFailure(at: now(), error: error, recoveredAt: nil))
      onEvent(.deviceFailed(error))
      throw .deviceLost(error)
    }
    if !isRunning {
      output.drop()
      let reason = playback.control.withLock { $0.interruption }
      throw .interrupted(reason ?? "interrupted before the start")
    }
  }

  /// Opens the device, closing a failed one first, trying again with
  /// back-off (0.1 s doubling to 2 s) until the catch-up time has passed:
  /// counted from the planned start for the first opening, from the first
  /// of a run of failures afterwards (a run ends when a period plays).
  private func reopen(after error: PCMError?) throws(Stop) {
    let startedAt = now()
    if let error {
      onEvent(.deviceFailed(error))
      underrunsOfClosedDevices += output?.recoveries ?? 0
      // A device that failed again before a period played waits first.
      if failingSince != nil { try pauseBeforeRetry() }
    }
    let failedAt = failingSince ?? startedAt
    failingSince = failedAt
    let deadline = (error == nil ? plannedStart : failedAt) + settings.catchUp.timeInterval
    output = nil
    isRunning = false
    var lastError = error
    while true {
      do throws(PCMError) {
        let opened = try PCMOutput(
          device: settings.device, sampleRate: rate, channels: channels,
          bufferTime: settings.bufferTime)
        // Before the start, ask the device whether it will wait for it.
        let behaviour =
          firstFrameAt == nil && plannedStart > now()
          ? try opened.probeStartBehaviour() : .holdsUntilStarted
        // What was buffered on a device that failed before the start goes
        // into the new one, so that the program still begins at its start;
        // one that plays at once gets it after its lead-in.
        let replayed =
          behaviour == .playsAtOnce
          ? preroll.count / channels
          : try preroll.withUnsafeBufferPointer { (frames) throws(PCMError) in
            try opened.writeAvailable(frames)
          }
        output = opened
        startBehaviour = behaviour
        deviceStartFrame = position - preroll.count / channels
        preroll.removeLast(preroll.count - replayed * channels)
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
    recoveriesSeen = 0
    if error == nil, lastError == nil { failingSince = nil }
    if let lastError {
      let back = now()
      failures.append(DeviceFailure(at: failedAt, error: lastError, recoveredAt: back))
      onEvent(.deviceRecovered(back))
    }
  }

  private static let firstPause = 0.1

  private func pauseBeforeRetry() throws(Stop) {
    try pauseInterruptibly(seconds: backoff)
    backoff = min(backoff * 2, 2)
  }

  private func pauseInterruptibly(seconds: Double) throws(Stop) {
    let end = now() + seconds
    while now() < end {
      if let reason = playback.control.withLock({ $0.interruption }) { throw .interrupted(reason) }
      sleep(onStationClockUntil: min(end, now() + 0.05))
    }
  }

  /// Sleeps until `instant` by the wall clock, waking every 50 ms to see an
  /// interrupt; the last wake-up is absolute, so it lands within the
  /// scheduler's latency of the instant.
  private func sleep(until instant: Date) {
    while now() < instant {
      if playback.control.withLock({ $0.interruption }) != nil { return }
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

  /// The wall-clock time stream frame `frame` goes (or went) out.
  private func time(of frame: Int) -> Date {
    let anchor = anchors.last { $0.frame <= frame } ?? anchors[0]
    return anchor.time + Double(frame - anchor.frame) / Double(rate)
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
