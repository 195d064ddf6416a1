import Foundation
import LoaService
import Synchronization
import Testing

@Suite("The process's lifecycle and signals")
struct LifecycleTests {
  @Test("parts stop in the reverse of the order they started, once")
  func reverseOrder() {
    let lifecycle = Lifecycle()
    var stopped: [String] = []
    for name in ["log", "control", "watcher", "signals"] {
      lifecycle.started(name) { stopped.append(name) }
    }
    #expect(lifecycle.started == ["log", "control", "watcher", "signals"])
    lifecycle.shutdown()
    lifecycle.shutdown()
    #expect(stopped == ["signals", "watcher", "control", "log"])
    #expect(lifecycle.started.isEmpty)
  }

  @Test("a signal caught before start is delivered after it, and the next as it comes")
  func heldUntilStart() throws {
    let signals = UnixSignals([SIGUSR2])
    // To the process, not this thread: the test runs on a thread that
    // blocks signals, where raise(3) would leave it pending.
    kill(getpid(), SIGUSR2)
    Thread.sleep(forTimeInterval: 0.1)
    let delivered = Mutex<[Int32]>([])
    func wait(for count: Int) {
      let deadline = Date() + 5
      while delivered.withLock({ $0.count }) < count, Date() < deadline {
        Thread.sleep(forTimeInterval: 0.01)
      }
    }
    signals.start { number in delivered.withLock { $0.append(number) } }
    wait(for: 1)
    #expect(delivered.withLock { $0 } == [SIGUSR2])
    kill(getpid(), SIGUSR2)
    wait(for: 2)
    signals.stop()
    #expect(delivered.withLock { $0 } == [SIGUSR2, SIGUSR2])
  }
}
