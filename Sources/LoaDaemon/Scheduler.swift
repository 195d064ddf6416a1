import Foundation
import LoaAudio
import LoaCalendar
import LoaControl
import LoaLog
import LoaPlanner
import LoaPlayout
import LoaSchedule

/// The station's decisions, apart from their effects: given what it knows,
/// an event and the time, what to do. Keeps the plan for the coming days,
/// starts each airing on time, lets priorities enter and interrupt
/// (PRODUCT §3.4), misses what cannot start, switches the amplifier, and
/// answers the operator; the runner (`Daemon`) plays, logs, notifies and
/// waits.
///
/// A value with no I/O, no threads and no clock of its own: tests feed it
/// events and read the actions (`SchedulerTests`).
public struct Scheduler: Sendable {
  /// How the station runs, beside what the schedule says.
  public struct Settings: Sendable {
    /// The ALSA PCM to play to instead of the schedule's `station.output`.
    public var output: String?
    /// How long before its start an airing's device is opened and filled.
    public var lead: Duration = .seconds(2)
    /// How often the daemon marks itself alive in the log.
    public var heartbeat: Duration = .seconds(60)
    /// How often while an airing is on air: after a crash, the log tells
    /// how long it was heard to within this.
    public var heartbeatOnAir: Duration = .seconds(1)
    /// Wait this long after a schedule file changes before reloading, so
    /// that an editor's several writes make one reload.
    public var settle: Duration = .milliseconds(300)
    /// Stop once this many airings have ended; nil: never.
    public var stopAfter: Int?
    /// Where `loa announce` copies files from outside `audio_dir`; the
    /// daemon plays announcements from there or from `audio_dir`, nowhere
    /// else.
    public var spool: String?
    /// How long a repeated `loa announce` of the same file, priority,
    /// times and gap is taken for a retry of the first, and airs once.
    public var retryWindow: Duration = .seconds(600)
    /// How long a load may run before a reload asked for after it starts
    /// another beside it (whose result is then the one taken): a load
    /// stuck on a file cannot keep the next schedule out.
    public var loadPatience: Duration = .seconds(60)
    /// The schedule as given (a file or folder), for `loa status`.
    public var schedulePath: String?
    /// There is a switch for the schedule's amplifier section.
    public var switchesAmplifier = true
    /// The process, for `loa status`.
    public var pid: Int32 = 0

    public init() {}
  }

  let settings: Settings
  var planner: Planner
  var loadedAt: Date
  let runningSince: Date
  /// Airings the plan held before the last reload: one the reload added
  /// after its time is missed for that reason.
  var previouslyPlanned: Set<AiringKey>?
  /// Airings from yesterday through tomorrow, in start order.
  var horizon: [PlannedAiring] = []
  var plannedDay: CivilDate?
  /// Airings the log has a row for, or that have been dealt with.
  var handled: Set<AiringKey> = []
  /// Airings due before this were the business of an earlier run.
  var earliest: Date
  var onAir: OnAir?
  /// Airings logged as begun that never played a frame (an emergency came
  /// first, or the airing they entered ended before their turn): they start
  /// on their own, under the same row, once nothing is on air.
  var requeued: [(airing: PlannedAiring, record: AiringRecordID)] = []
  /// Playbacks and log records made so far, to number the next.
  var playbacks = 0
  var records = 0
  var ended = 0
  var lastEnd: Date?
  var amplifierOn = false
  var nextBeat: Date
  var lastBeat: Date?
  var reloadAt: Date?
  var reloadReason = ""
  /// When the load under way began, and loads begun so far.
  var loadingSince: Date?
  var loads = 0
  var stopping: String?
  /// A tick stopped to read the log (`Action.readLog`), and goes on once
  /// it is read.
  var tickAwaitsLog = false
  /// Spans without the daemon (the outage before this run, a clock set
  /// forward): what fell due in them is missed once the log is read, so
  /// that what it already holds is not.
  var toMiss: [(from: Date, to: Date, reason: String)] = []
  /// Why airings due in a span of time could not start: the outage before
  /// this run, the clock set forward.
  var gaps: [(from: Date, to: Date, reason: String)] = []
  /// Announcements the operator made (`loa announce`), until dealt with.
  var adHoc: [PlannedAiring] = []
  /// `loa reload` requests waiting for the schedule being loaded, and for
  /// the next load.
  var reloadRequests: [RequestID] = []
  var queuedReloadRequests: [RequestID] = []
  /// Announcements made so far, to name each one apart.
  var announcements = 0
  /// Announcements accepted whose files are being measured, by id.
  var measuring: [String: (announcement: PreparedAnnouncement, acceptedAt: Date)] = [:]
  /// Announcements accepted lately, by what they asked for: a retry of one
  /// within `Settings.retryWindow` is answered with its id and not aired again.
  var accepted: [String: (id: String, at: Date)] = [:]
  /// Files in the spool that accepted announcements play, until they end.
  var spooled: Set<String> = []
  var deviceError: String?
  /// Writes to the log wait for the disk, while they do.
  var logTrouble: LogTrouble?
  var lastError: (at: Date, text: String)?

  /// Starts with a valid schedule at `now`.
  public init(loaded: LoadedSchedule, settings: Settings = Settings(), now: Date) throws {
    planner = try Planner(loaded: loaded)
    self.settings = settings
    loadedAt = now
    runningSince = now
    nextBeat = now
    earliest = now - planner.schedule.station.catchUp.seconds
  }

  var station: Station { planner.schedule.station }
  public var device: String { settings.output ?? station.output }

  /// Stopped, or done with the airings asked for, and nothing on air.
  public var isFinished: Bool {
    guard onAir == nil else { return false }
    if stopping != nil { return true }
    if let stopAfter = settings.stopAfter, ended >= stopAfter { return true }
    return false
  }

  /// The station and what its schedule holds, for messages and systemd.
  public var scheduleDescription: String {
    let schedule = planner.schedule
    return "\(schedule.station.name): \(Self.counted(schedule.programs.count, "program")), "
      + "\(Self.counted(schedule.campaigns.count, "campaign")), "
      + Self.counted(schedule.announcements.count, "announcement")
  }

  /// "1 program", "3 programs".
  static func counted(_ count: Int, _ noun: String) -> String {
    "\(count) \(noun)\(count == 1 ? "" : "s")"
  }

  // MARK: Events

  /// What to do about `event`, at `now`.
  public mutating func handle(_ event: Event, at now: Date) -> [Action] {
    var actions: [Action] = []
    switch event {
    case .start(let outage):
      if let outage { recordOutage(outage, endingAt: now, &actions) }
      say("\(scheduleDescription); playing to \(device)", now, &actions)
    case .tick:
      tick(now, &actions)
    case .logRead(let keys):
      handled.formUnion(keys)
      adHoc.removeAll { handled.contains(AiringKey($0)) }
      let spans = toMiss
      toMiss = []
      for span in spans {
        missSpan(from: span.from, to: span.to, reason: span.reason, now, &actions)
      }
      if tickAwaitsLog {
        tickAwaitsLog = false
        tick(now, &actions)
      }
    case .clockStepped(let expected):
      clockStepped(expected: expected, now, &actions)
    case .playback(let token, let event):
      guard onAir?.token == token else { break }
      playback(event, now, &actions)
    case .control(let id, let request):
      control(request, id, now, &actions)
    case .found(let id, let request, let audio):
      accept(request, audio, id, now, &actions)
    case .measured(let announcement):
      measured(announcement, now, &actions)
    case .measureFailed(let id, let reason):
      measureFailed(id, reason, now, &actions)
    case .reload(let reason):
      reloadReason = reason
      reloadAt = now + settings.settle.seconds
    case .loaded(let loaded, let load):
      // One given up on (see `Settings.loadPatience`) is ignored.
      guard load == 0 || load == loads else { break }
      loadingSince = nil
      swap(in: loaded, now, &actions)
    case .logFailed(let text):
      say(text, now, &actions)
      lastError = (now, text)
    case .logTrouble(let trouble):
      logTroubleChanged(to: trouble, now, &actions)
    case .stop(let reason):
      guard stopping == nil else { break }
      stopping = reason
      actions.append(.notify(.stopping))
      if let current = onAir {
        actions.append(.interrupt(token: current.token, reason: reason))
        onAir?.interruption = reason
      }
    }
    return actions
  }

  /// The last actions: the amplifier off, and why the daemon stopped.
  public mutating func finish(at now: Date) -> [Action] {
    var actions: [Action] = []
    if amplifierOn { switchAmplifier(on: false, &actions) }
    say("stopped: \(stopping ?? "\(ended) airing\(ended == 1 ? "" : "s") ended")", now, &actions)
    return actions
  }

  /// Everything due at `now`: the plan, the heartbeat, reloads, airings to
  /// miss, start or let in, and the amplifier.
  mutating func tick(_ now: Date, _ actions: inout [Action]) {
    if let reloadAt, now >= reloadAt {
      self.reloadAt = nil
      startLoading(now, &actions)
    }
    if planner.clock.day(of: now) != plannedDay {
      // The rest once the log says what it already holds (`.logRead`).
      tickAwaitsLog = true
      return replan(now, &actions)
    }
    if now >= nextBeat { beat(now, &actions) }
    missOverdue(now, &actions)
    if stopping == nil { startOrEnter(now, &actions) }
    updateAmplifier(now, &actions)
  }

  /// Marks the daemon alive in the log: every minute, when an airing is
  /// armed, once its first frame is out, and every second from then on.
  mutating func beat(_ now: Date, _ actions: inout [Action]) {
    if lastBeat != now { actions.append(.log(.heartbeat(now))) }
    lastBeat = now
    let onAir = onAir?.startedAt != nil
    nextBeat = now + (onAir ? settings.heartbeatOnAir : settings.heartbeat).seconds
  }

  /// When something next falls due, if no event comes first.
  public func deadline(after now: Date) -> Date {
    var deadline = min(
      nextBeat, planner.clock.start(of: planner.clock.day(of: now).adding(days: 1)))
    if let reloadAt { deadline = min(deadline, reloadAt) }
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

  // MARK: The log's disk

  /// Says when writes to the log begin to wait for the disk, when some are
  /// lost and when all are written, and keeps `loa status` and systemd's
  /// status line saying it while it lasts. What aired and waits to be
  /// written stays dealt with (`handled`): it does not play again.
  mutating func logTroubleChanged(
    to trouble: LogTrouble?, _ now: Date, _ actions: inout [Action]
  ) {
    let before = logTrouble
    logTrouble = trouble
    guard let trouble else {
      guard before != nil else { return }
      say("the airing log is written again: nothing waits for the disk", now, &actions)
      return actions.append(.notify(.status(scheduleDescription)))
    }
    let text = "the airing log: \(trouble)"
    lastError = (now, text)
    actions.append(.notify(.status(text)))
    if before == nil || before?.dropped != trouble.dropped
      || (before?.waiting == 0) != (trouble.waiting == 0)
    {
      say("error: \(text)", now, &actions)
    }
  }

  // MARK: Amplifier

  private mutating func updateAmplifier(_ now: Date, _ actions: inout [Action]) {
    guard let amplifier = station.amplifier, settings.switchesAmplifier else { return }
    let soon = pending.first { $0.start + station.catchUp.seconds >= now }
    let wanted =
      onAir != nil || soon.map { $0.start - amplifier.warmup.seconds <= now } == true
      || lastEnd.map { now < $0 + amplifier.cooldown.seconds } == true
    if wanted != amplifierOn { switchAmplifier(on: wanted, &actions) }
  }

  mutating func switchAmplifier(on: Bool, _ actions: inout [Action]) {
    amplifierOn = on
    actions.append(.amplifier(on: on))
  }

  // MARK: Words

  /// A message for the operator, with the station's time.
  func say(_ text: String, _ now: Date, _ actions: inout [Action]) {
    actions.append(.say("\(planner.clock.time(now)) \(text)"))
  }

  func describe(_ airing: PlannedAiring) -> String {
    "\(airing.id) «\(airing.title)» due \(planner.clock.iso(airing.start))"
  }

  func durationText(_ seconds: Double) -> String {
    Duration.seconds(Int64(seconds.rounded())).shortDescription
  }
}
