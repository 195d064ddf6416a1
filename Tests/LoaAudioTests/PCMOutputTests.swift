import CSndFile
import Foundation
import Testing

@testable import LoaAudio

@Suite("ALSA output, captured by ALSA's own file PCM")
struct PCMOutputTests {
  @Test(
    "three files of different formats, rates and channels play back to back with no gap and nothing lost"
  )
  func playsAProgram() throws {
    let folder = try TemporaryFolder()
    let fixtures: [(String, Int32, Int32, Int32, Int)] = [
      ("a.wav", Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), 44_100, 2, 22_050),
      ("b.ogg", Int32(SF_FORMAT_OGG | SF_FORMAT_VORBIS), 22_050, 1, 11_025),
      ("c.flac", Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16), 48_000, 1, 24_000),
    ]
    var expected: [Float] = []
    let capture = folder.path("capture.wav")
    do {
      let output = try PCMOutput(device: "file:'\(capture)',wav", sampleRate: 48_000, channels: 2)
      for (name, format, rate, channels, frames) in fixtures {
        try writeTone(
          to: folder.path(name), format: format, sampleRate: rate, channels: channels,
          frames: frames)
        let samples = try StationAudioReader(
          path: folder.path(name), sampleRate: 48_000, channels: 2
        ).readAll()
        expected += samples
        try output.write(samples)
      }
      try output.drain()
      #expect(output.recoveries == 0)
    }
    let captured = try SoundFile(readingAt: capture)
    #expect(captured.format.sampleRate == 48_000 && captured.format.channels == 2)
    #expect(captured.format.frames == Int64(expected.count / 2))
    var samples = [Float](repeating: 0, count: expected.count)
    let read = samples.withUnsafeMutableBufferPointer {
      captured.read(into: $0, frames: expected.count / 2)
    }
    #expect(read == expected.count / 2)
    // 16-bit rounding is the only difference allowed.
    let worst = zip(samples, expected).map { abs($0 - max(-1, min(1, $1))) }.max() ?? 1
    #expect(worst <= 1.5 / 32767)
  }

  @Test("a device that does not exist is an error that names it")
  func missingDevice() {
    #expect {
      _ = try PCMOutput(device: "hw:99,0", sampleRate: 48_000, channels: 2)
    } throws: { error in
      let error = error as? PCMError
      return error?.call == "snd_pcm_open" && error?.description.contains("'hw:99,0'") == true
    }
  }
}

@Suite("Rendering a program")
struct ProgramRendererTests {
  @Test("files and silences join with no gap, and a limit cuts a file at its frame")
  func rendersItems() throws {
    let folder = try TemporaryFolder()
    try writeTone(
      to: folder.path("a.wav"), format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 44_100,
      channels: 1, frames: 22_050)
    try writeTone(
      to: folder.path("b.flac"), format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_16),
      sampleRate: 48_000,
      channels: 2, frames: 48_000)
    let capture = folder.path("program.wav")
    var rendered: [RenderedItem] = []
    do {
      var renderer = ProgramRenderer(
        output: try PCMOutput(device: "file:'\(capture)',wav", sampleRate: 48_000, channels: 2))
      rendered = try renderer.render([
        .file(path: folder.path("a.wav"), limit: nil), .silence(.milliseconds(250)),
        .file(path: folder.path("b.flac"), limit: .milliseconds(100)),
      ])
      try renderer.output.drain()
    }
    #expect(abs(rendered[0].frames - 24_000) <= 2)
    #expect(rendered[1] == RenderedItem(startFrame: rendered[0].frames, frames: 12_000))
    #expect(rendered[2] == RenderedItem(startFrame: rendered[0].frames + 12_000, frames: 4_800))
    let file = try SoundFile(readingAt: capture)
    #expect(file.format.frames == Int64(rendered[0].frames + 12_000 + 4_800))
    var samples = [Float](repeating: 1, count: Int(file.format.frames) * 2)
    _ = samples.withUnsafeMutableBufferPointer {
      file.read(into: $0, frames: Int(file.format.frames))
    }
    let silence = samples[(rendered[1].startFrame * 2)..<((rendered[1].startFrame + 12_000) * 2)]
    #expect(silence.allSatisfy { $0 == 0 })
    // The cut file starts where the silence ends: its first frames are its own tone.
    let next = (rendered[2].startFrame + 10) * 2
    #expect(abs(samples[next] - Float(0.5 * sin(2 * Double.pi * 440 * 10 / 48_000))) < 1e-3)
  }
}
