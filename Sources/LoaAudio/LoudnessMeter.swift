import CEBUR128
import Foundation

/// An error from libebur128, naming the call and its code.
public struct LoudnessError: Error, Sendable, CustomStringConvertible {
  public let call: String
  public let code: Int32

  public var description: String {
    let reason =
      switch code {
      case Int32(EBUR128_ERROR_NOMEM.rawValue): "out of memory"
      case Int32(EBUR128_ERROR_INVALID_MODE.rawValue): "the meter was not opened for this measure"
      case Int32(EBUR128_ERROR_INVALID_CHANNEL_INDEX.rawValue): "no such channel"
      default: "error \(code)"
      }
    return "\(reason) (\(call))"
  }
}

/// Measures integrated loudness (EBU R128 / ITU-R BS.1770) and true peak of
/// interleaved float audio with libebur128.
///
/// Not shared between threads: one measurement, one owner.
public final class LoudnessMeter {
  private var state: UnsafeMutablePointer<ebur128_state>?
  public let channels: Int

  public init(channels: Int, sampleRate: Int) throws(LoudnessError) {
    let mode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_TRUE_PEAK.rawValue)
    guard channels > 0, sampleRate > 0,
      let state = ebur128_init(UInt32(channels), UInt(sampleRate), mode)
    else {
      throw LoudnessError(call: "ebur128_init", code: Int32(EBUR128_ERROR_NOMEM.rawValue))
    }
    self.state = state
    self.channels = channels
  }

  deinit {
    ebur128_destroy(&state)
  }

  /// Adds interleaved frames to the measurement.
  public func add(_ samples: [Float]) throws(LoudnessError) {
    let frames = samples.count / channels
    let status = samples.withUnsafeBufferPointer {
      ebur128_add_frames_float(state, $0.baseAddress, frames)
    }
    guard status == Int32(EBUR128_SUCCESS.rawValue) else {
      throw LoudnessError(call: "ebur128_add_frames_float", code: status)
    }
  }

  /// Integrated loudness in LUFS; −∞ for silence.
  public func integratedLoudness() throws(LoudnessError) -> Double {
    var value = 0.0
    let status = ebur128_loudness_global(state, &value)
    guard status == Int32(EBUR128_SUCCESS.rawValue) else {
      throw LoudnessError(call: "ebur128_loudness_global", code: status)
    }
    return value
  }

  /// The highest true peak of any channel, in dBTP (−∞ for silence).
  public func truePeak() throws(LoudnessError) -> Double {
    var highest = 0.0
    for channel in 0..<channels {
      var peak = 0.0
      let status = ebur128_true_peak(state, UInt32(channel), &peak)
      guard status == Int32(EBUR128_SUCCESS.rawValue) else {
        throw LoudnessError(call: "ebur128_true_peak", code: status)
      }
      highest = max(highest, peak)
    }
    return 20 * log10(highest)
  }
}
