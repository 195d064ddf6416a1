import Foundation

/// An airing's priority as the protocol spells it.
public enum ControlPriority: String, Codable, Sendable, CaseIterable {
  case normal, priority, emergency
}

public struct ControlRequest: Codable, Sendable, Equatable {
  public enum Command: String, Codable, Sendable, CaseIterable {
    case status, announce, stop, reload
  }

  public var v: Int
  public var command: Command
  /// announce: the audio file, inside the station's `audio_dir` or the spool.
  public var file: String?
  /// announce: what the log and `loa status` call it (default: the file's name).
  public var title: String?
  /// announce: normal, priority (the default) or emergency.
  public var priority: ControlPriority?
  /// announce: how many times it plays (default 1), and the silence between.
  public var times: Int?
  public var gapS: Double?

  public init(
    _ command: Command, file: String? = nil, title: String? = nil,
    priority: ControlPriority? = nil, times: Int? = nil, gapS: Double? = nil
  ) {
    self.v = ControlProtocol.version
    self.command = command
    self.file = file
    self.title = title
    self.priority = priority
    self.times = times
    self.gapS = gapS
  }

  /// An `announce` request's values, checked and defaulted.
  public func announcement() -> Result<AnnouncementRequest, ControlError> {
    guard let file, !file.isEmpty else {
      return .failure(ControlError(.invalidArgument, "announce needs a file"))
    }
    let times = times ?? 1
    guard (1...100).contains(times) else {
      return .failure(
        ControlError(.invalidArgument, "times must be from 1 to 100, not \(times)"))
    }
    let gap = gapS ?? 0
    guard (0...3600).contains(gap) else {
      return .failure(
        ControlError(.invalidArgument, "the gap must be from 0 to 3600 seconds, not \(gap)"))
    }
    return .success(
      AnnouncementRequest(
        file: file, title: title ?? (file as NSString).lastPathComponent,
        priority: priority ?? .priority, times: times, gap: .milliseconds(Int64(gap * 1000))))
  }
}

/// What `announce` asks for, checked: the file is not yet measured nor
/// known to lie where the daemon may read.
public struct AnnouncementRequest: Sendable, Equatable {
  public var file: String
  public var title: String
  public var priority: ControlPriority
  public var times: Int
  public var gap: Duration

  public init(
    file: String, title: String, priority: ControlPriority, times: Int, gap: Duration
  ) {
    self.file = file
    self.title = title
    self.priority = priority
    self.times = times
    self.gap = gap
  }
}

public struct ControlAnswer: Codable, Sendable {
  public var v = ControlProtocol.version
  public var ok: Bool
  /// Why it failed, for programs; `error` says it for people.
  public var code: ControlError.Code?
  public var error: String?
  /// A refused schedule's errors, as `file:line:col: error: …`.
  public var errors: [String]?
  public var status: StationStatus?
  /// announce: the announcement, accepted; `program` is its id. Its
  /// `duration_s` is 0 while it is being measured (`loa status` lists it
  /// under `measuring` until then, and under `next` or `on_air` after).
  public var announced: AiringSummary?
  /// announce: true when the request repeats one accepted within the last
  /// ten minutes (same file, priority, times and gap): it is taken for a
  /// retry, answered with the first one's id, and airs once.
  public var repeated: Bool?
  /// stop: the airing that was stopped.
  public var stopped: AiringSummary?
  /// reload: the schedule now in use.
  public var schedule: ScheduleStatus?

  public init(
    ok: Bool, code: ControlError.Code? = nil, error: String? = nil, errors: [String]? = nil,
    status: StationStatus? = nil, announced: AiringSummary? = nil, repeated: Bool? = nil,
    stopped: AiringSummary? = nil, schedule: ScheduleStatus? = nil
  ) {
    self.ok = ok
    self.code = code
    self.error = error
    self.errors = errors
    self.status = status
    self.announced = announced
    self.repeated = repeated
    self.stopped = stopped
    self.schedule = schedule
  }

  public static func failure(_ error: ControlError, errors: [String]? = nil) -> ControlAnswer {
    ControlAnswer(ok: false, code: error.code, error: error.message, errors: errors)
  }

  public static func failure(
    _ code: ControlError.Code, _ message: String, errors: [String]? = nil
  ) -> ControlAnswer {
    failure(ControlError(code, message), errors: errors)
  }

  /// The daemon's refusal as an error, nil when it said yes.
  public var failure: ControlError? {
    guard !ok else { return nil }
    return ControlError(code ?? .system, error ?? "the daemon refused the request")
  }
}

/// An airing in an answer: times are ISO 8601 with the station's offset.
public struct AiringSummary: Codable, Sendable, Equatable {
  public enum Kind: String, Codable, Sendable {
    case program, announcement
  }

  public var kind: Kind
  public var program: String
  public var title: String
  public var priority: ControlPriority
  public var start: String
  public var durationS: Double

  public init(
    kind: Kind, program: String, title: String, priority: ControlPriority, start: String,
    durationS: Double
  ) {
    self.kind = kind
    self.program = program
    self.title = title
    self.priority = priority
    self.start = start
    self.durationS = durationS
  }
}

public struct OnAirStatus: Codable, Sendable {
  public var airing: AiringSummary
  public var startedAt: String?
  public var elapsedS: Double
  /// 1-based: the item playing now, of `items`.
  public var item: Int
  public var items: Int
  public var file: String?
  /// Announcements that entered and wait for the next item boundary.
  public var waiting: [AiringSummary]

  public init(
    airing: AiringSummary, startedAt: String?, elapsedS: Double, item: Int, items: Int,
    file: String?, waiting: [AiringSummary]
  ) {
    self.airing = airing
    self.startedAt = startedAt
    self.elapsedS = elapsedS
    self.item = item
    self.items = items
    self.file = file
    self.waiting = waiting
  }
}

public struct ScheduleStatus: Codable, Sendable {
  public var path: String
  public var files: [String]
  public var loadedAt: String
  public var audioDir: String

  public init(path: String, files: [String], loadedAt: String, audioDir: String) {
    self.path = path
    self.files = files
    self.loadedAt = loadedAt
    self.audioDir = audioDir
  }
}

public struct StationStatus: Codable, Sendable {
  public enum DeviceState: String, Codable, Sendable {
    case idle, playing, failing
  }

  public enum AmplifierState: String, Codable, Sendable {
    case on, off
    /// The schedule has no amplifier.
    case none
  }

  public var station: String
  public var now: String
  public var pid: Int32
  public var runningSince: String
  public var onAir: OnAirStatus?
  public var next: [AiringSummary]
  /// The ALSA PCM, and its state (with `deviceError` when failing).
  public var device: String
  public var deviceState: DeviceState
  public var deviceError: String?
  public var amplifier: AmplifierState
  public var lastError: String?
  public var lastErrorAt: String?
  public var schedule: ScheduleStatus
  /// Where `loa announce` copies a file from outside `audio_dir`.
  public var spool: String
  /// Announcements accepted and still being measured, oldest first (their
  /// `duration_s` is 0 until then). Absent from daemons before it.
  public var measuring: [AiringSummary]?
  /// Writes to the airing log wait for the disk (full), while they do.
  /// Added in version 1; absent when all is well.
  public var logTrouble: String?

  public init(
    station: String, now: String, pid: Int32, runningSince: String, onAir: OnAirStatus?,
    next: [AiringSummary], device: String, deviceState: DeviceState, deviceError: String?,
    amplifier: AmplifierState, lastError: String?, lastErrorAt: String?,
    schedule: ScheduleStatus, spool: String, measuring: [AiringSummary]? = nil,
    logTrouble: String? = nil
  ) {
    self.station = station
    self.now = now
    self.pid = pid
    self.runningSince = runningSince
    self.onAir = onAir
    self.next = next
    self.device = device
    self.deviceState = deviceState
    self.deviceError = deviceError
    self.amplifier = amplifier
    self.lastError = lastError
    self.lastErrorAt = lastErrorAt
    self.schedule = schedule
    self.spool = spool
    self.measuring = measuring
    self.logTrouble = logTrouble
  }
}
