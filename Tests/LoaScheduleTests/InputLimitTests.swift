import Foundation
import Testing

@testable import LoaSchedule

/// A YAML text whose last alias stands for 10^`levels` values.
func aliasBomb(levels: Int, asKey: Bool) -> String {
  var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
  for level in 1..<levels {
    let previous = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
    lines.append("a\(level): &a\(level) [\(previous)]")
  }
  lines.append(asKey ? "? *a\(levels - 1)\n: 1" : "z: *a\(levels - 1)")
  return lines.joined(separator: "\n") + "\n"
}

@Suite("Inputs too large for the schedule loader")
struct InputLimitTests {
  @Test("an alias used as a mapping key is refused where it is, before composing")
  func aliasAsKey() throws {
    let folder = try StationFolder()
    try folder.write("schedule.yaml", minimalStation + "x: &x nhac\n? *x\n: 1\n")
    let messages = folder.load().diagnostics.map(\.description)
    let file = folder.root.appendingPathComponent("schedule.yaml").path
    #expect(
      messages == [
        "\(file):5:3: error: the alias *x is used as a mapping key; keys are plain words: "
          + "write the key out"
      ])
  }

  @Test("aliases that repeat too many values are refused at once, as key or value")
  func aliasBombs() throws {
    for asKey in [true, false] {
      let folder = try StationFolder()
      try folder.write("schedule.yaml", aliasBomb(levels: 9, asKey: asKey))
      let started = ContinuousClock.now
      let messages = folder.load().diagnostics.map(\.description)
      #expect(ContinuousClock.now - started < .seconds(1))
      let file = folder.root.appendingPathComponent("schedule.yaml").path
      #expect(
        messages == [
          "\(file):5:45: error: aliases repeat more than 100000 values in all (here *a3, "
            + "11111 values); write the values out or use fewer aliases"
        ])
    }
    // A few aliases, as a schedule may use them, pass the check.
    #expect(YAMLAliases.check(aliasBomb(levels: 3, asKey: false)) == nil)
  }

  @Test("more than 1,000 programs are refused at the first beyond, before its audio is checked")
  func tooManyPrograms() throws {
    let folder = try StationFolder()
    var text = minimalStation + "programs:\n"
    for index in 0...ScheduleLimits.entries {
      text += """
          - id: p\(index)
            title: Chương trình \(index)
            start: "05:30"
            repeat: daily
            segments: [ { file: nhac-hieu.ogg } ]

        """
    }
    try folder.write("schedule.yaml", text)
    let loaded = folder.load()
    let file = folder.root.appendingPathComponent("schedule.yaml").path
    #expect(
      loaded.diagnostics.map(\.description) == [
        "\(file):5005:9: error: more than 1000 programs (1001); a schedule holds at most 1000: "
          + "remove those that no longer air"
      ])
    #expect(loaded.schedule == nil)
  }

  @Test("a schedule over 1 MiB is refused before it is read, one file or a folder's together")
  func tooManyBytes() throws {
    let folder = try StationFolder()
    let padding = String(repeating: "# " + String(repeating: "x", count: 98) + "\n", count: 6_000)
    try folder.write("one/a.yaml", minimalStation + padding + padding)
    try folder.write("two/a.yaml", minimalStation + padding)
    try folder.write("two/b.yaml", padding)
    let one = folder.root.appendingPathComponent("one/a.yaml").path
    #expect(
      folder.load("one/a.yaml").diagnostics.map(\.description) == [
        "\(one):1:1: error: the schedule is larger than 1024 KiB (1183 KiB); remove what no "
          + "longer airs"
      ])
    let second = folder.root.appendingPathComponent("two/b.yaml").path
    #expect(
      folder.load("two").diagnostics.map(\.description) == [
        "\(second):1:1: error: the schedule is larger than 1024 KiB with this file; remove what "
          + "no longer airs"
      ])
  }
}
