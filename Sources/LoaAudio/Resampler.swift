import CSampleRate

/// An error from libsamplerate, naming the call and its own text.
public struct ResamplerError: Error, Sendable, CustomStringConvertible {
  public let call: String
  public let reason: String

  public var description: String { "\(reason) (\(call))" }
}

/// Converts interleaved float audio from one sample rate to another with
/// libsamplerate's sinc converter, keeping its state across calls so that a
/// stream fed in pieces comes out as if converted whole.
///
/// Not shared between threads: one stream, one owner.
public final class Resampler {
  private let state: OpaquePointer
  public let channels: Int
  /// Output rate divided by input rate.
  public let ratio: Double

  /// - Parameters:
  ///   - quality: a libsamplerate converter; the medium sinc by default,
  ///     transparent for speech and music at a fraction of the best's cost.
  public init(
    from inputRate: Int, to outputRate: Int, channels: Int,
    quality: Int32 = Int32(SRC_SINC_MEDIUM_QUALITY)
  ) throws(ResamplerError) {
    guard inputRate > 0, outputRate > 0, channels > 0 else {
      throw ResamplerError(
        call: "src_new",
        reason:
          "rates and channels must be positive (\(inputRate) → \(outputRate) Hz, \(channels) ch)")
    }
    var error: Int32 = 0
    guard let state = src_new(quality, Int32(channels), &error) else {
      throw ResamplerError(call: "src_new", reason: String(cString: src_strerror(error)))
    }
    self.state = state
    self.channels = channels
    ratio = Double(outputRate) / Double(inputRate)
  }

  deinit {
    src_delete(state)
  }

  /// Converts `input` (interleaved frames) and returns what is ready; pass
  /// `endOfInput` with the last piece to flush what the filter holds.
  public func process(_ input: [Float], endOfInput: Bool = false) throws(ResamplerError) -> [Float]
  {
    let inputFrames = input.count / channels
    var output: [Float] = []
    var consumed = 0
    // The filter holds back a few frames until it sees the end, so loop
    // until the input is used and, at the end, until nothing more comes.
    while true {
      let capacity = Int(Double(inputFrames - consumed) * ratio) + 256
      var chunk = [Float](repeating: 0, count: capacity * channels)
      var generated = 0
      var used = 0
      let status: Int32 = input.withUnsafeBufferPointer { inBuffer in
        chunk.withUnsafeMutableBufferPointer { outBuffer in
          var data = SRC_DATA()
          data.data_in = inBuffer.baseAddress.map { $0 + consumed * channels }
          data.input_frames = inputFrames - consumed
          data.data_out = outBuffer.baseAddress
          data.output_frames = capacity
          data.end_of_input = endOfInput ? 1 : 0
          data.src_ratio = ratio
          let status = src_process(state, &data)
          generated = data.output_frames_gen
          used = data.input_frames_used
          return status
        }
      }
      guard status == 0 else {
        throw ResamplerError(call: "src_process", reason: String(cString: src_strerror(status)))
      }
      output += chunk.prefix(generated * channels)
      consumed += used
      if consumed >= inputFrames && (!endOfInput || generated == 0) { break }
    }
    return output
  }
}
