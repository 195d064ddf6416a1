import Foundation
import LoaAudio
import LoaDaemon
import LoaSchedule
import Synchronization

/// A clock that jumps to the next deadline instead of waiting: the daemon
/// lives months in seconds. Timers stand in for other threads (the player's
/// events, a clock step) and fire when simulated time reaches them.
public final class SimulatedClock: DaemonClock {
  private struct State {
    var now: Date
    var elapsed = Duration.zero
    var timers: [(at: Date, order: Int, action: @Sendable () -> Void)] = []
    var order = 0
  }
  private let state: Mutex<State>

  public init(_ start: Date) {
    state = Mutex(State(now: start))
  }

  public var offset: Duration { .zero }
  public func now() -> Date { state.withLock { $0.now } }
  public func elapsed() -> Duration { state.withLock { $0.elapsed } }

  /// Runs `action` when simulated time reaches `instant`.
  public func schedule(at instant: Date, _ action: @escaping @Sendable () -> Void) {
    state.withLock { state in
      state.order += 1
      state.timers.append((instant, state.order, action))
    }
  }

  /// Sets the wall clock `seconds` forward (or back), as NTP or an operator
  /// would: the never-stepped clock does not move.
  public func step(by seconds: TimeInterval) {
    state.withLock { $0.now += seconds }
  }

  public func wait(on mailbox: Mailbox, until deadline: Date) {
    guard mailbox.isEmpty else { return }
    let due = state.withLock { state -> [@Sendable () -> Void] in
      let next = state.timers.map(\.at).min().map { min($0, deadline) } ?? deadline
      if next > state.now {
        state.elapsed += .milliseconds(Int64((next.timeIntervalSince(state.now) * 1000).rounded()))
        state.now = next
      }
      let now = state.now
      let fired = state.timers.filter { $0.at <= now }.sorted {
        ($0.at, $0.order) < ($1.at, $1.order)
      }
      state.timers.removeAll { $0.at <= now }
      return fired.map(\.action)
    }
    for action in due { action() }
  }
}

/// Plays by the clock instead of through ALSA: each item lasts what its
/// file's duration says (`durations`, by full path; nil: no such file), files in `broken` fail
/// as an undecodable file would, and events come when simulated time
/// reaches them.
public struct SimulatedPlayer: AiringPlayer {
  let clock: SimulatedClock
  let durations: @Sendable (String) -> Duration?
  var broken: Set<String> = []

  public init(
    clock: SimulatedClock, durations: @escaping @Sendable (String) -> Duration?,
    broken: Set<String> = []
  ) {
    self.clock = clock
    self.durations = durations
    self.broken = broken
  }

  public func play(
    _ items: [PlayItem], at start: Date, settings: PlayerSettings,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void
  ) -> any PlayingAiring {
    let playing = SimulatedPlayback(
      clock: clock, player: self, rate: settings.sampleRate, planned: start, onEvent: onEvent)
    playing.begin(items, at: max(start, clock.now()))
    return playing
  }

  /// How long `item` plays, or (nil) why it cannot.
  func length(of item: PlayItem) -> (Duration?, String) {
    switch item {
    case .silence(let length): return (length, "")
    case .file(let path, let limit, _):
      if broken.contains(path) { return (nil, "'\(path)': not an audio file libsndfile reads") }
      guard let length = durations(path) else { return (nil, "'\(path)': no such file") }
      return (limit.map { min($0, length) } ?? length, "")
    }
  }
}

public final class SimulatedPlayback: PlayingAiring {
  private struct State {
    var queue: [(item: PlayItem, inserted: Bool)] = []
    var current: (item: PlayItem, inserted: Bool, start: Date, frame: Int)?
    var played: [PlayedItem] = []
    var frames = 0
    var firstFrameAt: Date?
    /// Bumped when a pending boundary no longer counts (an interrupt).
    var generation = 0
    var finished = false
  }
  private let state = Mutex(State())
  private let clock: SimulatedClock
  private let player: SimulatedPlayer
  private let rate: Int
  private let planned: Date
  private let onEvent: @Sendable (PlaybackEvent) -> Void

  init(
    clock: SimulatedClock, player: SimulatedPlayer, rate: Int, planned: Date,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void
  ) {
    self.clock = clock
    self.player = player
    self.rate = rate
    self.planned = planned
    self.onEvent = onEvent
  }

  func begin(_ items: [PlayItem], at start: Date) {
    state.withLock { $0.queue = items.map { ($0, false) } }
    clock.schedule(at: start) {
      guard !self.state.withLock({ $0.finished }) else { return }
      self.onEvent(.started(start))
      self.state.withLock { $0.firstFrameAt = start }
      self.next(at: start)
    }
  }

  public func interrupt(reason: String) {
    let now = clock.now()
    let generation = state.withLock { state -> Int in
      state.generation += 1
      return state.generation
    }
    clock.schedule(at: now + 0.15) {
      guard self.state.withLock({ $0.generation == generation && !$0.finished }) else { return }
      self.end(at: now + 0.15, status: .interrupted(reason))
      self.finish(.interrupted(reason), at: now + 0.15)
    }
  }

  public func insert(_ items: [PlayItem]) {
    // At the next boundary, after what was inserted before and has not played.
    state.withLock { state in
      let at = state.queue.firstIndex { !$0.inserted } ?? state.queue.count
      state.queue.insert(contentsOf: items.map { ($0, true) }, at: at)
    }
  }

  /// Ends the current item (if any) at `time` and starts the next.
  private func next(at time: Date) {
    let (item, generation) = state.withLock { state -> ((PlayItem, Bool)?, Int) in
      guard !state.queue.isEmpty else { return (nil, state.generation) }
      let next = state.queue.removeFirst()
      state.current = (next.item, next.inserted, time, state.frames)
      return (next, state.generation)
    }
    guard let (item, inserted) = item else {
      finish(.completed, at: time)
      return
    }
    onEvent(.itemStarted(item, inserted: inserted, at: time))
    let (length, reason) = player.length(of: item)
    if let length {
      let end = time + length.seconds
      clock.schedule(at: end) {
        guard self.state.withLock({ $0.generation == generation && !$0.finished }) else { return }
        self.end(at: end, status: .completed)
        self.next(at: end)
      }
    } else {
      end(at: time, status: .failed(reason))
      next(at: time)
    }
  }

  private func end(at time: Date, status: PlayStatus) {
    let record = state.withLock { state -> PlayedItem? in
      guard let current = state.current else { return nil }
      let frames = Int((time.timeIntervalSince(current.start) * Double(rate)).rounded())
      state.frames += frames
      state.current = nil
      let record = PlayedItem(
        current.item, inserted: current.inserted, startFrame: current.frame, frames: frames,
        startedAt: current.start, endedAt: time, status: status)
      state.played.append(record)
      return record
    }
    if let record { onEvent(.itemEnded(record)) }
  }

  private func finish(_ status: PlayStatus, at time: Date) {
    let report = state.withLock { state -> PlaybackReport in
      state.finished = true
      return PlaybackReport(
        "simulated", plannedStart: planned, firstFrameAt: state.firstFrameAt,
        items: state.played, frames: state.frames, underruns: 0, status: status)
    }
    onEvent(.finished(report))
  }
}
