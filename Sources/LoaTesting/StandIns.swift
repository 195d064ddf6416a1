import Foundation
import LoaDaemon
import LoaSchedule
import Synchronization

/// Durations from file names, so that tests need no real audio: `t30.wav`
/// lasts 30 seconds. The files exist (the loader checks) but are empty.
public struct NamedDurationProbe: AudioProbe {
  public init() {}

  public func duration(ofFileAt path: String, for station: Station) throws -> Duration {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    guard let seconds = Int64(name.drop { !$0.isNumber }) else { return .seconds(10) }
    return .seconds(seconds)
  }
}

/// An amplifier that notes when it was switched, by the simulated clock.
public final class RecordingAmplifier: AmplifierSwitch, @unchecked Sendable {
  // @unchecked: `clock` is set once before the daemon runs; `switches` is
  // behind its mutex.
  public var clock: SimulatedClock?
  public let switches = Mutex<[(on: Bool, at: Date)]>([])

  public init() {}

  public func set(on: Bool) {
    let at = clock?.now() ?? Date()
    switches.withLock { $0.append((on, at)) }
  }

  public func finish() {}
}
