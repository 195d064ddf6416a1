/// Float and 16-bit samples, converted with a gain in one pass. An hour of
/// stereo is 345 million samples, so these loops are written to vectorize:
/// no traps, no branches, no calls.
enum SampleConversion {
  /// Adding 1.5 × 2²³ to a float of magnitude under 2²² leaves it rounded to
  /// the nearest integer (ties to even) in the low bits of its mantissa,
  /// where a truncation reads it out without a trapping conversion.
  private static let roundingBias: Float = 12_582_912

  /// One sample: scaled, clipped to 16 bits, rounded; NaN (which a float
  /// file can hold) plays as silence.
  @inline(__always)
  private static func pcm16(_ value: Float) -> Int16 {
    let clipped = value.isNaN ? 0 : Swift.max(Swift.min(value, 32_767), -32_768)
    return Int16(truncatingIfNeeded: (clipped + roundingBias).bitPattern)
  }

  /// Writes `input × gain` as 16-bit samples (full scale ±1 ↔ ±32768).
  static func pcm16(
    from input: UnsafeBufferPointer<Float>, gain: Float, into output: UnsafeMutablePointer<Int16>
  ) {
    let scale = gain * 32_768
    for index in input.indices { output[index] = pcm16(input[index] * scale) }
  }

  /// Multiplies 16-bit samples by `gain` in place.
  static func scale(_ samples: UnsafeMutableBufferPointer<Int16>, by gain: Float) {
    for index in samples.indices { samples[index] = pcm16(Float(samples[index]) * gain) }
  }
}
