import Foundation
import LoaAudio
import LoaLog
import LoaPlayout

/// The player's events: what is on air, its log rows, and what follows its end.
extension Scheduler {
  mutating func playback(_ event: PlaybackEvent, _ now: Date, _ actions: inout [Action]) {
    guard var current = onAir else { return }
    defer { if onAir != nil { onAir = current } }
    let (writes, completed) = current.ledger.apply(event)
    actions += writes.map(Action.log)
    if let completed {
      actions.append(.log(current.ledger.finish(completed, status: nil, now: now)))
    }
    switch event {
    case .started(let at):
      current.startedAt = at
      onAir = current
      // Alive once its first frame is out (after a crash, it went out), and
      // every second from now on.
      beat(now, &actions)
      let late = at.timeIntervalSince(current.airing.start) * 1000
      say(
        "on air: \(describe(current.airing)), \(String(format: "%+.1f", late)) ms", now, &actions)
      actions.append(.releaseUnusedCode)
    case .itemStarted:
      break
    case .itemEnded(let played):
      if case .failed(let reason) = played.status {
        say("skipped an item: \(reason)", now, &actions)
        lastError = (now, "skipped an item: \(reason)")
      }
    case .deviceFailed(let error):
      say(
        "device error: \(error); trying again for up to \(station.catchUp.shortDescription)",
        now, &actions)
      deviceError = "\(error)"
      lastError = (now, "device error: \(error)")
    case .deviceRecovered:
      say("the device is back", now, &actions)
      deviceError = nil
    case .finished(let report):
      finish(current, report, now, &actions)
      onAir = nil
      actions.append(.releaseUnusedCode)
      cleanSpool(now, &actions)
    }
  }

  private mutating func finish(
    _ current: OnAir, _ report: PlaybackReport, _ now: Date, _ actions: inout [Action]
  ) {
    lastEnd = report.items.last?.endedAt ?? now
    // Entered airings that never got their turn start on their own.
    for entered in current.ledger.waiting {
      if entered.items.isEmpty, stopping == nil, let airing = current.entered[entered.record] {
        requeued.append((airing, entered.record))
      } else {
        actions.append(.log(current.ledger.finish(entered, status: report.status, now: now)))
      }
    }
    // Interrupted by an emergency before its first frame: it starts again
    // after it, under the same row.
    if report.firstFrameAt == nil, current.interruption != nil, !current.byOperator,
      stopping == nil
    {
      requeued.append((current.airing, current.ledger.record))
      say("postponed: \(describe(current.airing)): \(current.interruption ?? "")", now, &actions)
      return
    }
    ended += 1
    let write = LogWrite.finish(
      current.ledger.record, report: report, sampleRate: station.sampleRate, now: lastEnd ?? now)
    actions.append(.log(write))
    switch report.status {
    case .completed:
      // Played to the end, not necessarily whole: say what the log says.
      if case .finish(_, let outcome, _, _) = write, outcome.status != .completed {
        let message =
          "\(outcome.status.rawValue): \(describe(current.airing)): \(outcome.reason ?? "")"
        say(message, now, &actions)
        lastError = (now, message)
      } else {
        say("ended: \(describe(current.airing))", now, &actions)
      }
    case .interrupted(let reason):
      say("interrupted: \(describe(current.airing)): \(reason)", now, &actions)
    case .failed(let reason):
      say("failed: \(describe(current.airing)): \(reason)", now, &actions)
      lastError = (now, "failed: \(describe(current.airing)): \(reason)")
    }
  }
}
