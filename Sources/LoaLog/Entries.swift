// LoaLog owns the airing log: one SQLite file in the state folder, written
// through GRDB so that an airing is on disk before its first frame plays,
// and read back for `loa log` and `loa report`.

import Foundation

/// What went on air, or should have.
public enum AiringKind: String, Codable, Sendable, CaseIterable {
  case program, announcement, emergency
  /// Played by hand with `loa play`.
  case manual
}

/// PRODUCT §6: every status but `completed` (and `playing`, while it lasts)
/// carries a reason. `partial` is an airing or an item that ran to its end
/// but played less than planned (a file cut short, an item that could not
/// be read): the played seconds say how much was heard.
public enum AiringStatus: String, Codable, Sendable, CaseIterable {
  case playing, completed, partial, interrupted, failed, missed, skipped
}

public enum ItemKind: String, Codable, Sendable, CaseIterable {
  case file, campaign, silence
}

/// An airing as the player is about to play it (or as it was planned, for
/// one that is missed or skipped).
public struct AiringEntry: Sendable {
  public var kind: AiringKind
  /// The program's or announcement's id; nil for a manual airing.
  public var program: String?
  public var title: String
  public var plannedStart: Date?
  public var device: String?
  public var items: [ItemEntry]

  public init(
    kind: AiringKind, program: String?, title: String, plannedStart: Date?, device: String?,
    items: [ItemEntry]
  ) {
    self.kind = kind
    self.program = program
    self.title = title
    self.plannedStart = plannedStart
    self.device = device
    self.items = items
  }
}

/// One part of an airing as planned.
public struct ItemEntry: Sendable {
  public var kind: ItemKind
  public var file: String?
  /// SHA-256 of the file's content.
  public var sha256: String?
  public var campaign: String?
  public var planItem: String?
  /// Planned playing time in seconds.
  public var plannedSeconds: Double

  public init(
    kind: ItemKind, file: String? = nil, sha256: String? = nil, campaign: String? = nil,
    planItem: String? = nil, plannedSeconds: Double
  ) {
    self.kind = kind
    self.file = file
    self.sha256 = sha256
    self.campaign = campaign
    self.planItem = planItem
    self.plannedSeconds = plannedSeconds
  }
}

/// How an item or an airing ended.
public struct Outcome: Sendable {
  public var status: AiringStatus
  public var startedAt: Date?
  public var endedAt: Date
  public var frames: Int
  /// Seconds actually played.
  public var playedSeconds: Double
  public var reason: String?

  public init(
    status: AiringStatus, startedAt: Date?, endedAt: Date, frames: Int, playedSeconds: Double,
    reason: String?
  ) {
    self.status = status
    self.startedAt = startedAt
    self.endedAt = endedAt
    self.frames = frames
    self.playedSeconds = playedSeconds
    self.reason = reason
  }
}

/// An airing read back from the log, with its items.
public struct LoggedAiring: Sendable, Equatable {
  public var id: Int64
  public var kind: AiringKind
  public var program: String?
  public var title: String
  public var plannedStart: Date?
  public var startedAt: Date?
  public var endedAt: Date?
  public var status: AiringStatus
  /// First frame out minus planned start, in milliseconds.
  public var lateMilliseconds: Int?
  public var playedSeconds: Double?
  public var frames: Int?
  public var device: String?
  public var xruns: Int
  public var reason: String?
  public var items: [LoggedItem]
}

public struct LoggedItem: Sendable, Equatable {
  public var position: Int
  public var kind: ItemKind
  public var file: String?
  public var sha256: String?
  public var campaign: String?
  public var planItem: String?
  public var plannedSeconds: Double
  public var startedAt: Date?
  public var endedAt: Date?
  public var frames: Int?
  public var playedSeconds: Double?
  public var status: AiringStatus
  public var reason: String?
}

/// A time the station was off the air: loa was not running, from its last
/// sign of life to its next start.
public struct Outage: Sendable, Equatable {
  public var from: Date
  public var to: Date
  public var reason: String

  public init(from: Date, to: Date, reason: String) {
    self.from = from
    self.to = to
    self.reason = reason
  }
}
