import Foundation
import LoaCalendar
import LoaSchedule

/// The state of one replay of the calendar: which days each rule selects,
/// and how many spots each campaign has had today and in its window.
struct DayContext {
  let planner: Planner
  let range: CivilDateRange
  private var ruleDates: [String: Set<CivilDate>] = [:]
  /// The days of every holiday the schedule refers to, one extra year each
  /// side of the range so that windows straddling its ends are seen.
  private let holidayDates: [String: [CivilDate]]
  private let holidayDays: [String: Set<CivilDate>]
  /// For each campaign (by index in the schedule), the first day of its
  /// current window and the spots it has had in it.
  private var windowSpots: [(windowStart: CivilDate?, count: Int)]
  /// Campaigns by index: whether each program (by index) carries it.
  private let carried: [[Bool]]
  /// Campaigns by index: their rank in id order, the last tie-breaker.
  private let idRank: [Int]

  init(planner: Planner, range: CivilDateRange) {
    self.planner = planner
    self.range = range
    var referenced: Set<String> = []
    for program in planner.schedule.programs {
      for case .holiday(let id) in program.except { referenced.insert(id.value) }
      referenced.formUnion(program.on.map(\.value))
    }
    for campaign in planner.schedule.campaigns {
      if let around = campaign.window.around { referenced.insert(around.holiday.value) }
    }
    let wide = CivilDateRange(
      range.lower.adding(days: -400), through: range.upper.adding(days: 400))
    var dates: [String: [CivilDate]] = [:]
    for id in referenced { dates[id] = planner.holidayDates(id, in: wide) }
    holidayDates = dates
    holidayDays = dates.mapValues(Set.init)
    let campaigns = planner.schedule.campaigns
    let programs = planner.schedule.programs
    windowSpots = Array(repeating: (nil, 0), count: campaigns.count)
    carried = campaigns.map { campaign in
      programs.map { program in
        program.hasCampaignSegment
          && (campaign.programs?.contains { $0.value == program.id } ?? true)
      }
    }
    var rank = Array(repeating: 0, count: campaigns.count)
    for (position, index) in campaigns.indices.sorted(by: { campaigns[$0].id < campaigns[$1].id })
      .enumerated()
    {
      rank[index] = position
    }
    idRank = rank
    for program in programs {
      if case .rule(let rule) = program.repetition {
        let start = program.from ?? range.lower
        // An UNTIL with a time is compared with the program's start; one in
        // UTC at the station's offset then.
        let utcOffset = rule.until?.secondsSince1970.map {
          planner.clock.calendar.timeZone.secondsFromGMT(
            for: Date(timeIntervalSince1970: Double($0)))
        }
        ruleDates[program.id] = Set(
          rule.dates(
            start: start, in: range, secondOfDay: program.start.secondsSinceMidnight,
            utcOffset: utcOffset ?? 0))
      }
    }
  }

  private func isHoliday(_ id: String, _ date: CivilDate) -> Bool {
    holidayDays[id]?.contains(date) == true
  }

  private func isSelected(_ program: Program, on date: CivilDate) -> Bool {
    if let from = program.from, date < from { return false }
    if let until = program.until, date > until { return false }
    switch program.repetition {
    case .daily: break
    case .weekdays: if date.weekday >= .saturday { return false }
    case .weekends: if date.weekday < .saturday { return false }
    case .rule: if ruleDates[program.id]?.contains(date) != true { return false }
    }
    for exception in program.except {
      switch exception {
      case .date(let excluded): if excluded == date { return false }
      case .holiday(let id): if isHoliday(id.value, date) { return false }
      }
    }
    if !program.on.isEmpty, !program.on.contains(where: { isHoliday($0.value, date) }) {
      return false
    }
    return true
  }

  /// The programs that air on `date` (as indices, in start order), after `replaces`.
  func programs(on date: CivilDate) -> [Int] {
    let programs = planner.schedule.programs
    let selected = programs.indices.filter { isSelected(programs[$0], on: date) }
    let replaced = Set(selected.flatMap { programs[$0].replaces.map(\.value) })
    return selected.filter { !replaced.contains(programs[$0].id) }.sorted {
      (programs[$0].start, programs[$0].id) < (programs[$1].start, programs[$1].id)
    }
  }

  /// A campaign running today, with today's quota and spots so far.
  private struct Running {
    let index: Int
    let isPriority: Bool
    let quota: Int
    var today = 0
  }

  mutating func airings(on date: CivilDate) -> [PlannedAiring] {
    let schedule = planner.schedule
    let programs = self.programs(on: date)
    var running: [Running] = []
    // A campaign with no files (possible only in a schedule built in code)
    // has nothing to air.
    for (index, campaign) in schedule.campaigns.enumerated() where !campaign.files.isEmpty {
      guard
        let windowStart = planner.windowStart(
          of: campaign, on: date,
          holidayDates: { id, range in holidayDates[id, default: []].filter(range.contains) })
      else { continue }
      let carriers = programs.count { carried[index][$0] }
      guard carriers > 0 else { continue }
      running.append(
        Running(
          index: index, isPriority: campaign.priority == .priority,
          quota: campaign.perDay ?? carriers))
      if windowSpots[index].windowStart != windowStart {
        windowSpots[index] = (windowStart, 0)
      }
    }
    var airings: [PlannedAiring] = []
    for programIndex in programs {
      let program = schedule.programs[programIndex]
      var groups: [[(Campaign, String)]] = []
      // Where the program has got to, so that no spot is placed (and
      // counted) beyond `max_length`, where it would never air.
      var offset = Duration.zero
      for segment in program.segments {
        switch segment {
        case .file(let ref): offset += planner.duration(of: ref.path)
        case .silence(let length): offset += length
        case .campaigns(let count):
          var group: [(Campaign, String)] = []
          var chosen: [Int] = []
          for _ in 0..<count {
            if let limit = program.maxLength, offset >= limit { break }
            guard let pick = bestCandidate(running, for: programIndex, excluding: chosen) else {
              break
            }
            let index = running[pick].index
            let campaign = schedule.campaigns[index]
            let file = campaign.files[windowSpots[index].count % campaign.files.count].path
            group.append((campaign, file))
            running[pick].today += 1
            windowSpots[index].count += 1
            chosen.append(pick)
            offset += planner.duration(of: file)
          }
          groups.append(group)
        }
      }
      airings.append(planner.airing(for: program, on: date, spots: groups))
    }
    return airings
  }

  /// The running campaign that goes next into a segment of the program:
  /// priority first, then the fewest spots today, the fewest in its window,
  /// then by id (PRODUCT §3.2).
  private func bestCandidate(_ running: [Running], for program: Int, excluding chosen: [Int])
    -> Int?
  {
    var best: Int?
    var bestKey = (0, 0, 0, 0)
    for (position, candidate) in running.enumerated()
    where carried[candidate.index][program] && candidate.today < candidate.quota
      && !chosen.contains(position)
    {
      let key = (
        candidate.isPriority ? 0 : 1, candidate.today, windowSpots[candidate.index].count,
        idRank[candidate.index]
      )
      if best == nil || key < bestKey {
        best = position
        bestKey = key
      }
    }
    return best
  }
}
