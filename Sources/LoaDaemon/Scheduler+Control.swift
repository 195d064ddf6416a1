import Foundation
import LoaControl
import LoaPlanner
import LoaSchedule

/// The operator's requests (`ControlProtocol`) and reloads.
extension Scheduler {
  mutating func control(
    _ request: ControlRequest, _ id: RequestID, _ now: Date, _ actions: inout [Action]
  ) {
    switch request.command {
    case .status:
      actions.append(.reply(id, ControlAnswer(ok: true, status: status(now))))
    case .stop:
      // An airing armed for its start is not on air yet.
      guard let current = onAir, current.startedAt != nil else {
        return actions.append(.reply(id, .failure(.nothingOnAir, "nothing is on air")))
      }
      if current.interruption == nil {
        let reason = "stopped by the operator (loa stop)"
        onAir?.interruption = reason
        onAir?.byOperator = true
        actions.append(.interrupt(token: current.token, reason: reason))
      }
      actions.append(.reply(id, ControlAnswer(ok: true, stopped: summary(of: current.airing))))
    case .reload:
      queuedReloadRequests.append(id)
      reloadReason = "loa reload"
      reloadAt = now
    case .announce:
      guard stopping == nil else {
        return actions.append(.reply(id, .failure(.stopping, "loa is stopping")))
      }
      switch request.announcement() {
      case .failure(let error):
        actions.append(.reply(id, .failure(error)))
      case .success(let announcement):
        // The file is found and measured off the loop: a long one takes a
        // moment to decode.
        let folders = [station.audioDirectory] + (settings.spool.map { [$0] } ?? [])
        actions.append(
          .measure(id, announcement, folders: folders, channels: station.channels))
      }
    }
  }

  /// Puts a measured announcement in the plan, due now; when the amplifier
  /// is off, due once it has warmed up.
  mutating func announce(
    _ announcement: PreparedAnnouncement, _ id: RequestID, _ now: Date,
    _ actions: inout [Action]
  ) {
    guard stopping == nil else {
      return actions.append(.reply(id, .failure(.stopping, "loa is stopping")))
    }
    var start = now
    if let amplifier = station.amplifier, !amplifierOn { start += amplifier.warmup.seconds }
    announcements += 1
    let airing = PlannedAiring.announcement(
      id: "announce-\(Int64(start.timeIntervalSince1970))-\(announcements)",
      title: announcement.title, file: announcement.path, fileDuration: announcement.duration,
      times: announcement.times, gap: announcement.gap, priority: announcement.priority,
      at: planner.clock.local(start), start: start)
    adHoc.append(airing)
    actions.append(.reply(id, ControlAnswer(ok: true, announced: summary(of: airing))))
    say("announcement by the operator: \(describe(airing))", now, &actions)
  }

  // MARK: Reloading

  mutating func startLoading(_ now: Date, _ actions: inout [Action]) {
    guard !loading else {
      // One is under way; load once more after it, to see the latest.
      reloadAt = now + settings.settle.seconds
      return
    }
    loading = true
    // `loa reload` is answered by a load that began after it asked.
    reloadRequests += queuedReloadRequests
    queuedReloadRequests = []
    say("reloading the schedule (\(reloadReason))", now, &actions)
    actions.append(.notify(.reloading))
    actions.append(.load)
  }

  /// Takes a newly loaded schedule if it is valid; the airing on air plays
  /// on as it was.
  mutating func swap(in loaded: LoadedSchedule, _ now: Date, _ actions: inout [Action]) {
    guard let planner = try? Planner(loaded: loaded) else {
      let errors = loaded.diagnostics.filter { $0.severity == .error }
      say(
        "the new schedule is refused (\(errors.count) error\(errors.count == 1 ? "" : "s")); "
          + "keeping the one loaded at \(self.planner.clock.iso(loadedAt)):", now, &actions)
      for error in errors { say("  \(error)", now, &actions) }
      lastError = (
        now, "the new schedule is refused: \(errors.first.map(String.init(describing:)) ?? "")"
      )
      actions.append(.notify(.ready(status: nil)))
      answerReloads(
        .failure(
          .scheduleRefused,
          "the new schedule is refused; keeping the one loaded at "
            + self.planner.clock.iso(loadedAt), errors: errors.map(String.init(describing:))),
        &actions)
      return
    }
    if planner.schedule.station.amplifier != station.amplifier, amplifierOn {
      // Off with the commands it was switched on with; on again with the new.
      switchAmplifier(on: false, &actions)
    }
    actions.append(.adopt(loaded))
    previouslyPlanned = Set(horizon.map(AiringKey.init))
    self.planner = planner
    loadedAt = now
    plannedDay = nil
    say("reloaded: \(scheduleDescription)", now, &actions)
    actions.append(.notify(.ready(status: scheduleDescription)))
    answerReloads(ControlAnswer(ok: true, schedule: scheduleStatus()), &actions)
  }

  private mutating func answerReloads(_ answer: ControlAnswer, _ actions: inout [Action]) {
    actions += reloadRequests.map { .reply($0, answer) }
    reloadRequests = []
  }

  // MARK: Status

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

  func status(_ now: Date) -> StationStatus {
    var onAirStatus: OnAirStatus?
    if let current = onAir {
      let items = current.airing.items
      let position = current.ledger.position
      let index = min(position, max(items.count - 1, 0))
      onAirStatus = OnAirStatus(
        airing: summary(of: current.airing),
        startedAt: current.startedAt.map(planner.clock.iso),
        elapsedS: current.startedAt.map { now.timeIntervalSince($0) } ?? 0,
        item: min(position + 1, items.count), items: items.count,
        file: items.isEmpty ? nil : items[index].file,
        waiting: current.ledger.waiting.compactMap { current.entered[$0.record] }.map(summary))
    }
    return StationStatus(
      station: station.name, now: planner.clock.iso(now), pid: settings.pid,
      runningSince: planner.clock.iso(runningSince), onAir: onAirStatus,
      next: pending.filter { $0.start > now || onAir == nil }.prefix(5).map(summary),
      device: device,
      deviceState: deviceError != nil ? .failing : onAir != nil ? .playing : .idle,
      deviceError: deviceError,
      amplifier: station.amplifier == nil ? .none : amplifierOn ? .on : .off,
      lastError: lastError?.text, lastErrorAt: lastError.map { planner.clock.iso($0.at) },
      schedule: scheduleStatus(), spool: settings.spool ?? "",
      logTrouble: logTrouble?.description)
  }
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
