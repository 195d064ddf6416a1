import Foundation
import LoaAudio
import LoaControl
import LoaPlayout
import LoaSchedule

/// What wakes the daemon's loop besides its own deadlines.
public enum DaemonEvent: Sendable {
  /// Something happened to the playback numbered `playback`.
  case playback(Int, PlaybackEvent)
  /// Load the schedule again; the text says why (SIGHUP, a file changed).
  case reload(String)
  /// A schedule loaded in the background, valid or not, by the load's number.
  case loaded(LoadedSchedule, Int)
  /// End the airing on air cleanly and exit; the text says why.
  case stop(String)
  /// A request on the control socket, and where its answer goes.
  case control(ControlRequest, ControlReply)
  /// An accepted announcement, its file measured, ready to go on air.
  case measured(PreparedAnnouncement)
  /// An accepted announcement that cannot air, by its id, and why.
  case measureFailed(String, String)
  /// A write to the airing log failed; the text says which and why.
  case logFailed(String)
  /// Writes to the airing log wait for the disk; nil: all are written.
  case logTrouble(LogTrouble?)
}

/// The events of other threads, queued for the daemon's loop, which waits
/// for one of them or for a while.
///
/// A POSIX condition variable on `CLOCK_MONOTONIC`: a wait lasts what it
/// was asked whatever the wall clock does. The daemon waits at most a few
/// seconds at a time and reads the wall clock again, so that a step either
/// way is noticed within those seconds and a long sleep cannot drift.
public final class Mailbox: @unchecked Sendable {
  // @unchecked: every access to `events` holds `mutex`. The mutex and the
  // condition are allocated, as POSIX wants them at a fixed address.
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  private var events: [DaemonEvent] = []

  public init() {
    pthread_mutex_init(mutex, nil)
    var attributes = pthread_condattr_t()
    pthread_condattr_init(&attributes)
    pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
    pthread_cond_init(condition, &attributes)
    pthread_condattr_destroy(&attributes)
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

  /// True when no event waits.
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

  /// Blocks until an event is posted or `seconds` have passed.
  public func wait(seconds: Double) {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    let until = Double(now.tv_sec) + Double(now.tv_nsec) / 1e9 + max(0, seconds)
    var wake = timespec(
      tv_sec: Int(until.rounded(.down)), tv_nsec: Int((until - until.rounded(.down)) * 1e9))
    pthread_mutex_lock(mutex)
    while events.isEmpty {
      if pthread_cond_timedwait(condition, mutex, &wake) == ETIMEDOUT { break }
    }
    pthread_mutex_unlock(mutex)
  }
}
