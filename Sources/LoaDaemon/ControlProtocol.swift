import Foundation

/// The control protocol between `loa status/announce/stop/reload` and the
/// daemon, over a Unix stream socket: one JSON object per line each way, a
/// request and then its answer, as many as the client likes on one
/// connection. Every request and answer carries `"v": 1`; keys are
/// snake_case; keys may be added in a version, none renamed or removed.
///
/// Requests:
///
///     {"v":1,"command":"status"}
///     {"v":1,"command":"announce","file":"/var/lib/loa/spool/x.mp3",
///      "title":"x.mp3","priority":"emergency","times":3,"gap_s":30}
///     {"v":1,"command":"stop"}
///     {"v":1,"command":"reload"}
///
/// Answers: `{"v":1,"ok":true,…}`, with `status`, `announced`, `stopped` or
/// `schedule` as fits the request, or `{"v":1,"ok":false,"error":"…"}`
/// (and `errors`, one per line of a refused schedule). A line longer than
/// `maximumLine` bytes is answered with an error and the connection closed.
public enum ControlProtocol {
  public static let version = 1
  public static let maximumLine = 64 * 1024
  /// The socket's name in the daemon's runtime directory.
  public static let socketName = "control.sock"
  /// Where the operator's files are copied for `loa announce`.
  public static let spoolName = "spool"

  static let encoder: JSONEncoder = {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return encoder
  }()

  static let decoder: JSONDecoder = {
    let decoder = JSONDecoder()
    decoder.keyDecodingStrategy = .convertFromSnakeCase
    return decoder
  }()

  /// One line of JSON, with its newline.
  public static func line(_ value: some Encodable) -> Data {
    var data = (try? encoder.encode(value)) ?? Data(#"{"v":1,"ok":false}"#.utf8)
    data.append(UInt8(ascii: "\n"))
    return data
  }

  public static func decode<T: Decodable>(_ type: T.Type, from line: Data) throws -> T {
    try decoder.decode(type, from: line)
  }
}

public struct ControlRequest: Codable, Sendable, Equatable {
  public enum Command: String, Codable, Sendable {
    case status, announce, stop, reload
  }

  public var v: Int
  public var command: Command
  /// announce: the audio file, inside the station's `audio_dir` or the spool.
  public var file: String?
  /// announce: what the log and `loa status` call it (default: the file's name).
  public var title: String?
  /// announce: normal, priority (the default) or emergency.
  public var priority: String?
  /// announce: how many times it plays (default 1), and the silence between.
  public var times: Int?
  public var gapS: Double?

  public init(
    _ command: Command, file: String? = nil, title: String? = nil, priority: String? = nil,
    times: Int? = nil, gapS: Double? = nil
  ) {
    self.v = ControlProtocol.version
    self.command = command
    self.file = file
    self.title = title
    self.priority = priority
    self.times = times
    self.gapS = gapS
  }
}

public struct ControlAnswer: Codable, Sendable {
  public var v = ControlProtocol.version
  public var ok: Bool
  public var error: String?
  /// A refused schedule's errors, as `file:line:col: error: …`.
  public var errors: [String]?
  public var status: StationStatus?
  public var announced: AiringSummary?
  /// stop: the airing that was stopped.
  public var stopped: AiringSummary?
  /// reload: the schedule now in use.
  public var schedule: ScheduleStatus?

  public init(
    ok: Bool, error: String? = nil, errors: [String]? = nil, status: StationStatus? = nil,
    announced: AiringSummary? = nil, stopped: AiringSummary? = nil,
    schedule: ScheduleStatus? = nil
  ) {
    self.ok = ok
    self.error = error
    self.errors = errors
    self.status = status
    self.announced = announced
    self.stopped = stopped
    self.schedule = schedule
  }

  public static func failure(_ error: String, errors: [String]? = nil) -> ControlAnswer {
    ControlAnswer(ok: false, error: error, errors: errors)
  }
}

/// An airing in an answer: times are ISO 8601 with the station's offset.
public struct AiringSummary: Codable, Sendable, Equatable {
  public var kind: String
  public var program: String
  public var title: String
  public var priority: String
  public var start: String
  public var durationS: Double

  public init(
    kind: String, program: String, title: String, priority: String, start: String,
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
}

public struct ScheduleStatus: Codable, Sendable {
  public var path: String
  public var files: [String]
  public var loadedAt: String
  public var audioDir: String
}

public struct StationStatus: Codable, Sendable {
  public var station: String
  public var now: String
  public var pid: Int32
  public var runningSince: String
  public var onAir: OnAirStatus?
  public var next: [AiringSummary]
  /// The ALSA PCM, and `idle`, `playing` or `failing` (then `deviceError`).
  public var device: String
  public var deviceState: String
  public var deviceError: String?
  /// `on`, `off`, or `none` when the schedule has no amplifier.
  public var amplifier: String
  public var lastError: String?
  public var lastErrorAt: String?
  public var schedule: ScheduleStatus
  /// Where `loa announce` copies a file from outside `audio_dir`.
  public var spool: String
}
