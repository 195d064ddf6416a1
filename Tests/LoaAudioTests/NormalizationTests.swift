import CSndFile
import Foundation
import LoaTesting
import Testing

@testable import LoaAudio

/// Loudness of one stretch of a 48 kHz stereo capture.
private func loudness(of samples: ArraySlice<Float>) throws -> (lufs: Double, peak: Double) {
  let meter = try LoudnessMeter(channels: 2, sampleRate: 48_000)
  try meter.add(Array(samples))
  return (try meter.integratedLoudness(), try meter.truePeak())
}

@Suite("Loudness normalization and its cache")
struct NormalizationTests {
  @Test(
    "files recorded 12 dB apart, in different formats and channels, play at the station's loudness")
  func levelsFiles() throws {
    let folder = try TemporaryFolder()
    let quiet = folder.path("quiet.flac")
    let loud = folder.path("loud.ogg")
    // Speech-like: a 300 Hz tone swelling at 3 Hz, so that gating has work to do.
    func swell(_ amplitude: Double, rate: Int, channels: Int) -> [Float] {
      sine(frequency: 300, amplitude: amplitude, seconds: 6, rate: rate, channels: channels)
        .enumerated().map { index, value in
          let t = Double(index / channels) / Double(rate)
          return value * Float(0.6 + 0.4 * sin(2 * Double.pi * 3 * t))
        }
    }
    try writeAudio(
      swell(0.05, rate: 44_100, channels: 1), to: quiet,
      format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_24), sampleRate: 44_100, channels: 1)
    try writeAudio(
      swell(0.05 * pow(10, 12.0 / 20), rate: 48_000, channels: 2), to: loud,
      format: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS), sampleRate: 48_000, channels: 2)

    let measurements = AudioMeasurements(file: nil)
    let target = -20.0
    var items: [PlayItem] = []
    for path in [quiet, loud] {
      let measured = try measurements.measurement(of: path, channels: 2)
      items.append(.file(path: path, gain: measured.gain(toReach: target)))
    }
    let (report, _, samples) = try playIntoCapture(items, folder: folder)
    let levels = try report.items.map {
      try loudness(of: samples[($0.startFrame * 2)..<(($0.startFrame + $0.frames) * 2)])
    }
    #expect(abs(levels[0].lufs - target) < 0.2, "\(levels)")
    #expect(abs(levels[1].lufs - target) < 0.2, "\(levels)")
    #expect(abs(levels[0].lufs - levels[1].lufs) < 0.2, "\(levels)")
  }

  @Test("the gain is lowered so that the true peak stays under -1 dBTP")
  func limitsPeaks() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("spiky.wav")
    // A quiet tone with loud clicks: reaching -16 LUFS would push the clicks past full scale.
    var samples = sine(frequency: 440, amplitude: 0.05, seconds: 5, rate: 48_000, channels: 2)
    for frame in stride(from: 10_000, to: 240_000, by: 24_000) {
      samples[frame * 2] = 0.7
      samples[frame * 2 + 1] = 0.7
    }
    try writeAudio(
      samples, to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), sampleRate: 48_000,
      channels: 2)
    let measured = try AudioMeasurements(file: nil).measurement(of: path, channels: 2)
    let gain = measured.gain(toReach: -16)
    #expect(gain < -16 - measured.loudness)
    #expect(abs(measured.truePeak + gain + 1) < 1e-9)
    let (_, _, played) = try playIntoCapture([.file(path: path, gain: gain)], folder: folder)
    #expect(try loudness(of: played[...]).peak <= -0.95)
  }

  @Test("silence gets no gain, and a file's gain reaches the target exactly when peaks allow")
  func gainArithmetic() {
    let quiet = AudioMeasurement(
      sha256: "", channels: 2, sampleRate: 48_000, frames: 1, loudness: -30, truePeak: -20)
    #expect(quiet.gain(toReach: -16) == 14)
    let silent = AudioMeasurement(
      sha256: "", channels: 2, sampleRate: 48_000, frames: 1, loudness: -.infinity,
      truePeak: -.infinity)
    #expect(silent.gain(toReach: -16) == 0)
  }

  @Test("each content is measured once: an unchanged file, a copy and a reopened cache reuse it")
  func cachesByContent() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("tone.wav")
    try writeTone(
      to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 48_000, channels: 1,
      frames: 48_000)
    let cache = folder.path("state/audio-measurements.tsv")
    let first = try AudioMeasurements(file: cache).measurement(of: path, channels: 2)
    #expect(first.loudness > -10 && first.loudness < -5 && first.frames == 48_000)

    // Falsify the stored loudness: whoever reads it from the cache sees -99.
    let text = try String(contentsOfFile: cache, encoding: .utf8)
    try text.replacingOccurrences(of: "\t\(first.loudness)\t", with: "\t-99.0\t")
      .write(toFile: cache, atomically: true, encoding: .utf8)
    let reopened = AudioMeasurements(file: cache)
    #expect(try reopened.measurement(of: path, channels: 2).loudness == -99)
    // A copy has another inode but the same content: hashed, found, not measured.
    let copy = folder.path("copy.wav")
    try FileManager.default.copyItem(atPath: path, toPath: copy)
    #expect(try reopened.measurement(of: copy, channels: 2).loudness == -99)
    // Played on one speaker rather than two, it is another measurement, 3 dB lower.
    let mono = try reopened.measurement(of: copy, channels: 1).loudness
    #expect(abs(mono - (first.loudness - 3.01)) < 0.05)
    // New content is measured afresh.
    try writeTone(
      to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 48_000, channels: 1,
      frames: 24_000)
    #expect(abs(try reopened.measurement(of: path, channels: 2).loudness - first.loudness) < 0.1)
    #expect(try reopened.measurement(of: path, channels: 2).frames == 24_000)
  }
}
