import Foundation
import LoaAudio
import LoaSchedule

/// The daemon's sense of time: the station's wall clock, a clock that is
/// never stepped (to notice when the wall clock is), and a way to wait.
/// Tests inject a simulated one and replay months in seconds.
public protocol DaemonClock: Sendable {
  /// The station's wall clock.
  func now() -> Date
  /// Time since some fixed point, never stepped (it counts a suspend).
  func elapsed() -> Duration
  /// Returns when `mailbox` has an event, or when `now()` reaches `deadline`.
  func wait(on mailbox: Mailbox, until deadline: Date)
  /// The station's clock minus this machine's, for the player.
  var offset: Duration { get }
}

/// This machine's clock, optionally shifted: `offset` makes the daemon
/// believe it is another time (a demonstration, a rehearsal of a day).
public struct SystemClock: DaemonClock {
  public let offset: Duration

  public init(offset: Duration = .zero) {
    self.offset = offset
  }

  public func now() -> Date { Date() + offset.seconds }

  public func elapsed() -> Duration {
    var time = timespec()
    clock_gettime(CLOCK_BOOTTIME, &time)
    return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
  }

  /// Waits in slices of at most 5 s, so that the loop reads the wall
  /// clock again and notices a step within them.
  public func wait(on mailbox: Mailbox, until deadline: Date) {
    mailbox.wait(seconds: min(deadline.timeIntervalSince(now()), 5))
  }
}

/// Plays an airing's items: the ALSA player on air, a simulation in tests.
public protocol AiringPlayer: Sendable {
  /// Starts playing `items` at `start` (on the station's clock, now when
  /// past); reports every event, `.finished` last, through `onEvent`.
  func play(
    _ items: [PlayItem], at start: Date, settings: PlayerSettings,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void
  ) -> any PlayingAiring
}

/// An airing being played.
public protocol PlayingAiring: Sendable {
  /// Stops at once with a short fade.
  func interrupt(reason: String)
  /// Plays `items` at the next boundary between items, then goes on.
  func insert(_ items: [PlayItem])
}

extension Playback: PlayingAiring {}

/// The real player: ALSA, on a thread of its own per airing.
public struct ALSAPlayer: AiringPlayer {
  public init() {}

  public func play(
    _ items: [PlayItem], at start: Date, settings: PlayerSettings,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void
  ) -> any PlayingAiring {
    Playback(items, at: start, settings: settings, onEvent: onEvent)
  }
}
