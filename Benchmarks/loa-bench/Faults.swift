import Foundation
import LoaTesting

// Issue 13: the station under faults. The release `loa run` plays a 2 s
// tone every 8 s through ALSA's `pulse` PCM into a private PulseAudio null
// sink whose monitor is recorded (what a listener hears), while one kind of
// fault strikes once a program: kill -9 at a random moment from 2 s before
// its start to 2 s after (restarted 2.5 s later), the state folder's disk
// filled before it and freed after it, the sound server killed during it
// (back 0.5 s later), or its schedule rewritten every 50 ms around its
// start, every other time invalid. Then the log is held against what was
// heard: the target is heard = logged correctly, aired twice = 0, lost = 0.

func benchmarkFaults(loa: String, rounds: Int = 10) {
  print(
    "the station under faults (loa run through pulse; a 2 s tone every 8 s, \(rounds) rounds "
      + "of each; heard on the null sink's monitor)")
  print(
    "  " + "fault".padding(toLength: 24, withPad: " ", startingAt: 0)
      + "planned  heard  logged  logged correctly  aired twice  lost")
  for fault in Fault.allCases {
    let label = "  " + fault.rawValue.padding(toLength: 24, withPad: " ", startingAt: 0)
    do {
      let folder =
        FileManager.default.currentDirectoryPath + "/.build/bench-faults/"
        + fault.rawValue.replacingOccurrences(of: " ", with: "-")
      let tally = try FaultRounds(fault, loa: loa, rounds: rounds, in: folder).run()
      let columns = [
        (tally.planned, 7), (tally.heard, 7), (tally.logged, 8), (tally.loggedCorrectly, 18),
        (tally.airedTwice, 13), (tally.lost, 6),
      ]
      print(
        label
          + columns.map { String($0.0).leftPadding(to: $0.1) }.joined())
      for line in tally.wrong.prefix(3) { print("      \(line)") }
    } catch {
      print(label + "not run: \(error)")
    }
  }
  print("  target: heard = logged correctly, aired twice = 0, lost = 0")
}

extension String {
  fileprivate func leftPadding(to width: Int) -> String {
    String(repeating: " ", count: max(0, width - count)) + self
  }
}
