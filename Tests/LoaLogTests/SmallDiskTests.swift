import Foundation
import LoaTesting
import Testing

@testable import LoaLog

/// Writes an airing's rows as the daemon does: begun, its item, finished.
func airOnce(_ log: AiringLog, _ index: Int) throws {
  let id = try log.begin(entry("p\(index)", at: t0 + Double(index) * 10))
  try log.itemStarted(airing: id, position: 0, at: t0 + Double(index) * 10)
  try log.itemEnded(
    airing: id, position: 0,
    Outcome(
      status: .completed, startedAt: nil, endedAt: t0 + Double(index) * 10 + 2, frames: 96_000,
      playedSeconds: 2, reason: nil))
  try log.finish(
    airing: id,
    Outcome(
      status: .completed, startedAt: t0 + Double(index) * 10,
      endedAt: t0 + Double(index) * 10 + 2, frames: 96_000, playedSeconds: 2, reason: nil),
    lateMilliseconds: 0, xruns: 0)
  try log.heartbeat(at: t0 + Double(index) * 10 + 2)
}

func fileSize(_ path: String) -> Int {
  var info = stat()
  return stat(path, &info) == 0 ? Int(info.st_size) : 0
}

@Suite("The airing log on a small disk", .serialized)
struct SmallDiskTests {
  @Test("the WAL stays short, so that space freed on a full disk is usable at once")
  func shortWAL() throws {
    let state = try TemporaryFolder()
    let log = try AiringLog.openForWriting(folder: state.path)
    var largest = 0
    for index in 0..<200 {
      try airOnce(log, index)
      largest = max(largest, fileSize(state.path("airings.sqlite-wal")))
    }
    // SQLite's default lets it grow to 4 MiB; an airing adds about 40 KB.
    #expect(largest <= (AiringLog.walPages + 16) * 4096, "the WAL grew to \(largest) bytes")
    try log.checkpoint()
    #expect(fileSize(state.path("airings.sqlite-wal")) == 0)
    #expect(try log.airings().count == 200)
  }

  @Test("a full disk fails a write as a disk error; once space is back the log writes again")
  func fullDiskIsTold() throws {
    let disk = try SmallDisk()
    let log = try AiringLog.openForWriting(folder: disk.path)
    var index = 0
    try airOnce(log, index)
    disk.fill()
    var failure: (any Error)?
    while failure == nil, index < 500 {
      index += 1
      do { try airOnce(log, index) } catch { failure = error }
    }
    let error = try #require(failure)
    #expect(AiringLog.diskTrouble(error) != nil, "\(error)")
    #expect(AiringLog.diskTrouble(LogError(description: "not the disk")) == nil)
    disk.shrinkFiller()
    try log.checkpoint()
    try airOnce(log, index + 1)
    #expect(try log.integrityCheck() == "ok")
  }

  @Test("the reserve holds its space, gives it back, and is not made without room")
  func reserve() throws {
    let disk = try SmallDisk()
    let reserve = DiskReserve(folder: disk.path, size: 128 * 1024)
    #expect(reserve.make())
    #expect(reserve.isHeld)
    disk.fill()
    #expect(disk.bytesFree < 4096)
    reserve.release()
    #expect(!reserve.isHeld)
    #expect(disk.bytesFree >= 128 * 1024)
    // Some of it taken by another file: not enough for the reserve.
    try Data(repeating: 1, count: 96 * 1024).write(to: URL(fileURLWithPath: disk.path("other")))
    #expect(!reserve.make())
    #expect(!FileManager.default.fileExists(atPath: reserve.path))
    disk.shrinkFiller()
    #expect(reserve.make())
  }
}
