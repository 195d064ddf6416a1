// The control socket between `loa status/announce/stop/reload` and the
// daemon: the protocol, its messages, the daemon's server and the command
// line's client. No knowledge of schedules or of the daemon's loop.
import Foundation

/// The control protocol between `loa status/announce/stop/reload` and the
/// daemon, over a Unix stream socket: one JSON object per line each way, a
/// request and then its answer, as many as the client likes on one
/// connection. Every request and answer carries `"v": 1`; keys are
/// snake_case; keys may be added in a version, none renamed or removed; a
/// new value of an enumerated key (`priority`, `kind`, `device_state`,
/// `amplifier`, `code`) is a new version.
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
/// `schedule` as fits the request, or
/// `{"v":1,"ok":false,"code":"nothing_on_air","error":"…"}`: `code` is
/// what programs match on (`ControlError.Code`), `error` what people read
/// (and `errors`, one per line of a refused schedule). A line longer than
/// `maximumLine` bytes is answered with an error and the connection closed.
///
/// `announce` is answered at once, once the file is found, before it is
/// measured: `announced.program` is the announcement's id and its
/// `duration_s` 0; `status` lists it under `measuring` until it is in the
/// plan. A repeat of the same file, priority, times and gap within ten
/// minutes is answered with the first one's `announced` and
/// `"repeated":true`, and airs once. (Added in version 1: `repeated`,
/// `measuring`.)
///
/// Values: `priority` is `normal`, `priority` or `emergency`; an airing's
/// `kind` is `program` or `announcement`; `device_state` is `idle`,
/// `playing` or `failing`; `amplifier` is `on`, `off` or `none`; times
/// are ISO 8601 with the station's offset; `_s` keys are seconds.
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

  /// A request from one line, or the error its sender is answered with.
  public static func parse(_ line: Data) -> Result<ControlRequest, ControlError> {
    guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any] else {
      return .failure(
        ControlError(.malformedRequest, "malformed request: not a JSON object on one line"))
    }
    guard let version = object["v"] as? Int else {
      return .failure(
        ControlError(.malformedRequest, "malformed request: no protocol version \"v\""))
    }
    guard version == Self.version else {
      return .failure(
        ControlError(
          .unsupportedVersion,
          "protocol version \(version) is not spoken here; this daemon speaks version "
            + "\(Self.version)"))
    }
    let command = object["command"] as? String ?? ""
    guard ControlRequest.Command(rawValue: command) != nil else {
      let known = ControlRequest.Command.allCases.map(\.rawValue).joined(separator: ", ")
      return .failure(
        ControlError(.unknownCommand, "unknown command '\(command)'; known: \(known)"))
    }
    if let priority = object["priority"] as? String, ControlPriority(rawValue: priority) == nil {
      return .failure(
        ControlError(
          .invalidArgument,
          "unknown priority '\(priority)'; use normal, priority or emergency"))
    }
    do {
      return .success(try decode(ControlRequest.self, from: line))
    } catch {
      return .failure(ControlError(.malformedRequest, "malformed \(command) request: \(error)"))
    }
  }
}
