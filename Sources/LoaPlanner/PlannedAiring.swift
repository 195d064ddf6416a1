// LoaPlanner turns a schedule and a date range into the airings that will
// happen, with every campaign spot placed. It is a pure function of the
// schedule, the audio durations and the dates: `loa plan` shows exactly
// what the daemon will play.

import Foundation
import LoaCalendar
import LoaSchedule

/// One thing that will go on air: a program or an announcement.
public struct PlannedAiring: Hashable, Sendable {
  public enum Kind: String, Sendable {
    case program, announcement
  }

  public let kind: Kind
  /// The program's or announcement's id.
  public let id: String
  public let title: String
  /// The wall-clock start at the station.
  public let localStart: LocalDateTime
  /// The instant it is due.
  public let start: Date
  /// When it will end, if nothing delays it.
  public let end: Date
  public let priority: Priority
  public let items: [PlannedItem]

  public var duration: Duration {
    .milliseconds(Int64((end.timeIntervalSince(start) * 1000).rounded()))
  }
}

/// One part of an airing, in playing order.
public struct PlannedItem: Hashable, Sendable {
  public enum Kind: String, Sendable {
    case file, campaign, silence
  }

  public let kind: Kind
  /// The path under `audio_dir`, for files and campaign spots.
  public let file: String?
  public let campaign: String?
  public let planItem: String?
  /// Time from the start of the airing to the start of this item.
  public let offset: Duration
  /// Playing time; shortened when the program's `max_length` cuts it.
  public let duration: Duration
  /// True when `max_length` cuts this item short.
  public let isCut: Bool
}
