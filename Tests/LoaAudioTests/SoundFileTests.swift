import CSndFile
import Foundation
import LoaTesting
import Testing

@testable import LoaAudio

@Suite("Reading audio files")
struct SoundFileTests {
  @Test(
    "format, rate, channels and exact frame count are read from WAV, FLAC, Ogg Vorbis, Opus and MP3",
    arguments: [
      ("tone.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), "WAV", Int32(48_000), Int32(2)),
      ("tone.flac", Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), "FLAC", Int32(44_100), Int32(1)),
      ("tone.ogg", Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS), "OGG", Int32(22_050), Int32(1)),
      ("tone.opus", Int32(SF_FORMAT_OGG | SF_FORMAT_OPUS), "OGG", Int32(48_000), Int32(2)),
      (
        "tone.mp3", Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III), "MPEG", Int32(44_100),
        Int32(2)
      ),
    ])
  func readsFormats(name: String, format: Int32, container: String, rate: Int32, channels: Int32)
    throws
  {
    let folder = try TemporaryFolder()
    let frames = Int(rate) * 3 / 2
    try writeTone(
      to: folder.path(name), format: format, sampleRate: rate, channels: channels, frames: frames)
    let file = try SoundFile(readingAt: folder.path(name))
    #expect(file.format.container.hasPrefix(container), "\(file.format.container)")
    #expect(file.format.sampleRate == Int(rate))
    #expect(file.format.channels == Int(channels))
    #expect(file.format.frames == Int64(frames))
    #expect(file.format.duration == .milliseconds(1500))
    var buffer = [Float](repeating: 0, count: 1024 * Int(channels))
    var total = 0
    while true {
      let read = buffer.withUnsafeMutableBufferPointer { file.read(into: $0, frames: 1024) }
      if read == 0 { break }
      total += read
    }
    #expect(total == frames)
  }

  @Test("an empty file, random bytes named .mp3 and a missing file are errors that name the file")
  func badFiles() throws {
    let folder = try TemporaryFolder()
    _ = FileManager.default.createFile(atPath: folder.path("empty.wav"), contents: Data())
    var random = SystemRandomNumberGenerator()
    let noise = Data((0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) })
    _ = FileManager.default.createFile(atPath: folder.path("noise.mp3"), contents: noise)
    for (name, call) in [
      ("empty.wav", "sf_open"), ("noise.mp3", "sf_open"), ("missing.ogg", "open"),
    ] {
      let path = folder.path(name)
      #expect {
        _ = try SoundFile(readingAt: path)
      } throws: { error in
        let error = error as? SoundFileError
        return error?.call == call && error?.path == path
          && error?.description.contains(path) == true
      }
    }
  }
}
