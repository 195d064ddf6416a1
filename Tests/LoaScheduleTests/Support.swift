import Foundation
import LoaSchedule

/// Durations by file name, for tests that do not decode audio.
struct TableProbe: AudioProbe {
  var seconds: [String: Double] = [:]
  var fallback = 10.0

  func duration(ofFileAt path: String, for station: Station) throws -> Duration {
    let name = URL(fileURLWithPath: path).lastPathComponent
    if name.hasPrefix("broken") { throw ProbeError(reason: "not audio") }
    return .milliseconds(Int64((seconds[name] ?? fallback) * 1000))
  }
}

struct ProbeError: Error, CustomStringConvertible {
  let reason: String
  var description: String { reason }
}

/// A temporary station folder with a schedule and empty audio files,
/// removed when the test ends.
final class StationFolder {
  let root: URL

  init(
    audio: [String] = ["nhac-hieu.ogg", "chien-dich/a.ogg", "chien-dich/b.ogg", "thong-bao.ogg"]
  ) throws {
    root = FileManager.default.temporaryDirectory.appendingPathComponent(
      "loa-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: root.appendingPathComponent("audio"), withIntermediateDirectories: true)
    for file in audio { try addAudio(file) }
  }

  deinit { try? FileManager.default.removeItem(at: root) }

  func addAudio(_ path: String) throws {
    let url = root.appendingPathComponent("audio").appendingPathComponent(path)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: url.path, contents: Data())
  }

  @discardableResult
  func write(_ name: String, _ text: String) throws -> String {
    let url = root.appendingPathComponent(name)
    try FileManager.default.createDirectory(
      at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
    return url.path
  }

  func load(_ name: String = "schedule.yaml", probe: TableProbe = TableProbe()) -> LoadedSchedule {
    ScheduleLoader(probe: probe).load(path: root.appendingPathComponent(name).path)
  }
}

let minimalStation = """
  station:
    name: Đài truyền thanh xã Liên Minh
    audio_dir: audio

  """
