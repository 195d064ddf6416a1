import Foundation
import LoaAudio
import LoaControl
import LoaPlanner
import LoaSchedule

/// The control socket's requests, on the daemon's loop (`ControlProtocol`).
extension Daemon {
  func handle(_ request: ControlRequest, reply: ControlReply) {
    switch request.command {
    case .status:
      reply(ControlAnswer(ok: true, status: status()))
    case .stop:
      // An airing armed for its start is not on air yet.
      guard let current = onAir, current.startedAt != nil else {
        return reply(.failure(.nothingOnAir, "nothing is on air"))
      }
      if current.interruption == nil {
        let reason = "stopped by the operator (loa stop)"
        onAir?.interruption = reason
        onAir?.byOperator = true
        current.handle.interrupt(reason: reason)
      }
      reply(ControlAnswer(ok: true, stopped: summary(of: current.airing)))
    case .reload:
      queuedReloadReplies.append(reply)
      reloadReason = "loa reload"
      reloadAt = clock.now()
    case .announce:
      guard stopping == nil else { return reply(.failure(.stopping, "loa is stopping")) }
      prepareAnnouncement(request, reply: reply)
    }
  }

  /// Checks the request, then measures the file on a thread of its own (a
  /// long file takes a moment to decode) and posts the airing back.
  private func prepareAnnouncement(_ asked: ControlRequest, reply: ControlReply) {
    let request: AnnouncementRequest
    switch asked.announcement() {
    case .success(let checked): request = checked
    case .failure(let error): return reply(.failure(error))
    }
    let file = request.file
    let folders = [station.audioDirectory] + (settings.spool.map { [$0] } ?? [])
    guard let path = RealPath.of(file, inside: folders) else {
      return reply(
        .failure(
          .outsideAudioFolders,
          "\(file) is not inside the audio folder (\(station.audioDirectory)) or the spool "
            + "(\(settings.spool ?? "none")); loa announce copies other files to the spool"))
    }
    let (measurements, channels) = (measurements, station.channels)
    let mailbox = mailbox
    let thread = Thread {
      do {
        let measured = try measurements.measurement(of: path, channels: channels)
        let announcement = PreparedAnnouncement(
          title: request.title, path: path, duration: measured.duration,
          times: request.times, gap: request.gap, priority: Priority(request.priority))
        mailbox.post(.announce(announcement, reply))
      } catch {
        reply(.failure(.unreadableAudio, "\(file): \(error)"))
      }
    }
    thread.name = "loa-announce"
    thread.start()
  }

  /// Puts a measured announcement in the plan, due now; when the amplifier
  /// is off, due once it has warmed up.
  func announce(_ announcement: PreparedAnnouncement, reply: ControlReply) {
    guard stopping == nil else { return reply(.failure(.stopping, "loa is stopping")) }
    var start = clock.now()
    if let amplifier = station.amplifier, !amplifierOn { start += amplifier.warmup.seconds }
    announcements += 1
    let airing = PlannedAiring.announcement(
      id: "announce-\(Int64(start.timeIntervalSince1970))-\(announcements)",
      title: announcement.title, file: announcement.path, fileDuration: announcement.duration,
      times: announcement.times, gap: announcement.gap, priority: announcement.priority,
      at: planner.clock.local(start), start: start)
    adHoc.append(airing)
    reply(ControlAnswer(ok: true, announced: summary(of: airing)))
    say("announcement by the operator: \(describe(airing))")
  }

  func noteError(_ text: String) {
    lastError = (clock.now(), text)
  }

  func answerReloads(_ answer: ControlAnswer) {
    for reply in reloadReplies { reply(answer) }
    reloadReplies = []
  }

  func summary(of airing: PlannedAiring) -> AiringSummary {
    AiringSummary(
      kind: airing.kind == .program ? .program : .announcement, program: airing.id,
      title: airing.title, priority: ControlPriority(airing.priority),
      start: planner.clock.iso(airing.start), durationS: airing.duration.seconds)
  }

  func scheduleStatus() -> ScheduleStatus {
    ScheduleStatus(
      path: settings.schedulePath ?? "", files: planner.schedule.sourceFiles,
      loadedAt: planner.clock.iso(loadedAt), audioDir: station.audioDirectory)
  }

  func status() -> StationStatus {
    let now = clock.now()
    var onAirStatus: OnAirStatus?
    if let current = onAir {
      let items = current.airing.items
      let index = min(current.position, max(items.count - 1, 0))
      onAirStatus = OnAirStatus(
        airing: summary(of: current.airing),
        startedAt: current.startedAt.map(planner.clock.iso),
        elapsedS: current.startedAt.map { now.timeIntervalSince($0) } ?? 0,
        item: min(current.position + 1, items.count), items: items.count,
        file: items.isEmpty ? nil : items[index].file,
        waiting: current.entered.filter { !$0.isDone }.map { summary(of: $0.airing) })
    }
    return StationStatus(
      station: station.name, now: planner.clock.iso(now), pid: getpid(),
      runningSince: planner.clock.iso(runningSince), onAir: onAirStatus,
      next: pending.filter { $0.start > now || onAir == nil }.prefix(5).map(summary),
      device: device,
      deviceState: deviceError != nil ? .failing : onAir != nil ? .playing : .idle,
      deviceError: deviceError,
      amplifier: station.amplifier == nil ? .none : amplifierOn ? .on : .off,
      lastError: lastError?.text, lastErrorAt: lastError.map { planner.clock.iso($0.at) },
      schedule: scheduleStatus(), spool: settings.spool ?? "")
  }
}

/// An operator's announcement whose file has been measured.
public struct PreparedAnnouncement: Sendable {
  let title: String
  let path: String
  let duration: Duration
  let times: Int
  let gap: Duration
  let priority: Priority
}

extension Priority {
  init(_ priority: ControlPriority) {
    switch priority {
    case .normal: self = .normal
    case .priority: self = .priority
    case .emergency: self = .emergency
    }
  }
}

extension ControlPriority {
  init(_ priority: Priority) {
    switch priority {
    case .normal: self = .normal
    case .priority: self = .priority
    case .emergency: self = .emergency
    }
  }
}
