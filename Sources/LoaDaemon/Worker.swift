import Foundation

/// One thread that runs slow jobs (measuring an announcement's file) one
/// after another, off the daemon's loop, with a bounded queue: a flood of
/// requests waits on one thread or is refused, and never starts a thread
/// each.
final class Worker: @unchecked Sendable {
  // @unchecked: `jobs`, `thread`, `finishing` and `threadsStarted` are
  // read and written only with `condition` locked.
  private let condition = NSCondition()
  private var jobs: [@Sendable () -> Void] = []
  private var thread: Thread?
  private var finishing = false
  /// Jobs that may wait, beyond which `submit` refuses.
  let capacity: Int
  private let name: String
  /// Threads started so far (one, once there was work).
  private(set) var threadsStarted = 0

  init(name: String, capacity: Int = 16) {
    self.name = name
    self.capacity = capacity
  }

  /// Queues `job`; false, and the job dropped, when `capacity` jobs wait
  /// already and `bounded` is true.
  @discardableResult
  func submit(bounded: Bool = true, _ job: @escaping @Sendable () -> Void) -> Bool {
    condition.lock()
    defer { condition.unlock() }
    guard !bounded || jobs.count < capacity else { return false }
    jobs.append(job)
    if thread == nil {
      let thread = Thread { [self] in serve() }
      thread.name = name
      thread.start()
      self.thread = thread
      threadsStarted += 1
    }
    condition.signal()
    return true
  }

  /// Lets the thread end once the jobs queued are done.
  func finish() {
    condition.lock()
    finishing = true
    condition.signal()
    condition.unlock()
  }

  private func serve() {
    while true {
      condition.lock()
      while jobs.isEmpty, !finishing { condition.wait() }
      guard !jobs.isEmpty else {
        thread = nil
        condition.unlock()
        return
      }
      let job = jobs.removeFirst()
      condition.unlock()
      job()
    }
  }
}
