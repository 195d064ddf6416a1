import CSndFile
import Foundation
import LoaTesting
import Testing

@testable import LoaAudio

@Suite("Reading files in the station's format")
struct StationAudioReaderTests {
  @Test("a file already in the station's format passes through sample for sample")
  func passesThrough() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("same.wav")
    try writeTone(
      to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), sampleRate: 48_000, channels: 2,
      frames: 30_000)
    let samples = try StationAudioReader(path: path, sampleRate: 48_000, channels: 2).readAll()
    #expect(
      samples
        == sine(frequency: 440, amplitude: 0.5, seconds: 30_000 / 48_000, rate: 48_000, channels: 2)
    )
  }

  @Test("a 22.05 kHz mono Ogg file becomes 48 kHz stereo of the same length and pitch")
  func convertsRateAndChannels() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("mono.ogg")
    try writeTone(
      to: path, format: Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS), sampleRate: 22_050, channels: 1,
      frames: 33_075)
    let samples = try StationAudioReader(path: path, sampleRate: 48_000, channels: 2).readAll()
    #expect(abs(samples.count / 2 - 72_000) <= 2, "\(samples.count / 2) frames")
    let left = stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
    let right = stride(from: 1, to: samples.count, by: 2).map { samples[$0] }
    #expect(left == right)
    #expect(abs(cycles(left) - 660) <= 1)
  }

  @Test("channels map as an operator expects: mono to all, several to mono by average")
  func channelMapping() {
    #expect(StationAudioReader.map([1, 3, -1, -3], from: 2, to: 1) == [2, -2])
    #expect(StationAudioReader.map([0.5, -0.5], from: 1, to: 2) == [0.5, 0.5, -0.5, -0.5])
    #expect(StationAudioReader.map([1, 2, 3, 4, 5, 6], from: 3, to: 2) == [1, 2, 4, 5])
  }

  @Test("a file that cannot be decoded is refused when opened")
  func refusesBadFiles() throws {
    let folder = try TemporaryFolder()
    _ = FileManager.default.createFile(atPath: folder.path("bad.wav"), contents: Data("RIFF".utf8))
    #expect(throws: SoundFileError.self) {
      _ = try StationAudioReader(path: folder.path("bad.wav"), sampleRate: 48_000, channels: 2)
    }
  }
}
