// Writes airings into the log at STATE until it is killed, for the log's
// crash test: each airing begun, started (its first item on disk) and
// finished is printed, so the test knows what must survive. It beats like
// the daemon: when it arms an airing, and as it plays.

import Foundation
import LoaLog

/// A line on standard output, written at once.
func say(_ line: String) {
  FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

guard CommandLine.arguments.count == 2 else {
  FileHandle.standardError.write(Data("usage: loa-log-writer STATE\n".utf8))
  exit(2)
}
do {
  let log = try AiringLog.openForWriting(folder: CommandLine.arguments[1])
  let base = Date(timeIntervalSince1970: 1_760_000_000)
  var next = (try log.airings().compactMap(\.plannedStart).max()).map { $0 + 60 } ?? base
  while true {
    try log.heartbeat(at: Date())
    let entry = AiringEntry(
      kind: .program, program: "sang", title: "Chương trình phát thanh buổi sáng, \"thử\"",
      plannedStart: next, device: "null",
      items: (0..<3).map {
        ItemEntry(
          kind: $0 == 1 ? .campaign : .file, file: "f\($0).ogg", campaign: $0 == 1 ? "c" : nil,
          plannedSeconds: 1)
      })
    let id = try log.begin(entry)
    say("begun \(id)")
    let started = Date()
    for position in 0..<3 {
      try log.itemStarted(airing: id, position: position, at: Date())
      if position == 0 {
        // As the daemon does once the first frame is out.
        try log.heartbeat(at: Date())
        say("started \(id)")
      }
      usleep(UInt32.random(in: 0...3_000))
      try log.heartbeat(at: Date())
      try log.itemEnded(
        airing: id, position: position,
        Outcome(
          status: .completed, startedAt: nil, endedAt: Date(), frames: 48_000, playedSeconds: 1,
          reason: nil))
    }
    try log.finish(
      airing: id,
      Outcome(
        status: .completed, startedAt: started, endedAt: Date(), frames: 144_000,
        playedSeconds: 3, reason: nil), lateMilliseconds: 1, xruns: 0)
    say("done \(id)")
    next += 60
  }
} catch {
  FileHandle.standardError.write(Data("loa-log-writer: \(error)\n".utf8))
  exit(1)
}
