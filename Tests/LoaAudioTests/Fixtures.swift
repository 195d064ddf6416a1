import CSndFile
import Foundation
import LoaTesting
import Testing

@testable import LoaAudio

// Tests make their own audio with libsndfile: tones, clicks at known frames,
// files in every format the player must read.

/// Writes interleaved float samples to `path` in `format` with libsndfile.
func writeAudio(
  _ samples: [Float], to path: String, format: Int32, sampleRate: Int32, channels: Int32
) throws {
  var info = SF_INFO()
  info.samplerate = sampleRate
  info.channels = channels
  info.format = format
  guard let handle = sf_open(path, Int32(SFM_WRITE), &info) else {
    throw SoundFileError(call: "sf_open", path: path, reason: String(cString: sf_strerror(nil)))
  }
  defer { sf_close(handle) }
  let frames = samples.count / Int(channels)
  let written = samples.withUnsafeBufferPointer {
    sf_writef_float(handle, $0.baseAddress, sf_count_t(frames))
  }
  #expect(written == frames)
}

/// Writes a file of a 440 Hz sine tone at half scale.
func writeTone(
  to path: String, format: Int32, sampleRate: Int32, channels: Int32, frames: Int
) throws {
  let samples = sine(
    frequency: 440, amplitude: 0.5, seconds: Double(frames) / Double(sampleRate),
    rate: Int(sampleRate), channels: Int(channels))
  try writeAudio(samples, to: path, format: format, sampleRate: sampleRate, channels: channels)
}

/// Silence with a single-sample click of 0.8 at each of `at`, in every channel.
func clicks(at frames: [Int], length: Int, channels: Int) -> [Float] {
  var samples = [Float](repeating: 0, count: length * channels)
  for frame in frames {
    for channel in 0..<channels { samples[frame * channels + channel] = 0.8 }
  }
  return samples
}

/// Frames of the first channel where a click is heard: local maxima above
/// half its height, so that a click smeared by resampling still counts once.
func clickFrames(in samples: [Float], channels: Int) -> [Int] {
  var found: [Int] = []
  let frames = samples.count / channels
  for frame in 0..<frames {
    let value = samples[frame * channels]
    guard value > 0.4 else { continue }
    let before = frame > 0 ? samples[(frame - 1) * channels] : 0
    let after = frame + 1 < frames ? samples[(frame + 1) * channels] : 0
    if value >= before, value > after { found.append(frame) }
  }
  return found
}

/// Every sample of a file, as floats.
func readAll(_ path: String) throws -> (format: AudioFormat, samples: [Float]) {
  let file = try SoundFile(readingAt: path)
  var samples = [Float](repeating: 0, count: Int(file.format.frames) * file.format.channels)
  let read = samples.withUnsafeMutableBufferPointer {
    file.read(into: $0, frames: Int(file.format.frames))
  }
  #expect(read == Int(file.format.frames))
  return (file.format, samples)
}

/// The ALSA PCM name that captures into `path` as a WAV file.
func capturePCM(_ path: String) -> String { "file:'\(path)',wav" }
