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

extension PlannedAiring {
  /// An announcement: `file`, `times` times, with `gap` of silence between.
  /// The planner makes one for each of the schedule's announcements; the
  /// daemon for the operator's `loa announce`, with `file` a full path.
  public static func announcement(
    id: String, title: String, file: String, fileDuration: Duration, times: Int,
    gap: Duration, priority: Priority, at localStart: LocalDateTime, start: Date
  ) -> PlannedAiring {
    var items: [PlannedItem] = []
    var offset = Duration.zero
    for time in 0..<times {
      if time > 0, gap > .zero {
        items.append(
          PlannedItem(
            kind: .silence, file: nil, campaign: nil, planItem: nil, offset: offset,
            duration: gap, isCut: false))
        offset += gap
      }
      items.append(
        PlannedItem(
          kind: .file, file: file, campaign: nil, planItem: nil, offset: offset,
          duration: fileDuration, isCut: false))
      offset += fileDuration
    }
    return PlannedAiring(
      kind: .announcement, id: id, title: title, localStart: localStart, start: start,
      end: start.addingTimeInterval(offset.seconds), priority: priority, items: items)
  }
}
