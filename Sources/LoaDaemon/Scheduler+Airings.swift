import Foundation
import LoaLog
import LoaPlanner
import LoaPlayout
import LoaSchedule

/// The plan and its airings: what is due, started, let in or missed.
extension Scheduler {
  // MARK: The plan

  /// Dealt with: started, let in or missed.
  mutating func markHandled(_ airing: PlannedAiring) {
    let key = AiringKey(airing)
    handled.insert(key)
    adHoc.removeAll { AiringKey($0) == key }
  }

  var pending: [PlannedAiring] {
    let waiting = horizon.filter { !handled.contains(AiringKey($0)) && $0.start >= earliest }
    let made = adHoc.filter { !handled.contains(AiringKey($0)) }
    return made.isEmpty ? waiting : (waiting + made).sorted { $0.start < $1.start }
  }

  /// Plans yesterday (a late airing may still be due) through tomorrow,
  /// and asks the log what has already been dealt with.
  mutating func replan(_ now: Date, _ actions: inout [Action]) {
    let today = planner.clock.day(of: now)
    plannedDay = today
    actions.append(.releaseUnusedCode)
    horizon = planner.plan(from: today.adding(days: -1), through: today.adding(days: 1))
    let from = planner.clock.start(of: today.adding(days: -1))
    let to = planner.clock.start(of: today.adding(days: 2))
    handled = handled.filter { $0.start >= Int64(from.timeIntervalSince1970) }
    actions.append(.readLog(from: from, to: to))
  }

  /// The station was off from the last heartbeat of the run before until
  /// `now`: airings due then that are past catch-up are logged missed with
  /// that reason; later ones still start.
  mutating func recordOutage(
    _ outage: Outage, endingAt now: Date, _ actions: inout [Action]
  ) {
    let month = now - 31 * 86_400
    guard outage.from < now else {
      // Nothing can have fallen due in an outage that ends before it began.
      return say(
        "the clock reads \(planner.clock.iso(now)), before the log's last sign of life at "
          + "\(planner.clock.iso(outage.from)); has it been set back?", now, &actions)
    }
    say(
      "the station was off the air \(durationText(now.timeIntervalSince(outage.from)))", now,
      &actions)
    toMiss.append(
      (
        max(outage.from, month), now,
        "loa was not running from \(planner.clock.iso(outage.from)) to "
          + planner.clock.iso(outage.to)
      ))
  }

  /// Time from `from` to `to` went by without the daemon (an outage, a
  /// clock set forward): what fell due in it and is past catch-up is logged
  /// missed with `reason`; the rest still starts, late.
  mutating func missSpan(
    from: Date, to end: Date, reason: String, _ now: Date, _ actions: inout [Action]
  ) {
    gaps.append((from, end, reason))
    earliest = min(earliest, from)
    let days = planner.plan(from: planner.clock.day(of: from), through: planner.clock.day(of: end))
    for airing in days
    where airing.start >= from && airing.start + station.catchUp.seconds <= end
      && !handled.contains(AiringKey(airing))
    {
      miss(airing, reason: reason, now, &actions)
    }
  }

  /// A wall clock that moved more (or less) than the never-stepped clock
  /// was set: airings skipped over by a step forward are missed with that
  /// reason (or start late within catch-up); after a step back, the log
  /// keeps what already aired from playing again.
  mutating func clockStepped(expected: Date, _ now: Date, _ actions: inout [Action]) {
    let step = now.timeIntervalSince(expected)
    let direction = step > 0 ? "forward" : "back"
    say(
      "the clock was set \(direction) by \(durationText(abs(step))), "
        + "from \(planner.clock.iso(expected)) to \(planner.clock.iso(now))", now, &actions)
    plannedDay = nil
    if step > 0 {
      toMiss.append(
        (
          expected, now,
          "the clock was set forward from \(planner.clock.iso(expected)) to "
            + planner.clock.iso(now)
        ))
    } else {
      // What is due again on the wall clock, and not yet in the log, plays.
      earliest = min(earliest, now - station.catchUp.seconds)
    }
    replan(now, &actions)
  }

  // MARK: Airings

  mutating func missOverdue(_ now: Date, _ actions: inout [Action]) {
    let catchUp = station.catchUp.seconds
    for airing in pending where airing.start + catchUp <= now {
      miss(airing, reason: missReason(airing), now, &actions)
    }
    for (airing, record) in requeued where airing.start + catchUp <= now {
      requeued.removeAll { AiringKey($0.airing) == AiringKey(airing) }
      let reason = missReason(airing)
      actions.append(
        .log(
          .finish(
            record,
            Outcome(
              status: .missed, startedAt: nil, endedAt: now, frames: 0, playedSeconds: 0,
              reason: reason), lateMilliseconds: nil, xruns: 0)))
      say("missed \(describe(airing)): \(reason)", now, &actions)
    }
  }

  func missReason(_ airing: PlannedAiring) -> String {
    if let previouslyPlanned, !previouslyPlanned.contains(AiringKey(airing)),
      airing.start + station.catchUp.seconds <= loadedAt
    {
      return "added to the schedule at \(planner.clock.iso(loadedAt)), after its catch-up time"
    }
    if let gap = gaps.last(where: { $0.from <= airing.start && airing.start <= $0.to }) {
      return gap.reason
    }
    if let onAir {
      return "«\(onAir.airing.title)» (\(onAir.airing.id)) was still on air after the catch-up "
        + "time (\(station.catchUp.shortDescription))"
    }
    return "could not start within the catch-up time (\(station.catchUp.shortDescription))"
  }

  mutating func miss(
    _ airing: PlannedAiring, reason: String, _ now: Date, _ actions: inout [Action]
  ) {
    markHandled(airing)
    actions.append(.miss(airing, reason: reason))
    say("missed \(describe(airing)): \(reason)", now, &actions)
  }

  /// Starts the most urgent due airing when nothing is on air; while one
  /// is, lets a priority airing in at the next boundary and has an
  /// emergency interrupt it.
  mutating func startOrEnter(_ now: Date, _ actions: inout [Action]) {
    let due = pending.filter { $0.start - settings.lead.seconds <= now }
      .sorted { ($1.priority, $0.start) < ($0.priority, $1.start) }
    guard let current = onAir else {
      let waiting =
        requeued.map { ($0.airing, Optional($0.record)) } + due.map { ($0, nil as AiringRecordID?) }
      if let first = waiting.min(by: { ($1.0.priority, $0.0.start) < ($0.0.priority, $1.0.start) })
      {
        requeued.removeAll { AiringKey($0.airing) == AiringKey(first.0) }
        start(first.0, record: first.1, now, &actions)
      }
      return
    }
    for airing in due where airing.start <= now {
      // Read afresh: an emergency earlier in this list may have interrupted it.
      guard onAir?.interruption == nil else { break }
      switch airing.priority {
      case .emergency where current.airing.priority < .emergency:
        let reason = "interrupted for the emergency announcement «\(airing.title)»"
        onAir?.interruption = reason
        actions.append(.interrupt(token: current.token, reason: reason))
      case .priority where current.airing.priority < .priority:
        enter(airing, now, &actions)
      default:
        break
      }
    }
  }

  /// Starts `airing`, under a new record unless it already has one.
  mutating func start(
    _ airing: PlannedAiring, record: AiringRecordID?, _ now: Date, _ actions: inout [Action]
  ) {
    markHandled(airing)
    playbacks += 1
    let id = record ?? newRecord()
    onAir = OnAir(
      token: playbacks, airing: airing,
      ledger: PlayoutLedger(record: id, sampleRate: station.sampleRate))
    // Alive when armed (then every second once on air): a crash is placed
    // to within that.
    beat(now, &actions)
    actions.append(.start(token: playbacks, airing, record: id, isLogged: record != nil))
  }

  /// Plays a priority airing inside the one on air, at its next boundary.
  mutating func enter(_ airing: PlannedAiring, _ now: Date, _ actions: inout [Action]) {
    guard let current = onAir else { return }
    markHandled(airing)
    let record = newRecord()
    onAir?.ledger.enter(record, plannedStart: airing.start, count: airing.items.count)
    onAir?.entered[record] = airing
    actions.append(.insert(token: current.token, airing, record: record))
    say("\(describe(airing)) enters «\(current.airing.title)» at its next item", now, &actions)
  }

  mutating func newRecord() -> AiringRecordID {
    records += 1
    return AiringRecordID(records)
  }
}
