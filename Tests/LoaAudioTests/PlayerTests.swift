import CSndFile
import Foundation
import LoaTesting
import Testing

@testable import LoaAudio

/// Plays `items` into a WAV capture through ALSA's file PCM and returns the
/// report and every captured sample.
func playIntoCapture(
  _ items: [PlayItem], folder: TemporaryFolder, rate: Int = 48_000, channels: Int = 2
) throws -> (report: PlaybackReport, format: AudioFormat, samples: [Float]) {
  let capture = folder.path("capture-\(UUID().uuidString).wav")
  let report = Playback(
    items,
    settings: PlayerSettings(device: capturePCM(capture), sampleRate: rate, channels: channels)
  ).wait()
  let (format, samples) = try readAll(capture)
  return (report, format, samples)
}

/// Reads a 16-bit file's samples as they are stored.
func readShorts(_ path: String) throws -> [Int16] {
  var info = SF_INFO()
  let handle = try #require(sf_open(path, Int32(SFM_READ), &info))
  defer { sf_close(handle) }
  var samples = [Int16](repeating: 0, count: Int(info.frames) * Int(info.channels))
  _ = samples.withUnsafeMutableBufferPointer { sf_readf_short(handle, $0.baseAddress, info.frames) }
  return samples
}

@Suite("The program player, captured by ALSA's file PCM")
struct PlayerTests {
  @Test(
    "files of three formats, rates and channel counts and a silence join with no gap, clicks land on their frames, nothing is lost at the end"
  )
  func joinsSegments() throws {
    let folder = try TemporaryFolder()
    let wav = folder.path("a.wav")
    let flac = folder.path("b.flac")
    let aiff = folder.path("c.aiff")
    try writeAudio(
      clicks(at: [1_000, 11_025, 22_000], length: 22_050, channels: 2), to: wav,
      format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 44_100, channels: 2)
    try writeAudio(
      clicks(at: [0, 12_000, 23_999], length: 24_000, channels: 1), to: flac,
      format: Int32(SF_FORMAT_FLAC | SF_FORMAT_PCM_24), sampleRate: 48_000, channels: 1)
    try writeAudio(
      clicks(at: [500, 16_000, 31_990], length: 32_000, channels: 1), to: aiff,
      format: Int32(SF_FORMAT_AIFF | SF_FORMAT_PCM_16), sampleRate: 32_000, channels: 1)

    let program: [PlayItem] = [
      .file(path: wav), .file(path: flac), .silence(.milliseconds(100)), .file(path: aiff),
    ]
    let (report, format, samples) = try playIntoCapture(program, folder: folder)

    #expect(report.status == .completed)
    #expect(report.items.map(\.status) == Array(repeating: .completed, count: 4))
    // Each item begins on the frame after the last one's end…
    for (previous, next) in zip(report.items, report.items.dropFirst()) {
      #expect(next.startFrame == previous.startFrame + previous.frames)
    }
    // …the capture holds every frame the player wrote…
    #expect(format.sampleRate == 48_000 && format.channels == 2)
    #expect(Int(format.frames) == report.frames)
    #expect(report.frames == report.items.map(\.frames).reduce(0, +))
    let lengths = report.items.map(\.frames)
    #expect(abs(lengths[0] - 24_000) <= 2 && lengths[1] == 24_000 && lengths[2] == 4_800)
    #expect(abs(lengths[3] - 48_000) <= 2)
    // …and each click is where its file put it, the first and last frames included.
    let starts = report.items.map(\.startFrame)
    let fromWAV = [1_000, 11_025, 22_000].map {
      starts[0] + Int((Double($0) * 48 / 44.1).rounded())
    }
    let fromFLAC = [0, 12_000, 23_999].map { starts[1] + $0 }
    let fromAIFF = [500, 16_000, 31_990].map { starts[3] + $0 * 3 / 2 }
    let expected = fromWAV + fromFLAC + fromAIFF
    let found = clickFrames(in: samples, channels: 2)
    #expect(found.count == expected.count, "\(found) vs \(expected)")
    for (heard, placed) in zip(found, expected) {
      #expect(abs(heard - placed) <= 1, "click at \(heard), expected \(placed)")
    }
    // The 48 kHz file is not resampled: its clicks are exact to the frame.
    #expect(found[3...5] == [starts[1], starts[1] + 12_000, starts[1] + 23_999][...])
  }

  @Test(
    "a 16-bit file already in the station's format is captured byte for byte, at once or at a time to come",
    arguments: [false, true])
  func bytePerfect(timed: Bool) throws {
    let folder = try TemporaryFolder()
    let source = folder.path("speech.wav")
    var generator = SystemRandomNumberGenerator()
    let noise = (0..<96_000).map { _ in
      Float(Int16.random(in: -20_000...20_000, using: &generator)) / 32_768
    }
    try writeAudio(
      noise, to: source, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 48_000,
      channels: 2)
    let capture = folder.path("capture.wav")
    // At a time to come the player first asks the device whether it holds
    // what is written before the start; the file PCM does, and the silence
    // it was asked with must not be in the capture.
    let report = Playback(
      [.file(path: source)], at: timed ? Date() + 0.3 : nil,
      settings: PlayerSettings(device: capturePCM(capture), sampleRate: 48_000, channels: 2)
    ).wait()
    #expect(report.frames == 48_000)
    #expect(try readShorts(capture) == readShorts(source))
  }

  @Test(
    "Opus and MP3 play whole, at the station's rate and pitch",
    arguments: [
      ("tone.opus", Int32(SF_FORMAT_OGG | SF_FORMAT_OPUS), Int32(48_000)),
      ("tone.mp3", Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III), Int32(44_100)),
    ])
  func playsCompressed(name: String, format: Int32, rate: Int32) throws {
    let folder = try TemporaryFolder()
    let path = folder.path(name)
    try writeTone(to: path, format: format, sampleRate: rate, channels: 1, frames: Int(rate))
    let (report, _, samples) = try playIntoCapture([.file(path: path)], folder: folder)
    #expect(report.items[0].status == .completed)
    #expect(abs(report.frames - 48_000) <= 2)
    // Its header's length is what played: a compressed file is not short of its plan.
    #expect(abs((report.items[0].plannedFrames ?? 0) - report.items[0].frames) <= 48_000 / 10)
    #expect(abs(cycles(samples, channels: 2) - 440) <= 2)
  }

  @Test("NaN in a float file plays as silence, whatever its payload, and full scale is clipped")
  func nanAndClipping() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("odd.wav")
    let odd: [Float] = [
      .nan, Float(bitPattern: 0x7FC0_1234), -Float(bitPattern: 0x7FC0_0042), 2, -2, 1, -1, 0.5,
    ]
    try writeAudio(
      odd, to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), sampleRate: 48_000,
      channels: 2)
    let capture = folder.path("capture.wav")
    _ = Playback(
      [.file(path: path)],
      settings: PlayerSettings(device: capturePCM(capture), sampleRate: 48_000, channels: 2)
    ).wait()
    #expect(try readShorts(capture) == [0, 0, 0, 32_767, -32_768, 32_767, -32_768, 16_384])
  }

  @Test("a limit cuts a file at its frame and a gain scales it")
  func limitAndGain() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("tone.wav")
    try writeTone(
      to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_FLOAT), sampleRate: 48_000, channels: 2,
      frames: 48_000)
    let (report, _, samples) = try playIntoCapture(
      [.file(path: path, limit: .milliseconds(250), gain: -6.0206)], folder: folder)
    #expect(report.items[0].frames == 12_000)
    #expect(samples.count == 24_000)
    let peak = samples.map(abs).max() ?? 0
    #expect(abs(peak - 0.25) < 0.001)
  }

  @Test(
    "an empty file, a truncated WAV, random bytes named .mp3 and a missing file are skipped with a reason; the rest plays"
  )
  func badFilesAreSkipped() throws {
    let folder = try TemporaryFolder()
    let good = folder.path("good.wav")
    try writeTone(
      to: good, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 48_000, channels: 2,
      frames: 4_800)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: good))
    let cutInHeader = folder.path("cut-header.wav")
    let cutInData = folder.path("cut-data.wav")
    let empty = folder.path("empty.wav")
    let noise = folder.path("noise.mp3")
    _ = FileManager.default.createFile(atPath: cutInHeader, contents: bytes.prefix(30))
    _ = FileManager.default.createFile(atPath: cutInData, contents: bytes.prefix(44 + 4 * 1_000))
    _ = FileManager.default.createFile(atPath: empty, contents: Data())
    var generator = SystemRandomNumberGenerator()
    _ = FileManager.default.createFile(
      atPath: noise,
      contents: Data((0..<8_192).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    let missing = folder.path("missing.ogg")

    let (report, format, _) = try playIntoCapture(
      [good, empty, cutInHeader, noise, missing, cutInData, good].map { .file(path: $0) },
      folder: folder)

    #expect(report.status == .completed)
    for (index, path) in [empty, cutInHeader, noise, missing].enumerated() {
      let item = report.items[index + 1]
      guard case .failed(let reason) = item.status else {
        Issue.record("\(path) was not refused: \(item.status)")
        continue
      }
      #expect(reason.contains(path) && item.frames == 0, "\(reason)")
    }
    // A WAV cut inside its data plays the frames that are there.
    #expect(report.items[5].status == .completed && report.items[5].frames == 1_000)
    #expect(report.items[6].status == .completed && report.items[6].frames == 4_800)
    #expect(Int(format.frames) == 4_800 + 1_000 + 4_800)
  }

  @Test(
    "an interrupt while waiting for the instant plays nothing of what was buffered; a device that does not exist fails naming it"
  )
  func interruptAndMissingDevice() throws {
    let playback = Playback(
      [.silence(.seconds(1)), .silence(.seconds(1))], at: Date() + 1,
      settings: PlayerSettings(device: "null", sampleRate: 48_000, channels: 2))
    // By now the device is open and its buffer full, waiting for the instant.
    Thread.sleep(forTimeInterval: 0.3)
    playback.interrupt(reason: "emergency")
    let report = playback.wait()
    #expect(report.status == .interrupted("emergency"))
    #expect(report.firstFrameAt == nil && report.frames == 0)
    #expect(report.items.map(\.frames).allSatisfy { $0 == 0 })

    let missing = Playback(
      [.silence(.seconds(1))],
      settings: PlayerSettings(
        device: "hw:99,0", sampleRate: 48_000, channels: 2, catchUp: .milliseconds(300))
    ).wait()
    guard case .failed(let reason) = missing.status else {
      Issue.record("a missing device did not fail: \(missing.status)")
      return
    }
    #expect(reason.contains("'hw:99,0'") && reason.contains("snd_pcm_open"))
    #expect(missing.deviceFailures.count == 1 && missing.deviceFailures[0].recoveredAt == nil)
  }

  @Test("a device that opens but refuses the format is an error naming the call")
  func refusedFormat() {
    #expect {
      _ = try PCMOutput(device: "null", sampleRate: 48_000, channels: 0)
    } throws: { error in
      (error as? PCMError)?.call == "snd_pcm_hw_params_set_channels"
    }
  }

  @Test("a file cut short while it plays ends short of its planned frames, which the report says")
  func fileCutWhilePlaying() throws {
    let folder = try TemporaryFolder()
    let path = folder.path("tin-tuc.wav")
    try writeTone(
      to: path, format: Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16), sampleRate: 8_000, channels: 1,
      frames: 60 * 8_000)
    // The player opens the file and fills the device before the start,
    // then waits for it: the file is cut to 15 s meanwhile.
    let playback = Playback(
      [.file(path: path), .silence(.seconds(1))], at: Date() + 2,
      settings: PlayerSettings(device: "null", sampleRate: 8_000, channels: 1))
    Thread.sleep(forTimeInterval: 1)
    #expect(truncate(path, off_t(44 + 15 * 8_000 * 2)) == 0)
    let report = playback.wait()
    let file = try #require(report.items.first)
    #expect(file.status == .completed)
    #expect(file.plannedFrames == 60 * 8_000)
    #expect(abs(file.frames - 15 * 8_000) < 8_000 / 10)
    #expect(report.items.last?.plannedFrames == 8_000)
  }

  @Test("a file that cannot be opened has no planned frames and its reason says why")
  func unopenableFile() throws {
    let folder = try TemporaryFolder()
    let report = Playback(
      [.file(path: folder.path("khong-co.wav"))],
      settings: PlayerSettings(device: "null", sampleRate: 8_000, channels: 1)
    ).wait()
    let file = try #require(report.items.first)
    #expect(file.plannedFrames == nil)
    #expect(
      file.status == .failed("No such file or directory (open on '\(folder.path("khong-co.wav"))')")
    )
  }

  @Test(
    "on a device that takes frames faster than real time, times are the wall clock's and seconds the frames'"
  )
  func clocklessDevice() throws {
    let start = Date() + 1
    let report = Playback(
      [.silence(.seconds(5)), .silence(.seconds(5))], at: start,
      settings: PlayerSettings(device: "null", sampleRate: 8_000, channels: 1)
    ).wait()
    let finished = Date()
    #expect(report.status == .completed)
    #expect(report.items.map(\.frames) == [40_000, 40_000])
    let first = try #require(report.items.first)
    let last = try #require(report.items.last)
    #expect(abs(first.startedAt.timeIntervalSince(start)) < 0.5)
    // Ten seconds of frames, taken in far less: the end is when it was.
    #expect(last.endedAt <= finished)
    #expect(last.startedAt >= first.endedAt)
  }
}
