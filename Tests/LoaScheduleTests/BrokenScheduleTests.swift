import Foundation
import Testing

@testable import LoaSchedule

/// The folder of deliberately broken schedules beside this file: each
/// `NAME.yaml` has one mistake, and `NAME.expect` the one error it must get.
let brokenFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
  .appendingPathComponent("Broken")

let brokenCases: [String] = {
  let names = (try? FileManager.default.contentsOfDirectory(atPath: brokenFolder.path)) ?? []
  return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
}()

@Suite("Broken schedules")
struct BrokenScheduleTests {
  @Test("there are broken schedules to check")
  func casesExist() {
    #expect(brokenCases.count >= 20)
  }

  @Test("each broken schedule gets exactly one error, at the right place", arguments: brokenCases)
  func oneLocatedError(name: String) throws {
    let path = brokenFolder.appendingPathComponent("\(name).yaml").path
    let expected = try String(
      contentsOf: brokenFolder.appendingPathComponent("\(name).expect"), encoding: .utf8
    )
    .trimmingCharacters(in: .newlines)
    let loaded = ScheduleLoader(probe: TableProbe()).load(path: path)
    let errors = loaded.diagnostics.filter { $0.severity == .error }
    #expect(!loaded.isValid)
    #expect(errors.count == 1, "\(errors)")
    let first = try #require(errors.first)
    #expect(first.location?.file == path)
    #expect(first.description.contains(expected), "\(first)")
  }
}
