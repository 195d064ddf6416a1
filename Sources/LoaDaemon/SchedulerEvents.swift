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
    /// An announcement's file found where the daemon may read it
    /// (`Action.find`): the request is accepted, or recognized as a retry.
    case found(RequestID, AnnouncementRequest, FoundAudio)
    /// An accepted announcement's file measured (`Action.measure`).
    case measured(PreparedAnnouncement)
    /// An accepted announcement that cannot air, by its id, and why.
    case measureFailed(String, String)
    /// Load the schedule again; the text says why (SIGHUP, a file changed).
    case reload(String)
    /// A schedule loaded (`Action.load`), valid or not, by the load's
    /// number (0: whichever is under way).
    case loaded(LoadedSchedule, load: Int = 0)
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
    /// Load the schedule again, off the loop, as load number so
    /// (`Event.loaded`), on a thread of its own: one that never ends
    /// cannot hold up the next.
    case load(Int)
    /// Find an announcement's file inside `folders` at once, without
    /// decoding it (`Event.found`), or answer why not.
    case find(RequestID, AnnouncementRequest, folders: [String])
    /// Measure an accepted announcement's file off the loop
    /// (`Event.measured` or `Event.measureFailed`).
    case measure(PreparedAnnouncement, channels: Int)
    /// Delete these files from the spool: their announcements have aired,
    /// or cannot.
    case removeFromSpool([String])
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

/// An operator's announcement whose file has been measured (or, before
/// `Action.measure`, is to be: `duration` zero).
public struct PreparedAnnouncement: Sendable {
  let title: String
  let path: String
  var duration: Duration
  let times: Int
  let gap: Duration
  let priority: Priority
  /// The id it was accepted under, which it airs and is logged as.
  var id: String?

  public init(
    title: String, path: String, duration: Duration, times: Int, gap: Duration,
    priority: Priority, id: String? = nil
  ) {
    self.title = title
    self.path = path
    self.duration = duration
    self.times = times
    self.gap = gap
    self.priority = priority
    self.id = id
  }
}

/// An announcement's file, found where the daemon may read it.
public struct FoundAudio: Sendable, Equatable {
  /// Its real path.
  public let path: String
  /// What tells a retry of the same file: its path, with its size and
  /// modification time outside the spool (a spool copy is named by its
  /// content).
  public let identity: String
  /// A copy in the spool, deleted once its announcement has aired.
  public let isSpooled: Bool
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
