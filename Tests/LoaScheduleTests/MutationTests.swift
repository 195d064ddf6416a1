import Foundation
import Testing

@testable import LoaSchedule

/// A small deterministic generator, so that a failing mutation can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite("Randomly mutated schedules")
struct MutationTests {
  static let seed = """
    station:
      name: Đài truyền thanh xã Liên Minh
      timezone: Asia/Ho_Chi_Minh
      audio_dir: audio
      catch_up: 10m
    plan:
      id: KH-TTDN-2025
      title: Kế hoạch Thông tin đối ngoại năm 2025
      items:
        - { id: II.6, title: Tuyên truyền các ngày lễ lớn }
    holidays:
      - { id: hoi-lang, name: Hội làng, lunar: "01-10", since: 1990 }
    programs:
      - id: sang
        title: Chương trình buổi sáng
        start: "05:30"
        repeat: "FREQ=WEEKLY;BYDAY=MO,WE,FR"
        except: [tet-nguyen-dan, 2025-12-25]
        max_length: 30m
        segments:
          - file: nhac-hieu.ogg
          - campaigns: 3
          - silence: 2s
      - id: le
        title: Chương trình ngày lễ
        start: "06:00"
        on: [quoc-khanh]
        replaces: [sang]
        segments: [ { file: nhac-hieu.ogg } ]
    campaigns:
      - id: xiv
        title: Tuyên truyền Đại hội XIV
        plan_item: II.6
        files: [chien-dich/a.ogg, chien-dich/b.ogg]
        from: 2025-10-01
        until: 2026-01-25
        per_day: 2
      - id: quoc-khanh
        title: Chào mừng Quốc khánh
        files: [chien-dich/a.ogg]
        around: { holiday: quoc-khanh, before: 14d, after: 0d }
    announcements:
      - { id: hop-dan, title: Họp dân, at: 2025-11-05 17:15, file: thong-bao.ogg, times: 3, gap: 30s }
    """

  static let fragments = [
    ":", "-", " ", "\n", "[", "]", "{", "}", "\"", "'", "é", "\u{0301}", "\t", "&a", "*a", "!!int",
    "#", ",", "..", "/", "0", "99", "-1", "FREQ=", ";", "?", "|", ">", "%", "@", "\u{FEFF}", "null",
  ]

  func mutate(_ text: String, _ random: inout SplitMix64) -> String {
    var lines = text.components(separatedBy: "\n")
    for _ in 0..<Int.random(in: 1...3, using: &random) {
      let index = Int.random(in: 0..<lines.count, using: &random)
      var line = Array(lines[index])
      switch Int.random(in: 0..<6, using: &random) {
      case 0 where !line.isEmpty:
        line.remove(at: Int.random(in: 0..<line.count, using: &random))
        lines[index] = String(line)
      case 1:
        let fragment = Self.fragments.randomElement(using: &random) ?? ":"
        line.insert(contentsOf: fragment, at: Int.random(in: 0...line.count, using: &random))
        lines[index] = String(line)
      case 2: lines.remove(at: index)
      case 3: lines.insert(lines[index], at: index)
      case 4:
        let other = Int.random(in: 0..<lines.count, using: &random)
        lines.swapAt(index, other)
      default:
        // Replace a value with a fragment.
        if let colon = line.firstIndex(of: ":") {
          lines[index] =
            String(line[...colon]) + " " + (Self.fragments.randomElement(using: &random) ?? "")
        }
      }
      if lines.isEmpty { lines = [""] }
    }
    return lines.joined(separator: "\n")
  }

  @Test("the unmutated seed is valid, so mutations start from a real schedule")
  func seedIsValid() throws {
    let folder = try StationFolder()
    try folder.write("schedule.yaml", Self.seed)
    let loaded = folder.load()
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
  }

  @Test(
    "thousands of mutated schedules never crash the reader, and every error is located in the file")
  func mutationsNeverCrash() throws {
    let folder = try StationFolder()
    var random = SplitMix64(state: 0x10A_2025)
    var invalid = 0
    for round in 0..<3000 {
      let text = mutate(Self.seed, &random)
      let path = try folder.write("schedule.yaml", text)
      let loaded = folder.load()
      let lineCount = text.components(separatedBy: "\n").count
      // The loader refuses exactly the schedules it has an error for, by
      // construction; what can go wrong is an error that tells nothing, or
      // a schedule refused that was never changed.
      if !loaded.isValid {
        invalid += 1
        #expect(text != Self.seed, "round \(round): the unchanged seed was refused")
        for error in loaded.diagnostics where error.severity == .error {
          #expect(!error.message.isEmpty, "round \(round): an error without a message")
        }
      }
      for diagnostic in loaded.diagnostics {
        guard let location = diagnostic.location else {
          Issue.record("round \(round): \(diagnostic) has no location\n\(text)")
          continue
        }
        #expect(location.file == path)
        #expect(
          (1...lineCount + 1).contains(location.line) && location.column >= 1,
          "round \(round): \(diagnostic) outside the file\n\(text)")
      }
    }
    // Most mutations break something; if none did, the mutator is broken.
    #expect(invalid > 1000)
  }
}
