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
        // Found at once; measured later, off the loop: a long file takes
        // seconds to decode, and the operator is answered before that.
        let folders = [station.audioDirectory] + (settings.spool.map { [$0] } ?? [])
        actions.append(.find(id, announcement, folders: folders))
      }
    }
  }

  /// Accepts an announcement whose file was found, and has it measured;
  /// a retry of one accepted lately is answered with the first one's id.
  mutating func accept(
    _ request: AnnouncementRequest, _ audio: FoundAudio, _ id: RequestID, _ now: Date,
    _ actions: inout [Action]
  ) {
    guard stopping == nil else {
      return actions.append(.reply(id, .failure(.stopping, "loa is stopping")))
    }
    let window = settings.retryWindow.seconds
    accepted = accepted.filter { now.timeIntervalSince($0.value.at) < window }
    let key = [
      audio.identity, request.priority.rawValue, "\(request.times)", "\(request.gap)",
    ].joined(separator: "|")
    if let first = accepted[key] {
      say(
        "loa announce of «\(request.title)» again: taken for a retry of \(first.id), accepted at "
          + "\(planner.clock.iso(first.at)); it airs once", now, &actions)
      let summary = AiringSummary(
        kind: .announcement, program: first.id, title: request.title, priority: request.priority,
        start: planner.clock.iso(first.at), durationS: 0)
      // Copied again after the first aired and its copy went: nothing
      // will play this one.
      if audio.isSpooled, !spooled.contains(audio.path) {
        actions.append(.removeFromSpool([audio.path]))
      }
      return actions.append(
        .reply(id, ControlAnswer(ok: true, announced: summary, repeated: true)))
    }
    announcements += 1
    let announcementID = "announce-\(Int64(now.timeIntervalSince1970))-\(announcements)"
    let announcement = PreparedAnnouncement(
      title: request.title, path: audio.path, duration: .zero, times: request.times,
      gap: request.gap, priority: Priority(request.priority), id: announcementID)
    measuring[announcementID] = (announcement, now)
    accepted[key] = (announcementID, now)
    if audio.isSpooled { spooled.insert(audio.path) }
    actions.append(
      .reply(
        id, ControlAnswer(ok: true, announced: summary(measuring: announcement, at: now))))
    say(
      "announcement by the operator accepted: «\(request.title)» (\(announcementID)), "
        + "measuring \(audio.path)", now, &actions)
    actions.append(.measure(announcement, channels: station.channels))
  }

  /// An accepted announcement, measured: into the plan.
  mutating func measured(
    _ announcement: PreparedAnnouncement, _ now: Date, _ actions: inout [Action]
  ) {
    guard let id = announcement.id, measuring.removeValue(forKey: id) != nil else { return }
    announce(announcement, id: id, now, &actions)
  }

  /// An accepted announcement whose file does not decode: said, and kept
  /// as the last error for `loa status`.
  mutating func measureFailed(
    _ id: String, _ reason: String, _ now: Date, _ actions: inout [Action]
  ) {
    guard let (announcement, _) = measuring.removeValue(forKey: id) else { return }
    let text = "the announcement «\(announcement.title)» (\(id)) cannot air: \(reason)"
    say(text, now, &actions)
    lastError = (now, text)
    cleanSpool(now, &actions)
  }

  /// Has the spool's copies that no airing needs any more deleted.
  mutating func cleanSpool(_ now: Date, _ actions: inout [Action]) {
    guard !spooled.isEmpty else { return }
    var airings = adHoc + requeued.map(\.airing)
    if let onAir { airings += [onAir.airing] + Array(onAir.entered.values) }
    let needed = Set(
      airings.flatMap { $0.items.compactMap(\.file) }
        + measuring.values.map(\.announcement.path))
    let done = spooled.subtracting(needed)
    guard !done.isEmpty else { return }
    spooled.subtract(done)
    let names = done.sorted().map { ($0 as NSString).lastPathComponent }
    say(
      "removing from the spool, no longer needed: \(names.joined(separator: ", "))", now, &actions)
    actions.append(.removeFromSpool(done.sorted()))
  }

  /// Puts a measured announcement in the plan, due now; when the amplifier
  /// is off, due once it has warmed up. `id`: the request to answer, when
  /// it was not answered on acceptance.
  mutating func announce(
    _ announcement: PreparedAnnouncement, id: String, _ now: Date, _ actions: inout [Action]
  ) {
    guard stopping == nil else { return }
    var start = now
    if let amplifier = station.amplifier, !amplifierOn { start += amplifier.warmup.seconds }
    let airing = PlannedAiring.announcement(
      id: id, title: announcement.title, file: announcement.path,
      fileDuration: announcement.duration, times: announcement.times, gap: announcement.gap,
      priority: announcement.priority, at: planner.clock.local(start), start: start)
    adHoc.append(airing)
    say("announcement by the operator: \(describe(airing))", now, &actions)
  }

  // MARK: Reloading

  mutating func startLoading(_ now: Date, _ actions: inout [Action]) {
    if let since = loadingSince {
      guard now.timeIntervalSince(since) >= settings.loadPatience.seconds else {
        // One is under way; load once more after it, to see the latest.
        reloadAt = now + settings.settle.seconds
        return
      }
      say(
        "the load begun at \(planner.clock.iso(since)) has not ended; loading again beside it "
          + "(its result will be ignored)", now, &actions)
    }
    loadingSince = now
    loads += 1
    // `loa reload` is answered by a load that began after it asked.
    reloadRequests += queuedReloadRequests
    queuedReloadRequests = []
    say("reloading the schedule (\(reloadReason))", now, &actions)
    actions.append(.notify(.reloading))
    actions.append(.load(loads))
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

  /// An accepted announcement not yet measured: due from its acceptance,
  /// its length not yet known (0).
  func summary(measuring announcement: PreparedAnnouncement, at accepted: Date) -> AiringSummary {
    AiringSummary(
      kind: .announcement, program: announcement.id ?? "", title: announcement.title,
      priority: ControlPriority(announcement.priority), start: planner.clock.iso(accepted),
      durationS: 0)
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
      measuring: measuring.values.sorted { $0.acceptedAt < $1.acceptedAt }.map {
        summary(measuring: $0.announcement, at: $0.acceptedAt)
      },
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
