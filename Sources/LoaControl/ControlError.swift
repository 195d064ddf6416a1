import Foundation

/// Why a request failed, or why the socket could not be used: a code for
/// programs to match on and a sentence for people.
public struct ControlError: Error, CustomStringConvertible, Sendable, Equatable {
  /// What went wrong, as the protocol's `code` names it. A new case is a
  /// new protocol version when the daemon sends it.
  public enum Code: String, Codable, Sendable, CaseIterable {
    // Sent by the daemon.
    case malformedRequest = "malformed_request"
    case unsupportedVersion = "unsupported_version"
    case unknownCommand = "unknown_command"
    case requestTooLong = "request_too_long"
    case busy
    /// A value out of range, or missing.
    case invalidArgument = "invalid_argument"
    /// An announcement's file outside the audio folder and the spool.
    case outsideAudioFolders = "outside_audio_folders"
    /// An announcement's file that does not decode.
    case unreadableAudio = "unreadable_audio"
    case nothingOnAir = "nothing_on_air"
    case stopping
    case scheduleRefused = "schedule_refused"
    // Found by this end, never sent.
    /// Another daemon answers on the socket.
    case alreadyListening = "already_listening"
    case noDaemon = "no_daemon"
    case notPermitted = "not_permitted"
    case noAnswer = "no_answer"
    case notUnderstood = "not_understood"
    /// A system call failed; the message says which and why.
    case system
  }

  public let code: Code
  public let message: String

  public init(_ code: Code, _ message: String) {
    self.code = code
    self.message = message
  }

  public var description: String { message }
}
