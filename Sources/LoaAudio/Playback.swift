import Foundation
import Synchronization

/// One part of a program, as the audio engine sees it.
public enum PlayItem: Sendable, Equatable {
  /// A file, cut after `limit` when given (a program's `max_length`), played
  /// `gain` decibels louder than recorded (loudness normalization).
  case file(path: String, limit: Duration? = nil, gain: Double = 0)
  case silence(Duration)

  /// The file's path, or nil for a silence.
  public var path: String? {
    if case .file(let path, _, _) = self { path } else { nil }
  }
}

/// What became of an item, or of a whole playback.
public enum PlayStatus: Sendable, Equatable {
  case completed
  /// Stopped before its end; the reason says by what.
  case interrupted(String)
  /// Could not be played (a file that cannot be decoded, a device that
  /// stayed away); the reason names the file or the device.
  case failed(String)
}

/// Where and when an item went out.
public struct PlayedItem: Sendable {
  public let item: PlayItem
  /// True when it was inserted while the program played (a priority item).
  public let inserted: Bool
  /// Position in the program's stream, in frames from its first frame.
  public let startFrame: Int
  public let frames: Int
  /// When its first frame went out, and when its last one ended.
  public let startedAt: Date
  public let endedAt: Date
  public let status: PlayStatus
  /// The frames it should have played: a silence's length, a file's to
  /// its end or its cut, as known when it was opened; nil when unknown (a
  /// file that could not be opened). Fewer frames played than this is a
  /// part of it heard, whatever the status says.
  public let plannedFrames: Int?
}

/// A time the device failed during a playback, and when it came back.
public struct DeviceFailure: Sendable {
  public let at: Date
  public let error: PCMError
  /// Nil when it did not come back within the catch-up time.
  public let recoveredAt: Date?
}

/// The whole story of one playback.
public struct PlaybackReport: Sendable {
  public let device: String
  public let plannedStart: Date
  /// When the first frame went out, by ALSA's timestamp where the device
  /// gives one; nil if nothing was played.
  public let firstFrameAt: Date?
  public let items: [PlayedItem]
  /// Frames of the whole stream.
  public let frames: Int
  /// Underruns and suspends recovered from.
  public let underruns: Int
  public let deviceFailures: [DeviceFailure]
  public let status: PlayStatus

  /// How late the first frame went out (negative when early).
  public var lateness: Duration? {
    firstFrameAt.map { .nanoseconds(Int64(($0.timeIntervalSince(plannedStart) * 1e9).rounded())) }
  }
}

/// Something that happened while playing, reported as it happens (from the
/// player's thread) so that it can be logged at once.
public enum PlaybackEvent: Sendable {
  /// The stream started; the first frame went out at this time.
  case started(Date)
  case itemStarted(PlayItem, inserted: Bool, at: Date)
  case itemEnded(PlayedItem)
  case deviceFailed(PCMError)
  case deviceRecovered(Date)
  /// The playback is over; this is its report, as `wait()` returns it.
  case finished(PlaybackReport)
}

/// How the player uses the device.
public struct PlayerSettings: Sendable {
  /// The ALSA PCM name.
  public var device: String
  public var sampleRate: Int
  public var channels: Int
  /// Microseconds of audio the device holds; an interrupt is heard within
  /// this plus the fade.
  public var bufferTime: UInt32
  /// How long a device that cannot be opened, or fails mid-program, is
  /// tried again before the playback fails.
  public var catchUp: Duration
  /// The fade-out on interrupt.
  public var fade: Duration
  /// The station's clock minus this machine's: zero on air, set when a
  /// rehearsal or a demonstration pretends another time. The planned start
  /// and every time in the report are on the station's clock.
  public var clockOffset: Duration
  /// Called on the player's thread each time a device has been opened,
  /// before anything is written to it: tests make the sound server slow
  /// to answer at that moment.
  var deviceOpened: (@Sendable () -> Void)?

  public init(
    device: String, sampleRate: Int, channels: Int, bufferTime: UInt32 = 200_000,
    catchUp: Duration = .seconds(600), fade: Duration = .milliseconds(150),
    clockOffset: Duration = .zero
  ) {
    self.device = device
    self.sampleRate = sampleRate
    self.channels = channels
    self.bufferTime = bufferTime
    self.catchUp = catchUp
    self.fade = fade
    self.clockOffset = clockOffset
  }
}

/// A program playing on its own thread: interrupt it, insert items into it,
/// and wait for its report.
///
/// Thread-safe: the controls and the report live behind one mutex, which
/// the player's thread reads between periods.
public final class Playback: Sendable {
  struct Control {
    var interruption: String?
    var insertions: [PlayItem] = []
    var report: PlaybackReport?
    var waiters: [CheckedContinuation<PlaybackReport, Never>] = []
  }

  let control = Mutex(Control())
  private let done = DispatchSemaphore(value: 0)

  /// Plays `items` back to back on a new thread, starting at `start` (now
  /// when nil): the device is opened and its buffer filled beforehand, so
  /// that the first frame goes out at the instant.
  ///
  /// - Parameter onEvent: called on the player's thread as things happen;
  ///   it must return quickly.
  public init(
    _ items: [PlayItem], at start: Date? = nil, settings: PlayerSettings,
    onEvent: @escaping @Sendable (PlaybackEvent) -> Void = { _ in }
  ) {
    let planned = start ?? Date() + settings.clockOffset.timeInterval
    let thread = Thread { [self] in
      let report = ProgramPlayer(
        playback: self, settings: settings, plannedStart: planned, onEvent: onEvent
      ).play(items)
      finish(report)
      onEvent(.finished(report))
    }
    thread.name = "loa-player"
    thread.qualityOfService = .userInteractive
    thread.start()
  }

  /// Stops at once, with a short fade; the current item is `interrupted`.
  public func interrupt(reason: String) {
    control.withLock { if $0.interruption == nil { $0.interruption = reason } }
  }

  /// Plays `items` at the next boundary between items, then goes on with
  /// the program.
  public func insert(_ items: [PlayItem]) {
    control.withLock { $0.insertions += items }
  }

  /// Blocks until the playback ends. Not for async code: await `report`.
  public func wait() -> PlaybackReport {
    while true {
      if let report = control.withLock({ $0.report }) { return report }
      // The semaphore is signalled once; pass it on to the next waiter.
      done.wait()
      done.signal()
    }
  }

  /// The report, once the playback has ended.
  public var report: PlaybackReport {
    get async {
      await withCheckedContinuation { continuation in
        let report = control.withLock { control -> PlaybackReport? in
          if control.report == nil { control.waiters.append(continuation) }
          return control.report
        }
        if let report { continuation.resume(returning: report) }
      }
    }
  }

  private func finish(_ report: PlaybackReport) {
    let waiters = control.withLock { control in
      control.report = report
      defer { control.waiters = [] }
      return control.waiters
    }
    for waiter in waiters { waiter.resume(returning: report) }
    done.signal()
  }
}
