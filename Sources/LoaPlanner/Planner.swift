import Foundation
import LoaCalendar
import LoaSchedule

/// Computes what airs on each day of a range.
///
/// Campaign spots depend on what aired before in the campaign's window
/// (rotation, fewest spots so far), so the planner replays every day from
/// the earliest window that reaches into the range; the result for a day
/// is the same whatever range it is asked in.
public struct Planner: Sendable {
  public let schedule: Schedule
  private let durations: [String: Duration]
  /// The station's wall clock, in its time zone.
  public let clock: StationClock
  private let holidays: [String: Holiday]

  /// - Parameter durations: the playing time of each audio path as the
  ///   schedule names it; a missing entry counts as zero.
  public init(schedule: Schedule, durations: [String: Duration]) {
    self.schedule = schedule
    self.durations = durations
    // The loader has checked the zone; UTC+7 is the fallback for a
    // schedule built in code with a zone this system lacks.
    clock = StationClock(
      zone: TimeZone(identifier: schedule.station.timeZone) ?? TimeZone(secondsFromGMT: 7 * 3600)
        ?? .gmt)
    holidays = schedule.allHolidays
  }

  public init(loaded: LoadedSchedule) throws {
    guard let schedule = loaded.schedule else { throw ScheduleError(loaded.diagnostics) }
    self.init(schedule: schedule, durations: loaded.audio.mapValues(\.duration))
  }

  /// Every airing that starts on a day from `first` through `last`, in start order.
  public func plan(from first: CivilDate, through last: CivilDate) -> [PlannedAiring] {
    guard first <= last else { return [] }
    let replayStart = earliestWindowStart(reaching: first, through: last)
    var context = DayContext(planner: self, range: CivilDateRange(replayStart, through: last))
    var airings: [PlannedAiring] = []
    for date in CivilDateRange(replayStart, through: last) {
      let day = context.airings(on: date)
      if date >= first { airings += day }
    }
    for announcement in schedule.announcements
    where first <= announcement.at.date && announcement.at.date <= last {
      airings.append(self.airing(for: announcement))
    }
    return airings.sorted { ($0.start, $0.priority, $0.id) < ($1.start, $1.priority, $1.id) }
  }

  // MARK: Campaign windows

  /// The first day of the window of `campaign` that contains `date`, or nil
  /// when the campaign is not running that day.
  /// The windows of `campaign` that overlap `range`, in order: its
  /// `from`…`until` span, or each year's days around its holiday clipped to
  /// that span.
  func windows(
    of campaign: Campaign, overlapping range: CivilDateRange,
    holidayDates: (String, CivilDateRange) -> [CivilDate]
  ) -> [ClosedRange<CivilDate>] {
    let window = campaign.window
    let span = { (start: CivilDate, end: CivilDate) -> ClosedRange<CivilDate>? in
      let first = max(start, window.from ?? start)
      let last = min(end, window.until ?? end)
      guard first <= last, first <= range.upper, last >= range.lower else { return nil }
      return first...last
    }
    guard let around = window.around else {
      guard let from = window.from else { return [] }
      return span(from, window.until ?? max(from, range.upper)).map { [$0] } ?? []
    }
    let search = CivilDateRange(
      range.lower.adding(days: -around.daysAfter),
      through: range.upper.adding(days: around.daysBefore))
    return holidayDates(around.holiday.value, search).compactMap { holiday in
      span(holiday.adding(days: -around.daysBefore), holiday.adding(days: around.daysAfter))
    }
  }

  /// The first day of the window of `campaign` that contains `date`, or nil
  /// when the campaign is not running that day.
  func windowStart(
    of campaign: Campaign, on date: CivilDate, holidayDates: (String, CivilDateRange) -> [CivilDate]
  ) -> CivilDate? {
    windows(
      of: campaign, overlapping: CivilDateRange(date, through: date), holidayDates: holidayDates
    )
    .first?.lowerBound
  }

  /// The day from which replaying gives every campaign its true history:
  /// no campaign window that reaches into the replay began before it.
  private func earliestWindowStart(reaching first: CivilDate, through last: CivilDate) -> CivilDate
  {
    // A window with a `from` date is replayed from that date, however long
    // ago. Windows around holidays are shorter than a year, but those of
    // different campaigns could bridge each other's gaps year after year:
    // such a chain is followed back three years at most.
    let chainLimit = first.adding(days: -3 * 366)
    var start = first
    while true {
      var earliest = start
      for campaign in schedule.campaigns {
        let reaching = windows(
          of: campaign, overlapping: CivilDateRange(start, through: last),
          holidayDates: holidayDates(_:in:))
        for window in reaching
        where campaign.window.around == nil || window.lowerBound >= chainLimit {
          earliest = min(earliest, window.lowerBound)
        }
      }
      if earliest == start { return start }
      start = earliest
    }
  }

  func holidayDates(_ id: String, in range: CivilDateRange) -> [CivilDate] {
    holidays[id]?.dates(in: range) ?? []
  }

  // MARK: Airings

  /// The instant a wall-clock time at the station is.
  public func instant(_ local: LocalDateTime) -> Date {
    var components = DateComponents()
    components.year = local.date.year
    components.month = local.date.month
    components.day = local.date.day
    components.hour = local.time.hour
    components.minute = local.time.minute
    components.second = local.time.second
    return clock.calendar.date(from: components) ?? Date(timeIntervalSince1970: 0)
  }

  func duration(of path: String) -> Duration { durations[path] ?? .zero }

  func airing(
    for program: Program, on date: CivilDate, spots: [[(Campaign, String)]]
  ) -> PlannedAiring {
    var items: [PlannedItem] = []
    var offset = Duration.zero
    var spotGroups = spots.makeIterator()
    func add(_ kind: PlannedItem.Kind, file: String?, campaign: Campaign?, duration: Duration) {
      var length = duration
      var isCut = false
      if let limit = program.maxLength {
        guard offset < limit else { return }
        if offset + length > limit {
          length = limit - offset
          isCut = true
        }
      }
      items.append(
        PlannedItem(
          kind: kind, file: file, campaign: campaign?.id, planItem: campaign?.planItem?.value,
          offset: offset, duration: length, isCut: isCut))
      offset += length
    }
    for segment in program.segments {
      switch segment {
      case .file(let ref):
        add(.file, file: ref.path, campaign: nil, duration: duration(of: ref.path))
      case .silence(let length):
        add(.silence, file: nil, campaign: nil, duration: length)
      case .campaigns:
        for (campaign, file) in spotGroups.next() ?? [] {
          add(.campaign, file: file, campaign: campaign, duration: duration(of: file))
        }
      }
    }
    let local = LocalDateTime(date: date, time: program.start)
    let start = instant(local)
    return PlannedAiring(
      kind: .program, id: program.id, title: program.title, localStart: local, start: start,
      end: start.addingTimeInterval(offset.seconds), priority: .normal, items: items)
  }

  func airing(for announcement: Announcement) -> PlannedAiring {
    .announcement(
      id: announcement.id, title: announcement.title, file: announcement.file.path,
      fileDuration: duration(of: announcement.file.path), times: announcement.times,
      gap: announcement.gap, priority: announcement.priority, at: announcement.at,
      start: instant(announcement.at))
  }

}
