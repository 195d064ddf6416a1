import Foundation

/// Plays one program on the playback's own thread: its items back to back,
/// files decoded and brought to the station's format, silences, items
/// inserted at the boundaries between them, and a fade when interrupted,
/// into the program's `DeviceStream`.
///
/// Owned by that one thread from start to end.
final class ProgramPlayer {
  private let playback: Playback
  private let settings: PlayerSettings
  private let plannedStart: Date
  private let onEvent: @Sendable (PlaybackEvent) -> Void
  private let stream: DeviceStream
  /// Once interrupted: the reason, and the frames of fade still to write.
  private var interruption: (reason: String, fadeLeft: Int)?
  /// The 16-bit frames on their way to the device, reused chunk after chunk.
  private var pcm: [Int16] = []

  init(
    playback: Playback, settings: PlayerSettings, plannedStart: Date,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void
  ) {
    self.playback = playback
    self.settings = settings
    self.plannedStart = plannedStart
    self.onEvent = onEvent
    stream = DeviceStream(settings: settings, plannedStart: plannedStart, onEvent: onEvent) {
      playback.control.withLock { $0.interruption }
    }
  }

  private var channels: Int { settings.channels }
  private var rate: Int { settings.sampleRate }

  func play(_ items: [PlayItem]) -> PlaybackReport {
    var played: [PlayedItem] = []
    var status = PlayStatus.completed
    do throws(PlaybackStop) {
      try stream.open()
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
      try stream.end()
      // The interrupt came during the last item's fade.
      if let interruption { status = .interrupted(interruption.reason) }
    } catch {
      switch error {
      case .interrupted(let reason):
        status = .interrupted(reason)
        try? stream.end()
      case .deviceLost(let error):
        status = .failed(error.description)
      }
    }
    let started = stream.firstFrameAt != nil
    if !started {
      // Stopped before the start: what was buffered never went out.
      played = played.map {
        PlayedItem(
          item: $0.item, inserted: $0.inserted, startFrame: 0, frames: 0, startedAt: $0.startedAt,
          endedAt: $0.startedAt, status: $0.status, plannedFrames: $0.plannedFrames)
      }
    }
    return PlaybackReport(
      device: settings.device, plannedStart: plannedStart, firstFrameAt: stream.firstFrameAt,
      items: played, frames: started ? stream.position : 0, underruns: stream.underruns,
      deviceFailures: stream.failures, status: status)
  }

  // MARK: Items

  private func play(_ item: PlayItem, inserted: Bool, into played: inout [PlayedItem])
    throws(PlaybackStop)
  {
    let start = stream.position
    var status = PlayStatus.completed
    var planned: Int?
    // Once the stream runs, when the item starts is known now; before, the
    // device's start will say.
    let startedAt = stream.firstFrameAt == nil ? nil : stream.heardTime(of: start)
    onEvent(.itemStarted(item, inserted: inserted, at: startedAt ?? stream.time(of: start)))
    defer {
      let record = PlayedItem(
        item: item, inserted: inserted, startFrame: start, frames: stream.position - start,
        startedAt: startedAt ?? stream.time(of: start),
        endedAt: stream.heardTime(of: stream.position),
        status: status, plannedFrames: planned)
      played.append(record)
      onEvent(.itemEnded(record))
    }
    do {
      switch item {
      case .silence(let length):
        var left = length.frames(at: rate)
        planned = left
        while left > 0 {
          let count = min(left, Self.chunkFrames)
          prepareBuffer(frames: count)
          pcm.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
          try deliver(frames: count)
          left -= count
        }
      case .file(let path, let limit, let gain):
        status = try playFile(path, limit: limit, gain: gain, planned: &planned)
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
  /// `planned` is set, once the file is open, to the frames it should
  /// play: to its end as its header says, or to `limit`.
  private func playFile(
    _ path: String, limit: Duration?, gain: Double, planned: inout Int?
  ) throws(PlaybackStop) -> PlayStatus {
    let reader: StationAudioReader
    do {
      reader = try StationAudioReader(path: path, sampleRate: rate, channels: channels)
    } catch {
      return .failed("\(error)")
    }
    let format = reader.file.format
    let length = Int(format.frames * Int64(rate) / Int64(max(1, format.sampleRate)))
    let cut = limit.map { $0.frames(at: rate) }
    planned = min(length, cut ?? length)
    let factor = Float(pow(10, gain / 20))
    var remaining = cut ?? Int.max
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

  // MARK: Delivering

  /// Makes the 16-bit buffer hold at least `frames` frames.
  private func prepareBuffer(frames: Int) {
    if pcm.count < frames * channels { pcm = [Int16](repeating: 0, count: frames * channels) }
  }

  /// Hands the first `frames` frames of the buffer to the device a period at
  /// a time, fading out and stopping once interrupted.
  private func deliver(frames: Int) throws(PlaybackStop) {
    let period = stream.periodFrames
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
      try pcm.withUnsafeBufferPointer { (buffer) throws(PlaybackStop) in
        try stream.write(buffer, from: offset, frames: count)
      }
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
    interruption = (reason, stream.isRunning ? settings.fade.frames(at: rate) : 0)
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
}
