import Foundation
import LoaAudio
import LoaCalendar
import LoaControl
import LoaLog
import LoaPlanner
import LoaPlayout
import LoaSchedule

/// How the daemon runs, beside what the schedule says.
public struct DaemonSettings: Sendable {
  /// The ALSA PCM to play to instead of the schedule's `station.output`.
  public var output: String?
  /// How long before its start an airing's device is opened and filled.
  public var lead: Duration = .seconds(2)
  /// How often the daemon marks itself alive in the log.
  public var heartbeat: Duration = .seconds(60)
  /// Wait this long after a schedule file changes before reloading, so
  /// that an editor's several writes make one reload.
  public var settle: Duration = .milliseconds(300)
  /// Stop once this many airings have ended (a demonstration); nil: never.
  public var stopAfter: Int?
  /// Load schedules on a thread of their own (measuring new audio can take
  /// seconds); tests with a simulated clock load in line.
  public var loadInBackground = true
  /// Give back the code pages that one-off work used (starting up,
  /// planning, loading a schedule, starting or ending an airing) once it is
  /// done, so that what stays resident is what the daemon keeps running
  /// (`ResidentMemory`).
  public var releaseUnusedCode = false
  /// Where `loa announce` copies files from outside `audio_dir`; the
  /// daemon plays announcements from there or from `audio_dir`, nowhere else.
  public var spool: String?
  /// The schedule as given (a file or folder), for `loa status`.
  public var schedulePath: String?
  /// systemd's notification socket: READY, RELOADING, STOPPING, WATCHDOG.
  public var notifier: SystemdNotifier?

  public init() {}
}

/// The station daemon: keeps the plan for the coming days, starts each
/// airing on time through the player, lets priorities enter and interrupt
/// (PRODUCT §3.4), logs everything, switches the amplifier, and reloads
/// the schedule when asked or when its files change.
///
/// One thread runs the loop (`run`); other threads only post events to the
/// mailbox. Time comes from a `DaemonClock`, so that tests replay months on
/// a simulated one.
public final class Daemon {
  let clock: any DaemonClock
  private let player: any AiringPlayer
  let log: AiringLog?
  private let makeAmplifier: (@Sendable (Amplifier) -> any AmplifierSwitch)?
  /// The switch for the schedule's `amplifier`, rebuilt when a reload changes it.
  private var amplifier: (any AmplifierSwitch)?
  let settings: DaemonSettings
  private let load: @Sendable () -> LoadedSchedule
  let measurements: AudioMeasurements
  private let output: @Sendable (String) -> Void
  public let mailbox = Mailbox()

  var planner: Planner
  private var audio: AiringAudio
  var loadedAt: Date
  /// Airings the plan held before the last reload: one the reload added
  /// after its time is missed for that reason.
  private var previouslyPlanned: Set<AiringKey>?
  /// Airings from yesterday through tomorrow, in start order.
  private var horizon: [PlannedAiring] = []
  private var plannedDay: CivilDate?
  /// Code was touched once that is not needed again soon (see
  /// `DaemonSettings.releaseUnusedCode`).
  private var codeToRelease = false
  /// Airings the log has a row for, or that this loop has dealt with.
  var handled: Set<AiringKey> = []
  /// Airings due before this were the business of an earlier run.
  private var earliest: Date
  var onAir: OnAir?
  /// Airings logged as begun that never played a frame (an emergency came
  /// first, or the airing they entered ended before their turn): they start
  /// on their own, under the same log row, once nothing is on air.
  private var requeued: [(airing: PlannedAiring, logID: Int64?)] = []
  private var playbacks = 0
  private var ended = 0
  private var lastEnd: Date?
  var amplifierOn = false
  private var nextBeat: Date
  var reloadAt: Date?
  var reloadReason = ""
  private var loading = false
  var stopping: String?
  /// Why airings due in a span of time could not start: the outage before
  /// this run, the clock set forward.
  private var gaps: [(from: Date, to: Date, reason: String)] = []
  private var lastTick: (wall: Date, elapsed: Duration)
  private var lastPet: ContinuousClock.Instant?
  // For the control socket (DaemonControl.swift).
  let runningSince: Date
  /// Announcements the operator made (`loa announce`), until they are dealt with.
  var adHoc: [PlannedAiring] = []
  /// `loa reload` requests waiting for the schedule being loaded, and for
  /// the next load.
  var reloadReplies: [ControlReply] = []
  var queuedReloadReplies: [ControlReply] = []
  /// Announcements made so far, to name each one apart.
  var announcements = 0
  var deviceError: String?
  var lastError: (at: Date, text: String)?

  /// - Parameters:
  ///   - loaded: the valid schedule to start with.
  ///   - load: loads the schedule again, for a reload.
  ///   - amplifier: makes the switch for a schedule's `amplifier` section.
  ///   - say: where the daemon's messages go (its standard error).
  public init(
    loaded: LoadedSchedule, load: @escaping @Sendable () -> LoadedSchedule,
    measurements: AudioMeasurements, log: AiringLog?, clock: any DaemonClock,
    player: any AiringPlayer = ALSAPlayer(),
    amplifier: (@Sendable (Amplifier) -> any AmplifierSwitch)? = nil,
    settings: DaemonSettings = DaemonSettings(), say: @escaping @Sendable (String) -> Void
  ) throws {
    let planner = try Planner(loaded: loaded)
    self.planner = planner
    self.audio = AiringAudio(
      loaded: loaded, station: planner.schedule.station, measurements: measurements)
    self.load = load
    self.measurements = measurements
    self.log = log
    self.clock = clock
    self.player = player
    makeAmplifier = amplifier
    self.amplifier = planner.schedule.station.amplifier.flatMap { amplifier?($0) }
    self.settings = settings
    self.output = say
    let now = clock.now()
    loadedAt = now
    runningSince = now
    nextBeat = now
    lastTick = (now, clock.elapsed())
    earliest = now - planner.schedule.station.catchUp.seconds
    recordOutage(endingAt: now)
  }

  var station: Station { planner.schedule.station }
  var device: String { settings.output ?? station.output }

  // MARK: The loop

  /// Runs until stopped (a `.stop` event, or `stopAfter` airings), and
  /// returns once the airing on air has ended and been logged. With
  /// `until`, returns when the clock reaches it, whatever is playing, as
  /// if the process had died then (for tests).
  public func run(until end: Date? = nil) {
    say("\(describeSchedule()); playing to \(device)")
    var ready = false
    while true {
      let now = clock.now()
      if let end, now >= end { return }
      noticeClockStep(now)
      for event in mailbox.take() { handle(event) }
      if stopping != nil, onAir == nil { break }
      if let stopAfter = settings.stopAfter, ended >= stopAfter, onAir == nil { break }
      step(clock.now())
      if !ready {
        // The plan is made: systemd may count the service as started.
        ready = true
        settings.notifier?.notify("READY=1\nSTATUS=\(describeSchedule())")
      }
      petWatchdog()
      var deadline = nextDeadline(clock.now(), end: end)
      if let interval = settings.notifier?.watchdogInterval {
        deadline = min(deadline, clock.now() + interval.seconds)
      }
      // Not just before an airing is armed: its start should fault nothing.
      if codeToRelease, deadline.timeIntervalSince(clock.now()) > 1 {
        codeToRelease = false
        ResidentMemory.releaseUnusedCode()
      }
      clock.wait(on: mailbox, until: deadline)
    }
    if amplifierOn { switchAmplifier(on: false) }
    amplifier?.finish()
    say("stopped: \(stopping ?? "\(ended) airing\(ended == 1 ? "" : "s") ended")")
  }

  /// Tells systemd's watchdog the loop is turning: only from here, so
  /// that a loop stuck anywhere stops the pings and systemd restarts it.
  private func petWatchdog() {
    guard let notifier = settings.notifier, let interval = notifier.watchdogInterval else {
      return
    }
    let now = ContinuousClock.now
    if let lastPet, now - lastPet < interval { return }
    lastPet = now
    notifier.notify("WATCHDOG=1")
  }

  /// Everything due at `now`: the plan, the heartbeat, reloads, airings to
  /// miss, start or let in, and the amplifier.
  private func step(_ now: Date) {
    if let reloadAt, now >= reloadAt {
      self.reloadAt = nil
      startLoading()
    }
    if planner.clock.day(of: now) != plannedDay { replan(now) }
    if now >= nextBeat {
      logging("heartbeat") { try $0.heartbeat(at: now) }
      nextBeat = now + settings.heartbeat.seconds
    }
    missOverdue(now)
    if stopping == nil { startOrEnter(now) }
    updateAmplifier(now)
  }

  private func nextDeadline(_ now: Date, end: Date?) -> Date {
    var deadline = min(
      nextBeat, planner.clock.start(of: planner.clock.day(of: now).adding(days: 1)))
    if let reloadAt { deadline = min(deadline, reloadAt) }
    if let end { deadline = min(deadline, end) }
    let catchUp = station.catchUp.seconds
    for airing in pending {
      // Missed once past catch-up.
      if airing.start + catchUp > now { deadline = min(deadline, airing.start + catchUp) }
      if onAir == nil {
        // Armed `lead` ahead.
        deadline = min(deadline, max(now, airing.start - settings.lead.seconds))
      } else if airing.priority > .normal, airing.start > now {
        // Enters or interrupts what is on air.
        deadline = min(deadline, airing.start)
      }
      if let amplifier = station.amplifier {
        let on = airing.start - amplifier.warmup.seconds
        if on > now { deadline = min(deadline, on) }
      }
    }
    for (airing, _) in requeued where airing.start + catchUp > now {
      deadline = min(deadline, airing.start + catchUp)
    }
    if let lastEnd, let cooldown = station.amplifier?.cooldown, lastEnd + cooldown.seconds > now {
      deadline = min(deadline, lastEnd + cooldown.seconds)
    }
    return max(deadline, now)
  }

  // MARK: The plan

  /// Dealt with: started, let in or missed.
  private func markHandled(_ airing: PlannedAiring) {
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
  /// and reads from the log what has already been dealt with.
  private func replan(_ now: Date) {
    let today = planner.clock.day(of: now)
    plannedDay = today
    codeToRelease = settings.releaseUnusedCode
    horizon = planner.plan(from: today.adding(days: -1), through: today.adding(days: 1))
    let from = planner.clock.start(of: today.adding(days: -1))
    let to = planner.clock.start(of: today.adding(days: 2))
    handled = handled.filter { $0.start >= Int64(from.timeIntervalSince1970) }
    if let logged = logging("reading", { try $0.airings(.init(from: from, to: to)) }) {
      for airing in logged {
        if let program = airing.program, let start = airing.plannedStart {
          handled.insert(AiringKey(program: program, start: start))
        }
      }
    }
    adHoc.removeAll { handled.contains(AiringKey($0)) }
  }

  /// The station was off from the last heartbeat of the run before until
  /// `now`: airings due then that are past catch-up are logged missed with
  /// that reason; later ones still start.
  private func recordOutage(endingAt now: Date) {
    let month = now - 31 * 86_400
    guard let outage = log?.outagesClosed.min(by: { $0.from < $1.from }) else { return }
    guard outage.from < now else {
      // Nothing can have fallen due in an outage that ends before it began.
      say(
        "the clock reads \(planner.clock.iso(now)), before the log's last sign of life at "
          + "\(planner.clock.iso(outage.from)); has it been set back?")
      return
    }
    say("the station was off the air \(durationText(now.timeIntervalSince(outage.from)))")
    missSpan(
      from: max(outage.from, month), to: now,
      reason: "loa was not running from \(planner.clock.iso(outage.from)) to "
        + planner.clock.iso(outage.to))
  }

  /// Time from `from` to `to` went by without the daemon (an outage, a
  /// clock set forward): what fell due in it and is past catch-up is logged
  /// missed with `reason`; the rest still starts, late.
  private func missSpan(from: Date, to now: Date, reason: String) {
    gaps.append((from, now, reason))
    earliest = min(earliest, from)
    let days = planner.plan(from: planner.clock.day(of: from), through: planner.clock.day(of: now))
    for airing in days
    where airing.start >= from && airing.start + station.catchUp.seconds <= now
      && !handled.contains(AiringKey(airing))
    {
      miss(airing, reason: reason)
    }
  }

  // MARK: Airings

  private func missOverdue(_ now: Date) {
    let catchUp = station.catchUp.seconds
    for airing in pending where airing.start + catchUp <= now {
      miss(airing, reason: missReason(airing))
    }
    for (airing, logID) in requeued where airing.start + catchUp <= now {
      requeued.removeAll { AiringKey($0.airing) == AiringKey(airing) }
      let reason = missReason(airing)
      if let logID {
        logging("recording a missed airing") {
          try $0.finish(
            airing: logID,
            Outcome(
              status: .missed, startedAt: nil, endedAt: now, frames: 0, playedSeconds: 0,
              reason: reason), lateMilliseconds: nil, xruns: 0)
        }
      }
      say("missed \(describe(airing)): \(reason)")
    }
  }

  private func missReason(_ airing: PlannedAiring) -> String {
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

  private func miss(_ airing: PlannedAiring, reason: String) {
    markHandled(airing)
    logging("recording a missed airing") {
      try $0.record(audio.prepare(airing, device: device).entry, status: .missed, reason: reason)
    }
    say("missed \(describe(airing)): \(reason)")
  }

  /// Starts the most urgent due airing when nothing is on air; while one
  /// is, lets a priority airing in at the next boundary and has an
  /// emergency interrupt it.
  private func startOrEnter(_ now: Date) {
    let due = pending.filter { $0.start - settings.lead.seconds <= now }
      .sorted { ($1.priority, $0.start) < ($0.priority, $1.start) }
    guard let current = onAir else {
      let waiting = requeued.map { ($0.airing, $0.logID) } + due.map { ($0, nil as Int64?) }
      if let first = waiting.min(by: { ($1.0.priority, $0.0.start) < ($0.0.priority, $1.0.start) })
      {
        requeued.removeAll { AiringKey($0.airing) == AiringKey(first.0) }
        start(first.0, logID: first.1)
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
        current.handle.interrupt(reason: reason)
      case .priority where current.airing.priority < .priority:
        enter(airing)
      default:
        break
      }
    }
  }

  /// Starts `airing`, logging it first unless it already has a row.
  private func start(_ airing: PlannedAiring, logID: Int64? = nil) {
    markHandled(airing)
    let (entry, items) = audio.prepare(airing, device: device)
    let id = logID ?? logging("logging the start") { try $0.begin(entry) }
    playbacks += 1
    let token = playbacks
    let mailbox = mailbox
    let handle = player.play(
      items, at: airing.start,
      settings: PlayerSettings(
        device: device, sampleRate: station.sampleRate, channels: station.channels,
        catchUp: station.catchUp, clockOffset: clock.offset)
    ) { mailbox.post(.playback(token, $0)) }
    onAir = OnAir(token: token, airing: airing, logID: id, handle: handle)
  }

  /// Plays a priority airing inside the one on air, at its next boundary.
  private func enter(_ airing: PlannedAiring) {
    guard let current = onAir else { return }
    markHandled(airing)
    let (entry, items) = audio.prepare(airing, device: device)
    let id = logging("logging the start") { try $0.begin(entry) }
    onAir?.entered.append(OnAir.Entered(airing: airing, logID: id, count: items.count))
    current.handle.insert(items)
    say("\(describe(airing)) enters «\(current.airing.title)» at its next item")
  }

  // MARK: Events

  private func handle(_ event: DaemonEvent) {
    switch event {
    case .playback(let token, let event):
      guard onAir?.token == token else { return }
      handlePlayback(event)
    case .reload(let reason):
      reloadReason = reason
      reloadAt = clock.now() + settings.settle.seconds
    case .loaded(let loaded):
      loading = false
      swap(in: loaded)
    case .control(let request, let reply):
      handle(request, reply: reply)
    case .announce(let announcement, let reply):
      announce(announcement, reply: reply)
    case .stop(let reason):
      guard stopping == nil else { return }
      stopping = reason
      settings.notifier?.notify("STOPPING=1")
      if let onAir {
        onAir.handle.interrupt(reason: reason)
        self.onAir?.interruption = reason
      }
    }
  }

  private func handlePlayback(_ event: PlaybackEvent) {
    guard var current = onAir else { return }
    defer { if onAir != nil { onAir = current } }
    switch event {
    case .started(let at):
      current.startedAt = at
      let late = at.timeIntervalSince(current.airing.start) * 1000
      say("on air: \(describe(current.airing)), \(String(format: "%+.1f", late)) ms")
      codeToRelease = settings.releaseUnusedCode
    case .itemStarted(_, let inserted, let at):
      let (id, position) = current.position(inserted: inserted)
      if let id {
        logging("logging an item") { try $0.itemStarted(airing: id, position: position, at: at) }
      }
    case .itemEnded(let played):
      let (id, position) = current.position(inserted: played.inserted)
      if let id {
        logging("logging an item") {
          try $0.itemEnded(
            airing: id, position: position, Outcome(played, sampleRate: station.sampleRate))
        }
      }
      if case .failed(let reason) = played.status {
        say("skipped an item: \(reason)")
        noteError("skipped an item: \(reason)")
      }
      if let entered = current.itemEnded(played) { finishEntered(entered, status: nil) }
    case .deviceFailed(let error):
      say("device error: \(error); trying again for up to \(station.catchUp.shortDescription)")
      deviceError = "\(error)"
      noteError("device error: \(error)")
    case .deviceRecovered:
      say("the device is back")
      deviceError = nil
    case .finished(let report):
      finish(current, report)
      onAir = nil
      codeToRelease = settings.releaseUnusedCode
    }
  }

  private func finish(_ current: OnAir, _ report: PlaybackReport) {
    lastEnd = report.items.last?.endedAt ?? clock.now()
    // Entered airings that never got their turn start on their own.
    for entered in current.entered where !entered.isDone {
      if entered.items.isEmpty, stopping == nil {
        requeued.append((entered.airing, entered.logID))
      } else {
        finishEntered(entered, status: report.status)
      }
    }
    // Interrupted by an emergency before its first frame: it starts again
    // after it, under the same row.
    if report.firstFrameAt == nil, current.interruption != nil, !current.byOperator,
      stopping == nil
    {
      requeued.append((current.airing, current.logID))
      say("postponed: \(describe(current.airing)): \(current.interruption ?? "")")
      return
    }
    ended += 1
    if let id = current.logID {
      let frames = report.items.filter { !$0.inserted }.reduce(0) { $0 + $1.frames }
      logging("logging the end") {
        try $0.finish(
          airing: id,
          Outcome(
            report.status, startedAt: report.firstFrameAt, endedAt: lastEnd ?? clock.now(),
            frames: frames, sampleRate: station.sampleRate),
          lateMilliseconds: report.lateness.map { Int(($0.seconds * 1000).rounded()) },
          xruns: report.underruns)
      }
    }
    switch report.status {
    case .completed: say("ended: \(describe(current.airing))")
    case .interrupted(let reason): say("interrupted: \(describe(current.airing)): \(reason)")
    case .failed(let reason):
      say("failed: \(describe(current.airing)): \(reason)")
      noteError("failed: \(describe(current.airing)): \(reason)")
    }
  }

  /// Closes a priority airing that entered another: by its items, or with
  /// the status of the airing it was in when that ended first.
  private func finishEntered(_ entered: OnAir.Entered, status: PlayStatus?) {
    guard let id = entered.logID else { return }
    let failure = entered.items.first { $0.status != .completed }?.status
    let overall = status.flatMap { $0 == .completed ? nil : $0 } ?? failure ?? .completed
    let frames = entered.items.reduce(0) { $0 + $1.frames }
    let startedAt = entered.items.first(where: { $0.frames > 0 })?.startedAt
    logging("logging the end") {
      try $0.finish(
        airing: id,
        Outcome(
          overall, startedAt: startedAt, endedAt: entered.items.last?.endedAt ?? clock.now(),
          frames: frames, sampleRate: station.sampleRate),
        lateMilliseconds: startedAt.map {
          Int(($0.timeIntervalSince(entered.airing.start) * 1000).rounded())
        },
        xruns: 0)
    }
  }

  // MARK: Reloading

  private func startLoading() {
    guard !loading else {
      // One is under way; load once more after it, to see the latest.
      reloadAt = clock.now() + settings.settle.seconds
      return
    }
    loading = true
    // `loa reload` is answered by a load that began after it asked.
    reloadReplies += queuedReloadReplies
    queuedReloadReplies = []
    say("reloading the schedule (\(reloadReason))")
    settings.notifier?.notify(
      "RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
    if settings.loadInBackground {
      let (load, mailbox) = (load, mailbox)
      let thread = Thread { mailbox.post(.loaded(load())) }
      thread.name = "loa-loader"
      thread.start()
    } else {
      handle(.loaded(load()))
    }
  }

  /// Takes a newly loaded schedule if it is valid; the airing on air plays
  /// on as it was.
  private func swap(in loaded: LoadedSchedule) {
    guard let planner = try? Planner(loaded: loaded) else {
      let errors = loaded.diagnostics.filter { $0.severity == .error }
      say(
        "the new schedule is refused (\(errors.count) error\(errors.count == 1 ? "" : "s")); "
          + "keeping the one loaded at \(self.planner.clock.iso(loadedAt)):")
      for error in errors { say("  \(error)") }
      noteError("the new schedule is refused: \(errors.first.map(String.init(describing:)) ?? "")")
      settings.notifier?.notify("READY=1")
      answerReloads(
        .failure(
          .scheduleRefused,
          "the new schedule is refused; keeping the one loaded at "
            + planner.clock.iso(loadedAt), errors: errors.map(String.init(describing:))))
      return
    }
    if planner.schedule.station.amplifier != station.amplifier {
      // Off with the commands it was switched on with; on again with the new.
      if amplifierOn { switchAmplifier(on: false) }
      amplifier = planner.schedule.station.amplifier.flatMap { makeAmplifier?($0) }
    }
    previouslyPlanned = Set(horizon.map(AiringKey.init))
    self.planner = planner
    audio = AiringAudio(
      loaded: loaded, station: planner.schedule.station, measurements: measurements)
    loadedAt = clock.now()
    plannedDay = nil
    say("reloaded: \(describeSchedule())")
    settings.notifier?.notify("READY=1\nSTATUS=\(describeSchedule())")
    answerReloads(ControlAnswer(ok: true, schedule: scheduleStatus()))
  }

  // MARK: Clock steps

  /// A wall clock that moved more (or less) than the never-stepped clock
  /// was set: airings skipped over by a step forward are missed with that
  /// reason (or start late within catch-up); after a step back, the log
  /// keeps what already aired from playing again.
  private func noticeClockStep(_ now: Date) {
    let elapsed = clock.elapsed()
    let expected = lastTick.wall + (elapsed - lastTick.elapsed).seconds
    lastTick = (now, elapsed)
    let step = now.timeIntervalSince(expected)
    guard abs(step) >= 1 else { return }
    let direction = step > 0 ? "forward" : "back"
    say(
      "the clock was set \(direction) by \(durationText(abs(step))), "
        + "from \(planner.clock.iso(expected)) to \(planner.clock.iso(now))")
    plannedDay = nil
    if step > 0 {
      replan(now)
      missSpan(
        from: expected, to: now,
        reason: "the clock was set forward from \(planner.clock.iso(expected)) to "
          + planner.clock.iso(now))
    } else {
      // What is due again on the wall clock, and not yet in the log, plays.
      earliest = min(earliest, now - station.catchUp.seconds)
    }
  }

  // MARK: Amplifier

  private func updateAmplifier(_ now: Date) {
    guard let settings = station.amplifier, amplifier != nil else { return }
    let soon = pending.first { $0.start + station.catchUp.seconds >= now }
    let wanted =
      onAir != nil || soon.map { $0.start - settings.warmup.seconds <= now } == true
      || lastEnd.map { now < $0 + settings.cooldown.seconds } == true
    if wanted != amplifierOn { switchAmplifier(on: wanted) }
  }

  private func switchAmplifier(on: Bool) {
    amplifierOn = on
    amplifier?.set(on: on)
  }

  // MARK: Helpers

  /// A message for the operator, with the station's time.
  func say(_ text: String) {
    output("\(planner.clock.time(clock.now())) \(text)")
  }

  @discardableResult
  private func logging<T>(_ what: String, _ body: (AiringLog) throws -> T) -> T? {
    guard let log else { return nil }
    do {
      return try body(log)
    } catch {
      say("the airing log: \(what): \(error)")
      noteError("the airing log: \(what): \(error)")
      return nil
    }
  }

  func describe(_ airing: PlannedAiring) -> String {
    "\(airing.id) «\(airing.title)» due \(planner.clock.iso(airing.start))"
  }

  func describeSchedule() -> String {
    let schedule = planner.schedule
    return "\(schedule.station.name): \(schedule.programs.count) programs, "
      + "\(schedule.campaigns.count) campaigns, \(schedule.announcements.count) announcements"
  }

  private func durationText(_ seconds: Double) -> String {
    Duration.seconds(Int64(seconds.rounded())).shortDescription
  }
}

/// A planned airing by what the log keys it on: program and planned start.
struct AiringKey: Hashable {
  let program: String
  /// Whole seconds since 1970.
  let start: Int64

  init(program: String, start: Date) {
    self.program = program
    self.start = Int64(start.timeIntervalSince1970.rounded())
  }

  init(_ airing: PlannedAiring) {
    self.init(program: airing.id, start: airing.start)
  }
}

/// The airing on air, and the priority airings that entered it.
struct OnAir {
  /// Which playback this is, to tell its events from a late one's.
  let token: Int
  let airing: PlannedAiring
  let logID: Int64?
  let handle: any PlayingAiring
  var interruption: String?
  /// Stopped by `loa stop`: it does not start again.
  var byOperator = false
  /// When its first frame went out.
  var startedAt: Date?
  /// The next of the airing's own items to end.
  var position = 0
  var entered: [Entered] = []

  struct Entered {
    let airing: PlannedAiring
    let logID: Int64?
    let count: Int
    var items: [PlayedItem] = []
    var isDone: Bool { items.count == count }
  }

  /// The log row and position of the item now playing.
  func position(inserted: Bool) -> (Int64?, Int) {
    guard inserted else { return (logID, position) }
    guard let entered = entered.first(where: { !$0.isDone }) else { return (nil, 0) }
    return (entered.logID, entered.items.count)
  }

  /// Counts an item that ended; returns the entered airing it completed.
  mutating func itemEnded(_ played: PlayedItem) -> Entered? {
    guard played.inserted else {
      position += 1
      return nil
    }
    guard let index = entered.firstIndex(where: { !$0.isDone }) else { return nil }
    entered[index].items.append(played)
    return entered[index].isDone ? entered[index] : nil
  }
}
