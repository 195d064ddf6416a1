// The process around a station: Unix signals through one mechanism, and
// services started in order and stopped in reverse. Nothing of loa's
// domain; used by `loa run` and `loa play`.
import Foundation

/// The write end of the pipe the signal handler writes to; set once,
/// before any handler is installed, and only read afterwards (a plain
/// integer read is async-signal-safe, as `write` is).
nonisolated(unsafe) private var signalPipe: Int32 = -1

/// Unix signals as events on a thread of their own: the one way the
/// process handles them.
///
/// A handler installed with `sigaction` writes the signal's number to a
/// pipe (the only thing it does: it must be async-signal-safe), and a
/// thread reads the pipe and calls Swift code. Signals are caught from
/// `init` on, whatever thread they hit, and kept until `start`: one that
/// comes while the process is starting is acted on once it can be, not
/// lost and not fatal. The thread unblocks them for itself, so that they
/// are taken even when every other thread blocks them (an async `main`
/// runs commands on such threads). One instance per process.
public final class UnixSignals: @unchecked Sendable {
  // @unchecked: `thread` is set in `start` and read in `stop`, both called
  // from the thread that owns the process's lifecycle; `readEnd` never
  // changes.
  private let readEnd: Int32
  private let signals: [Int32]
  private var thread: Thread?

  /// Catches `signals` from now on.
  public init(_ signals: [Int32]) {
    self.signals = signals
    var ends: [Int32] = [-1, -1]
    if pipe(&ends) != 0 { ends = [-1, -1] }
    readEnd = ends[0]
    if ends[1] >= 0 {
      // Not for the amplifier's commands; and a full pipe drops a signal
      // rather than block the handler.
      for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
      _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
      signalPipe = ends[1]
    }
    for number in signals {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { number in
        var byte = UInt8(truncatingIfNeeded: number)
        _ = write(signalPipe, &byte, 1)
      }
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART
      sigaction(number, &action, nil)
    }
  }

  /// Calls `handler` with each signal caught, those before `start` first,
  /// on a thread of its own, until `stop`.
  public func start(_ handler: @escaping @Sendable (Int32) -> Void) {
    let (readEnd, signals) = (readEnd, signals)
    let thread = Thread {
      // Threads of Swift's concurrency pool block every signal, and threads
      // inherit their maker's mask: where no thread takes a signal, it
      // waits. This one takes them, from now on (those waiting first).
      var set = sigset_t()
      sigemptyset(&set)
      for number in signals { sigaddset(&set, number) }
      pthread_sigmask(SIG_UNBLOCK, &set, nil)
      var byte: UInt8 = 0
      while true {
        let count = read(readEnd, &byte, 1)
        if count < 0, errno == EINTR { continue }
        // Zero is no signal: `stop` writes it.
        guard count == 1, byte != 0 else { return }
        handler(Int32(byte))
      }
    }
    thread.name = "loa-signals"
    thread.start()
    self.thread = thread
  }

  /// Delivers no more signals; those caught afterwards are ignored.
  public func stop() {
    guard thread != nil, signalPipe >= 0 else { return }
    var zero: UInt8 = 0
    _ = write(signalPipe, &zero, 1)
    thread = nil
  }

  /// The next `number` ends the process as if nothing caught it: after a
  /// first SIGINT or SIGTERM, a second one ends it at once, whatever it is
  /// stuck in.
  public static func restoreDefault(_ number: Int32) {
    signal(number, SIG_DFL)
  }
}
