import Foundation
import LoaControl
import LoaLog
import LoaSchedule
import LoaTesting
import Synchronization
import Testing

@testable import LoaDaemon

/// The operator's requests on the daemon's loop, on a simulated clock.
@Suite("Control requests on the daemon's loop")
struct DaemonControlTests {
  final class Answers: Sendable {
    let list = Mutex<[ControlAnswer]>([])
    var reply: ControlReply { ControlReply { answer in self.list.withLock { $0.append(answer) } } }
  }

  @Test("an announcement waits for the amplifier's warm-up; stop while armed finds nothing on air")
  func announcementAndStop() throws {
    let station = try namedStation(
      stationYAML(programs: [("p", "10:00")]), start: "2030-01-01 09:00:00")
    let daemon = try station.makeDaemon()
    let (mailbox, answers) = (daemon.mailbox, Answers())
    // A real file: the daemon measures what is announced.
    try writeWAV(to: station.audio("e10.wav"), frames: 480_000, channels: 2, rate: 48_000) { _ in 0
    }
    let announce = ControlRequest(
      .announce, file: station.audio("e10.wav"), priority: .priority, times: 2, gapS: 3)
    // Nothing on air, amplifier off: due once it has warmed up (5 s).
    station.clock.schedule(at: at("2030-01-01 09:00:10")) {
      mailbox.post(.control(announce, answers.reply))
    }
    // p is armed 2 s ahead: not on air yet.
    station.clock.schedule(at: at("2030-01-01 09:59:59")) {
      mailbox.post(.control(ControlRequest(.stop), answers.reply))
    }
    // On air: stopped by the operator, and not started again.
    station.clock.schedule(at: at("2030-01-01 10:00:05")) {
      mailbox.post(.control(ControlRequest(.stop), answers.reply))
    }
    daemon.run(until: at("2030-01-01 10:05:00"))

    let replies = answers.list.withLock { $0 }
    #expect(replies.count == 3)
    // Accepted at once; measured, it airs after the warm-up, 2 × 10 s and a 3 s gap.
    #expect(replies.first?.announced?.start == "2030-01-01T09:00:10+07:00")
    #expect(replies.dropFirst().first?.error == "nothing is on air")
    #expect(replies.last?.stopped?.program == "p")

    let logged = try station.airings()
    #expect(logged.map(\.kind) == [.announcement, .program], station.transcript)
    #expect(logged.first?.status == .completed)
    #expect(logged.first?.lateMilliseconds == 0)
    #expect(logged.first?.startedAt == at("2030-01-01 09:00:15"))
    #expect(logged.first?.playedSeconds == 23)
    #expect(logged.last?.status == .interrupted)
    #expect(logged.last?.reason == "stopped by the operator (loa stop)")
    let switches = station.amplifier.switches.withLock { $0 }
    #expect(switches.first?.on == true)
    #expect(switches.first?.at == at("2030-01-01 09:00:10"))
  }

  @Test("a flood of the same announcement is accepted once, at once; the rest are retries")
  func announcementFlood() throws {
    let station = try namedStation(
      stationYAML(programs: [("p", "10:00")]), start: "2030-01-01 09:00:00")
    let daemon = try station.makeDaemon(inLine: false)
    let (mailbox, answers) = (daemon.mailbox, Answers())
    let requests = 200
    let request = ControlRequest(.announce, file: station.audio("e10.wav"))
    station.clock.schedule(at: at("2030-01-01 09:00:10")) {
      for _ in 0..<requests { mailbox.post(.control(request, answers.reply)) }
    }
    daemon.run(until: at("2030-01-01 09:01:00"))
    let deadline = Date() + 30
    while answers.list.withLock({ $0.count }) < requests, Date() < deadline {
      Thread.sleep(forTimeInterval: 0.01)
    }

    #expect(daemon.worker.threadsStarted == 1)
    let replies = answers.list.withLock { $0 }
    #expect(replies.count == requests)
    #expect(replies.allSatisfy { $0.ok })
    let ids = Set(replies.compactMap { $0.announced?.program })
    #expect(ids.count == 1, "\(ids)")
    #expect(replies.filter { $0.repeated == true }.count == requests - 1)
  }
}
