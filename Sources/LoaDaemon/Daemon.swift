import Foundation
import LoaAudio
import LoaControl
import LoaLog
import LoaPlanner
import LoaPlayout
import LoaSchedule

/// How the daemon runs, beside what the schedule says.
public struct DaemonSettings: Sendable {
  /// What the decisions depend on: the output, the lead, the heartbeat,
  /// when to stop, the spool.
  public var scheduling = Scheduler.Settings()
  /// Load schedules on threads of their own and measure announcements on
  /// the worker's (measuring new audio can take seconds); tests with a
  /// simulated clock do it in line.
  public var loadInBackground = true
  /// Give back the code pages that one-off work used (starting up,
  /// planning, loading a schedule, starting or ending an airing) once it is
  /// done, so that what stays resident is what the daemon keeps running
  /// (`ResidentMemory`).
  public var releaseUnusedCode = false
  /// systemd's notification socket: READY, RELOADING, STOPPING, WATCHDOG.
  public var notifier: SystemdNotifier?

  public init() {}
}

/// The station daemon: the runner of the `Scheduler`'s decisions. It
/// turns what happens (the clock reaching a deadline, the player's and the
/// operator's events, reloads, clock steps) into the scheduler's events,
/// and carries out the actions it returns: plays, logs through the
/// `AiringRecorder`, switches the amplifier, answers, tells systemd.
///
/// One thread runs the loop (`run`); other threads only post events to the
/// mailbox. Time comes from a `DaemonClock`, so that tests replay months on
/// a simulated one.
public final class Daemon {
  private let clock: any DaemonClock
  private let player: any AiringPlayer
  private let log: AiringLog?
  private let recorder: AiringRecorder
  private let makeAmplifier: (@Sendable (Amplifier) -> any AmplifierSwitch)?
  /// The switch for the schedule's `amplifier` section, and that section.
  private var amplifier: (any AmplifierSwitch)?
  private var amplifierSection: Amplifier?
  private let settings: DaemonSettings
  private let load: @Sendable () -> LoadedSchedule
  private let measurements: AudioMeasurements
  private let output: @Sendable (String) -> Void
  public let mailbox = Mailbox()
  /// Announcements' measurements, off the loop.
  let worker = Worker(name: "loa-worker")

  private(set) var scheduler: Scheduler
  private var audio: AiringAudio
  /// The playbacks under way, by the scheduler's numbers.
  private var playing: [Int: any PlayingAiring] = [:]
  /// Where the answers to control requests go, by the scheduler's numbers.
  private var replies: [Scheduler.RequestID: ControlReply] = [:]
  private var requests = 0
  private var lastTick: (wall: Date, elapsed: Duration)
  private var lastPet: ContinuousClock.Instant?
  /// Code was touched once that is not needed again soon (see
  /// `DaemonSettings.releaseUnusedCode`).
  private var codeToRelease = false

  /// - Parameters:
  ///   - loaded: the valid schedule to start with.
  ///   - load: loads the schedule again, for a reload.
  ///   - amplifier: makes the switch for a schedule's `amplifier` section.
  ///   - logToOpen: the state folder whose log could not be opened, and
  ///     why: it is opened again every second, the airings' rows waiting.
  ///   - say: where the daemon's messages go (its standard error).
  public init(
    loaded: LoadedSchedule, load: @escaping @Sendable () -> LoadedSchedule,
    measurements: AudioMeasurements, log: AiringLog?,
    logToOpen: (folder: String, error: any Error)? = nil, clock: any DaemonClock,
    player: any AiringPlayer = ALSAPlayer(),
    amplifier: (@Sendable (Amplifier) -> any AmplifierSwitch)? = nil,
    settings: DaemonSettings = DaemonSettings(), say: @escaping @Sendable (String) -> Void
  ) throws {
    var scheduling = settings.scheduling
    scheduling.switchesAmplifier = amplifier != nil
    scheduling.pid = getpid()
    let now = clock.now()
    scheduler = try Scheduler(loaded: loaded, settings: scheduling, now: now)
    let station = scheduler.station
    audio = AiringAudio(loaded: loaded, station: station, measurements: measurements)
    self.load = load
    self.measurements = measurements
    self.log = log
    let mailbox = mailbox
    let failed: @Sendable (String) -> Void = { mailbox.post(.logFailed($0)) }
    let onTrouble: @Sendable (LogTrouble?) -> Void = { mailbox.post(.logTrouble($0)) }
    if let log {
      let reserve = DiskReserve(folder: (log.path as NSString).deletingLastPathComponent)
      recorder = AiringRecorder(
        log: log, reserve: reserve, failed: failed, onTrouble: onTrouble)
    } else if let (folder, error) = logToOpen {
      recorder = AiringRecorder(
        opening: { try AiringLog.openForWriting(folder: folder, now: clock.now()) },
        failedWith: error,
        reading: {
          AiringLog.exists(folder: folder) ? try AiringLog.openForReading(folder: folder) : nil
        }, reserve: DiskReserve(folder: folder), failed: failed,
        onTrouble: onTrouble)
    } else {
      recorder = AiringRecorder(log: nil, failed: failed)
    }
    self.clock = clock
    self.player = player
    makeAmplifier = amplifier
    amplifierSection = station.amplifier
    self.amplifier = station.amplifier.flatMap { amplifier?($0) }
    self.settings = settings
    self.output = say
    lastTick = (now, clock.elapsed())
  }

  // MARK: The loop

  /// Runs until stopped (a `.stop` event, or `stopAfter` airings), and
  /// returns once the airing on air has ended and been logged. With
  /// `until`, returns when the clock reaches it, whatever is playing, as
  /// if the process had died then (for tests).
  public func run(until end: Date? = nil) {
    defer {
      worker.finish()
      recorder.flush()
      let lost = recorder.waiting
      if lost > 0 {
        output(
          "error: the airing log: \(lost) write\(lost == 1 ? "" : "s") still waited for the disk "
            + "when loa stopped, and are lost")
      }
    }
    let outage = log?.outagesClosed.min { $0.from < $1.from }
    send(.start(lastOutage: outage))
    var ready = false
    while true {
      let now = clock.now()
      if let end, now >= end { return }
      noticeClockStep(now)
      for event in mailbox.take() { handle(event) }
      if scheduler.isFinished { break }
      send(.tick)
      if !ready {
        // The plan is made: systemd may count the service as started.
        ready = true
        notify(.ready(status: scheduler.scheduleDescription))
      }
      petWatchdog()
      var deadline = scheduler.deadline(after: clock.now())
      if let end { deadline = min(deadline, end) }
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
    perform(scheduler.finish(at: clock.now()))
    amplifier?.finish()
  }

  /// Tells systemd's watchdog the loop is turning: only from here, so
  /// that a loop stuck anywhere stops the pings and systemd restarts it;
  /// nor while the log's writer is stuck, though the loop turns.
  private func petWatchdog() {
    guard let notifier = settings.notifier, let interval = notifier.watchdogInterval,
      !recorder.isStuck(longerThan: interval)
    else {
      return
    }
    let now = ContinuousClock.now
    if let lastPet, now - lastPet < interval { return }
    lastPet = now
    notifier.notify("WATCHDOG=1")
  }

  /// A wall clock that moved more (or less) than the never-stepped clock
  /// was set.
  private func noticeClockStep(_ now: Date) {
    let elapsed = clock.elapsed()
    let expected = lastTick.wall + (elapsed - lastTick.elapsed).seconds
    lastTick = (now, elapsed)
    guard abs(now.timeIntervalSince(expected)) >= 1 else { return }
    send(.clockStepped(expected: expected), at: now)
  }

  // MARK: Events in

  private func handle(_ event: DaemonEvent) {
    switch event {
    case .playback(let token, let event):
      send(.playback(token, event))
      if case .finished = event { playing[token] = nil }
    case .reload(let reason): send(.reload(reason))
    case .loaded(let loaded, let number): send(.loaded(loaded, load: number))
    case .stop(let reason): send(.stop(reason))
    case .control(let request, let reply): send(.control(register(reply), request))
    case .measured(let announcement): send(.measured(announcement))
    case .measureFailed(let id, let reason): send(.measureFailed(id, reason))
    case .logFailed(let text): send(.logFailed(text))
    case .logTrouble(let trouble): send(.logTrouble(trouble))
    }
  }

  private func send(_ event: Scheduler.Event, at now: Date? = nil) {
    perform(scheduler.handle(event, at: now ?? clock.now()))
  }

  private func register(_ reply: ControlReply) -> Scheduler.RequestID {
    requests += 1
    replies[requests] = reply
    return requests
  }

  // MARK: Actions out

  private func perform(_ actions: [Scheduler.Action]) {
    for action in actions { perform(action) }
  }

  private func perform(_ action: Scheduler.Action) {
    switch action {
    case .say(let text):
      output(text)
    case .log(let write):
      recorder.write([write])
    case .readLog(let from, let to):
      let logged = recorder.read("reading") { try $0.airings(.init(from: from, to: to)) } ?? []
      send(
        .logRead(
          logged.compactMap { airing in
            airing.program.flatMap { program in
              airing.plannedStart.map { AiringKey(program: program, start: $0) }
            }
          }))
    case .start(let token, let airing, let record, let isLogged):
      let (entry, items) = audio.prepare(airing, device: scheduler.device)
      if !isLogged { recorder.writeAndWait([.begin(record, entry)]) }
      let station = scheduler.station
      let mailbox = mailbox
      playing[token] = player.play(
        items, at: airing.start,
        settings: PlayerSettings(
          device: scheduler.device, sampleRate: station.sampleRate, channels: station.channels,
          catchUp: station.catchUp, clockOffset: clock.offset)
      ) { mailbox.post(.playback(token, $0)) }
    case .insert(let token, let airing, let record):
      let (entry, items) = audio.prepare(airing, device: scheduler.device)
      recorder.writeAndWait([.begin(record, entry)])
      playing[token]?.insert(items)
    case .interrupt(let token, let reason):
      playing[token]?.interrupt(reason: reason)
    case .miss(let airing, let reason):
      let entry = audio.prepare(airing, device: scheduler.device).entry
      recorder.write([.missed(entry, reason: reason)])
    case .amplifier(let on):
      amplifier?.set(on: on)
    case .adopt(let loaded):
      adopt(loaded)
    case .load(let number):
      let (load, mailbox) = (load, mailbox)
      if settings.loadInBackground {
        // A thread per load, apart from the announcements' worker: a load
        // stuck on a file holds up neither them nor the next load.
        let thread = Thread { mailbox.post(.loaded(load(), number)) }
        thread.name = "loa-load-\(number)"
        thread.start()
      } else {
        // In line, but handled as a load from a thread is: next turn.
        mailbox.post(.loaded(load(), number))
      }
    case .find(let id, let request, let folders):
      switch find(request, folders: folders) {
      case .success(let audio): send(.found(id, request, audio))
      case .failure(let error): replies.removeValue(forKey: id)?(.failure(error))
      }
    case .measure(let announcement, let channels):
      measure(announcement, channels: channels)
    case .removeFromSpool(let paths):
      for path in paths { unlink(path) }
    case .reply(let id, let answer):
      replies.removeValue(forKey: id)?(answer)
    case .notify(let state):
      notify(state)
    case .releaseUnusedCode:
      if settings.releaseUnusedCode { codeToRelease = true }
    }
  }

  /// The audio and amplifier of a schedule newly loaded.
  private func adopt(_ loaded: LoadedSchedule) {
    let station = scheduler.station
    audio = AiringAudio(loaded: loaded, station: station, measurements: measurements)
    if station.amplifier != amplifierSection {
      amplifierSection = station.amplifier
      amplifier = station.amplifier.flatMap { makeAmplifier?($0) }
    }
  }

  /// Finds an announcement's file where the daemon may read it, on the
  /// loop: only `realpath` and `stat`, nothing that opens the file, so the
  /// operator is answered at once.
  private func find(_ request: AnnouncementRequest, folders: [String]) -> Result<
    FoundAudio, ControlError
  > {
    guard let path = RealPath.of(request.file, inside: folders) else {
      return .failure(
        ControlError(
          .outsideAudioFolders,
          "\(request.file) is not inside the audio folder (\(folders[0])) or the spool "
            + "(\(folders.dropFirst().first ?? "none")); loa announce copies other files to "
            + "the spool"))
    }
    // Opening a FIFO would block until someone writes to it.
    var info = stat()
    guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
      return .failure(
        ControlError(
          .unreadableAudio,
          "\(request.file) is not a regular file (a FIFO, a device or a folder); "
            + "announce an audio file"))
    }
    let spooled = folders.dropFirst().contains { RealPath.of(path, inside: [$0]) != nil }
    let identity =
      spooled ? path : "\(path)|\(info.st_size)|\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    return .success(FoundAudio(path: path, identity: identity, isSpooled: spooled))
  }

  /// Measures an accepted announcement's file on the worker, and posts it
  /// back measured, or why it cannot air.
  private func measure(_ announcement: PreparedAnnouncement, channels: Int) {
    let (measurements, mailbox) = (measurements, mailbox)
    let job: @Sendable () -> Void = {
      do {
        var measured = announcement
        measured.duration = try measurements.measurement(of: announcement.path, channels: channels)
          .duration
        mailbox.post(.measured(measured))
      } catch {
        mailbox.post(.measureFailed(announcement.id ?? "", "\(error)"))
      }
    }
    guard settings.loadInBackground else { return job() }
    if !worker.submit(job) {
      mailbox.post(
        .measureFailed(
          announcement.id ?? "",
          "the daemon is busy measuring \(worker.capacity) announcements; try again"))
    }
  }

  private func notify(_ state: ServiceState) {
    guard let notifier = settings.notifier else { return }
    switch state {
    case .ready(let status):
      notifier.notify("READY=1" + (status.map { "\nSTATUS=\($0)" } ?? ""))
    case .reloading:
      notifier.notify(
        "RELOADING=1\nMONOTONIC_USEC=\(SystemdNotifier.monotonicMicroseconds())")
    case .stopping:
      notifier.notify("STOPPING=1")
    case .status(let text):
      notifier.notify("STATUS=\(text)")
    }
  }
}
