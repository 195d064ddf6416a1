/// The parts of a process started in dependency order and stopped in the
/// reverse, written down in one place (as swift-service-lifecycle's
/// `ServiceGroup` does, without async): each part is noted as it starts,
/// and `shutdown` stops them last first.
public final class Lifecycle {
  private var running: [(name: String, stop: () -> Void)] = []

  public init() {}

  /// The parts started so far, in their order.
  public var started: [String] { running.map(\.name) }

  /// Notes that `name` has started; `stop` runs at shutdown, after the
  /// parts started later have stopped.
  public func started(_ name: String, stop: @escaping () -> Void = {}) {
    running.append((name, stop))
  }

  /// Stops every part started, last first, once.
  public func shutdown() {
    while let part = running.popLast() { part.stop() }
  }
}
