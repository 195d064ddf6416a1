import Foundation
import LoaAudio
import LoaSchedule

/// What wakes the daemon's loop besides its own deadlines.
public enum DaemonEvent: Sendable {
  /// Something happened to the playback numbered `playback`.
  case playback(Int, PlaybackEvent)
  /// Load the schedule again; the text says why (SIGHUP, a file changed).
  case reload(String)
  /// A schedule loaded in the background, valid or not.
  case loaded(LoadedSchedule)
  /// End the airing on air cleanly and exit; the text says why.
  case stop(String)
}

/// The events of other threads, queued for the daemon's loop, which waits
/// for one of them or for a deadline on the wall clock.
///
/// A POSIX condition variable with its default clock, `CLOCK_REALTIME`:
/// a wait for a wall-clock deadline ends at that wall-clock time even when
/// the clock is stepped while waiting.
public final class Mailbox: @unchecked Sendable {
  // @unchecked: every access to `events` holds `mutex`. The mutex and the
  // condition are allocated, as POSIX wants them at a fixed address.
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var events: [DaemonEvent] = []

  public init() {
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    condition.deallocate()
    mutex.deallocate()
  }

  public func post(_ event: DaemonEvent) {
    pthread_mutex_lock(mutex)
    events.append(event)
    pthread_cond_signal(condition)
    pthread_mutex_unlock(mutex)
  }

  /// True when an event waits.
  public var isEmpty: Bool {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return events.isEmpty
  }

  /// The events posted so far, oldest first, emptying the box.
  public func take() -> [DaemonEvent] {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    defer { events = [] }
    return events
  }

  /// Blocks until an event is posted or the wall clock reaches `deadline`
  /// (this machine's clock).
  public func wait(untilSystemTime deadline: Date) {
    let seconds = deadline.timeIntervalSince1970
    var wake = timespec(
      tv_sec: Int(seconds.rounded(.down)),
      tv_nsec: Int((seconds - seconds.rounded(.down)) * 1e9))
    pthread_mutex_lock(mutex)
    while events.isEmpty {
      if pthread_cond_timedwait(condition, mutex, &wake) == ETIMEDOUT { break }
    }
    pthread_mutex_unlock(mutex)
  }
}
