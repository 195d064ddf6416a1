import CSndFile
import Foundation
import LoaTesting
import Testing

@testable import LoaAudio

/// `seconds` of a sine at `frequency` Hz and peak `amplitude`, the same in every channel.
func sine(
  frequency: Double, amplitude: Double, seconds: Double, rate: Int, channels: Int = 1
) -> [Float] {
  let frames = Int(seconds * Double(rate))
  var samples = [Float](repeating: 0, count: frames * channels)
  for frame in 0..<frames {
    let value = Float(amplitude * sin(2 * Double.pi * frequency * Double(frame) / Double(rate)))
    for channel in 0..<channels { samples[frame * channels + channel] = value }
  }
  return samples
}

/// Rising zero crossings of the first channel: the cycles of a pure tone.
func cycles(_ samples: [Float], channels: Int = 1) -> Int {
  var count = 0
  var previous = samples.first ?? 0
  for index in stride(from: channels, to: samples.count, by: channels) {
    if previous < 0, samples[index] >= 0 { count += 1 }
    previous = samples[index]
  }
  return count
}

@Suite("Resampling with libsamplerate")
struct ResamplerTests {
  @Test("one second at 44.1 kHz becomes one second at 48 kHz, at the same pitch")
  func upsamples() throws {
    let input = sine(frequency: 440, amplitude: 0.5, seconds: 1, rate: 44_100, channels: 2)
    let resampler = try Resampler(from: 44_100, to: 48_000, channels: 2)
    let output = try resampler.process(input, endOfInput: true)
    #expect(abs(output.count / 2 - 48_000) <= 2, "\(output.count / 2) frames")
    #expect(abs(cycles(output, channels: 2) - 440) <= 1)
  }

  @Test("a stream fed in pieces comes out as if converted whole")
  func streams() throws {
    let input = sine(frequency: 1000, amplitude: 0.5, seconds: 0.5, rate: 22_050)
    let whole = try Resampler(from: 22_050, to: 48_000, channels: 1).process(
      input, endOfInput: true)
    let pieces = try Resampler(from: 22_050, to: 48_000, channels: 1)
    var output: [Float] = []
    for start in stride(from: 0, to: input.count, by: 1000) {
      let piece = Array(input[start..<min(start + 1000, input.count)])
      output += try pieces.process(piece, endOfInput: start + 1000 >= input.count)
    }
    #expect(output.count == whole.count)
    let largest = zip(output, whole).map { abs($0 - $1) }.max() ?? 1
    #expect(largest < 1e-5)
  }

  @Test("impossible rates are refused with the call named")
  func refusesBadRates() {
    #expect {
      _ = try Resampler(from: 0, to: 48_000, channels: 1)
    } throws: { error in
      (error as? ResamplerError)?.call == "src_new"
    }
  }
}

@Suite("Loudness with libebur128")
struct LoudnessTests {
  @Test(
    "a 1 kHz sine at −20 dBFS measures −23.0 LUFS in mono and −20.0 in stereo, true peak −20 dBTP")
  func calibration() throws {
    for (channels, expected) in [(1, -23.01), (2, -20.0)] {
      let meter = try LoudnessMeter(channels: channels, sampleRate: 48_000)
      try meter.add(
        sine(frequency: 1000, amplitude: 0.1, seconds: 10, rate: 48_000, channels: channels))
      let loudness = try meter.integratedLoudness()
      #expect(abs(loudness - expected) < 0.1, "\(channels) ch: \(loudness) LUFS")
      #expect(abs(try meter.truePeak() + 20) < 0.1)
    }
  }

  @Test("files recorded 12 dB apart measure 12 LU apart")
  func relative() throws {
    func measure(_ amplitude: Double) throws -> Double {
      let meter = try LoudnessMeter(channels: 1, sampleRate: 44_100)
      try meter.add(sine(frequency: 500, amplitude: amplitude, seconds: 5, rate: 44_100))
      return try meter.integratedLoudness()
    }
    let difference = try measure(0.5) - measure(0.5 * pow(10, -12.0 / 20))
    #expect(abs(difference - 12) < 0.05)
  }

  @Test("silence has no loudness")
  func silence() throws {
    let meter = try LoudnessMeter(channels: 1, sampleRate: 48_000)
    try meter.add([Float](repeating: 0, count: 48_000))
    #expect(try meter.integratedLoudness() == -Double.infinity)
  }
}

@Suite("Inspecting a file")
struct AudioInspectionTests {
  @Test(
    "a calibration tone written to FLAC measures −23.0 LUFS and −20 dBTP, with its exact length")
  func calibrationFile() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("cal.flac")
    let samples = sine(frequency: 1000, amplitude: 0.1, seconds: 10, rate: 48_000)
    var info = SF_INFO()
    info.samplerate = 48_000
    info.channels = 1
    info.format = Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_24)
    let handle = try #require(sf_open(path, Int32(SFM_WRITE), &info))
    _ = samples.withUnsafeBufferPointer { sf_writef_float(handle, $0.baseAddress, 480_000) }
    sf_close(handle)
    let report = try AudioInspection(path: path, measurements: AudioMeasurements(file: nil))
    #expect(report.format.frames == 480_000)
    #expect(report.measurement.frames == 480_000)
    #expect(abs(report.measurement.loudness + 23.01) < 0.1)
    #expect(abs(report.measurement.truePeak + 20) < 0.1)
    #expect(report.measurement.sha256.count == 64)
  }
}
