import Foundation
import LoaTesting
import Testing

@Suite("loa run with its state folder on a small disk that fills up", .serialized)
struct FullDiskTests {
  @Test(
    "a disk filled while it runs, then freed: every airing logged once, true, none aired again")
  func diskFillsAndEmpties() throws {
    let station = try RealTimeStation(lead: 6)
    let disk = try SmallDisk(size: "400k")
    defer { disk.unmount() }
    station.stateFolder = disk.path
    let offsets = (0..<12).map { Double($0 * 3) }
    try station.save(station.yaml(offsets))
    let daemon = try station.start(["--stop-after", "12"])
    try daemon.waitFor("playing to")
    #expect(try station.status()["log_trouble"] == nil)

    // Another program fills the disk: told before the next airing.
    station.sleep(untilSecond: 4)
    disk.fill()
    station.sleep(untilSecond: 7.5)
    let nearlyFull = try station.status()["log_trouble"] as? String
    #expect(nearlyFull?.contains("nearly full") == true, "\(daemon.said)")

    // It goes on writing, and takes whatever space comes free: the log
    // writes into its reserve, and says so while it lasts.
    while Date() < station.zero + 17.5 {
      disk.fill()
      usleep(100_000)
    }
    let full = try station.status()
    #expect((full["log_trouble"] as? String)?.contains("full") == true, "\(full)")
    #expect((full["last_error"] as? String)?.contains("the airing log") == true, "\(full)")
    let text = try station.control("status")
    #expect(text.output.contains("Log:"), "\(text.output)")

    // Space back: everything is written, and the condition ends.
    station.sleep(untilSecond: 21)
    disk.shrinkFiller()
    station.sleep(untilSecond: 25.5)
    #expect(try station.status()["log_trouble"] == nil, "\(daemon.said)")
    #expect(daemon.wait() == 0, "\(daemon.said)")
    #expect(daemon.said.contains("the airing log is written again"), "\(daemon.said)")

    let expected = (1...12).map { "p\($0)" }
    let log = try station.log()
    #expect(log.map(\.program) == expected, "\(daemon.said)")
    #expect(log.allSatisfy { $0.status == "completed" }, "\(log)")

    // Restarted: nothing aired again, nothing said missed.
    let again = try restartAiringNothing(station)
    let after = try station.log()
    #expect(after.map(\.program) == expected, "\(again.said)")
    #expect(after.allSatisfy { $0.status == "completed" }, "\(after)")
  }

  @Test("started on a full disk: it plays, says so, and logs every airing once space is freed")
  func startsOnFullDisk() throws {
    let station = try RealTimeStation(lead: 6)
    let disk = try SmallDisk(size: "400k")
    defer { disk.unmount() }
    station.stateFolder = disk.path
    try station.save(station.yaml([0, 3, 6]))
    disk.fill()
    let daemon = try station.start(["--stop-after", "3"])
    try daemon.waitFor("playing to")
    #expect(daemon.said.contains("kept in memory until the log opens"), "\(daemon.said)")
    station.sleep(untilSecond: 1)
    let trouble = try station.status()["log_trouble"] as? String
    #expect(trouble?.contains("kept in memory until it opens") == true, "\(daemon.said)")

    station.sleep(untilSecond: 4)
    disk.shrinkFiller()
    #expect(daemon.wait() == 0, "\(daemon.said)")
    let log = try station.log()
    #expect(log.map(\.program) == ["p1", "p2", "p3"], "\(daemon.said)")
    #expect(log.allSatisfy { $0.status == "completed" }, "\(log)")
  }

  @Test(
    "restarted on a disk that filled after an airing: the log it cannot write is still read, nothing airs again"
  )
  func restartsOnFullDisk() throws {
    let station = try RealTimeStation(lead: 6)
    let disk = try SmallDisk(size: "400k")
    defer { disk.unmount() }
    station.stateFolder = disk.path
    try station.save(station.yaml([0], catchUp: "10m"))
    let first = try station.start(["--stop-after", "1"])
    #expect(first.wait() == 0, "\(first.said)")
    #expect(try station.log().map(\.status) == ["completed"])

    // Within p1's catch-up, with no room left: p1 is in the log, not due.
    disk.fill()
    try restartAiringNothing(station)
    // loa log reads it too, the disk still full.
    #expect(try station.log().map(\.program) == ["p1"])
    disk.shrinkFiller()
    #expect(try station.log().map(\.program) == ["p1"])
  }

  /// Starts the station's daemon again for 3 s and stops it: nothing may
  /// go on air.
  @discardableResult
  private func restartAiringNothing(
    _ station: RealTimeStation, sourceLocation: SourceLocation = #_sourceLocation
  ) throws -> RealTimeStation.Daemon {
    let again = try station.start()
    try again.waitFor("playing to")
    Thread.sleep(forTimeInterval: 3)
    again.signal(SIGTERM)
    #expect(again.wait() == 0, "\(again.said)", sourceLocation: sourceLocation)
    #expect(!again.said.contains("on air:"), "\(again.said)", sourceLocation: sourceLocation)
    return again
  }
}
