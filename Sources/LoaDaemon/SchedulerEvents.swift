import Foundation
import LoaAudio
import LoaControl
import LoaLog
import LoaPlanner
import LoaPlayout
import LoaSchedule

extension Scheduler {
  /// Which control request an answer is for; the runner keeps where it goes.
  public typealias RequestID = Int

  /// What happened: the scheduler's only input, with the time it is.
  public enum Event: Sendable {
    /// The daemon starts: the outage before it, as the log closed it.
    case start(lastOutage: Outage?)
    /// Time reached: whatever is due now (airings to arm, let in or miss,
    /// the heartbeat, a reload, the amplifier).
    case tick
    /// What the log holds for the days just planned (`Action.readLog`),
    /// as program and planned start.
    case logRead([AiringKey])
    /// The wall clock was stepped: it was expected to read `expected`.
    case clockStepped(expected: Date)
    /// Something happened to the playback numbered so (`Action.start`).
    case playback(Int, PlaybackEvent)
    /// A request on the control socket.
    case control(RequestID, ControlRequest)
    /// An announcement asked for (`Action.measure`), its file measured.
    case announcement(RequestID, PreparedAnnouncement)
    /// Load the schedule again; the text says why (SIGHUP, a file changed).
    case reload(String)
    /// A schedule loaded (`Action.load`), valid or not.
    case loaded(LoadedSchedule)
    /// A write to the log failed; the text says which and why.
    case logFailed(String)
    /// Writes to the log wait for the disk (`AiringRecorder`); nil once
    /// all are written.
    case logTrouble(LogTrouble?)
    /// End the airing on air cleanly and stop; the text says why.
    case stop(String)
  }

  /// What the scheduler decided: the runner carries these out, in order.
  public enum Action: Sendable {
    /// A message for the operator, with the station's time.
    case say(String)
    case log(LogWrite)
    /// Read the log's airings from `from` until `to`, and answer with
    /// `Event.logRead` before anything else.
    case readLog(from: Date, to: Date)
    /// Play `airing` as playback `token` (at its start, or now when past),
    /// after writing its first row unless `isLogged`.
    case start(token: Int, PlannedAiring, record: AiringRecordID, isLogged: Bool)
    /// Write `airing`'s first row, and insert it into playback `token` at
    /// its next item boundary.
    case insert(token: Int, PlannedAiring, record: AiringRecordID)
    case interrupt(token: Int, reason: String)
    /// Log `airing` missed: it never began.
    case miss(PlannedAiring, reason: String)
    case amplifier(on: Bool)
    /// Take this schedule's audio and amplifier from now on.
    case adopt(LoadedSchedule)
    /// Load the schedule again, off the loop (`Event.loaded`).
    case load
    /// Measure an announcement's file, found inside `folders`, off the
    /// loop (`Event.announcement`), or answer why not.
    case measure(RequestID, AnnouncementRequest, folders: [String], channels: Int)
    case reply(RequestID, ControlAnswer)
    /// Tell systemd.
    case notify(ServiceState)
    /// One-off work was done (planning, an airing's start or end): its code
    /// may be given back once the loop has a moment.
    case releaseUnusedCode
  }
}

/// What systemd is told of the service (sd_notify(3)).
public enum ServiceState: Sendable, Equatable {
  /// Started, or done reloading; with a status line for `systemctl status`.
  case ready(status: String?)
  case reloading
  case stopping
  /// A new status line for `systemctl status`.
  case status(String)
}

/// A planned airing by what the log keys it on: program and planned start.
public struct AiringKey: Hashable, Sendable {
  public let program: String
  /// Whole seconds since 1970.
  public let start: Int64

  public init(program: String, start: Date) {
    self.program = program
    self.start = Int64(start.timeIntervalSince1970.rounded())
  }

  public init(_ airing: PlannedAiring) {
    self.init(program: airing.id, start: airing.start)
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

  public init(
    title: String, path: String, duration: Duration, times: Int, gap: Duration,
    priority: Priority
  ) {
    self.title = title
    self.path = path
    self.duration = duration
    self.times = times
    self.gap = gap
    self.priority = priority
  }
}

/// The airing on air, and the priority airings that entered it.
struct OnAir: Sendable {
  /// Which playback this is, to tell its events from a late one's.
  let token: Int
  let airing: PlannedAiring
  /// Its items' rows, and those of the airings that entered it.
  var ledger: PlayoutLedger
  /// The airings that entered, by their records.
  var entered: [AiringRecordID: PlannedAiring] = [:]
  var interruption: String?
  /// Stopped by `loa stop`: it does not start again.
  var byOperator = false
  /// When its first frame went out.
  var startedAt: Date?
}
