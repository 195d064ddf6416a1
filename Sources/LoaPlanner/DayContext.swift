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
  /// Spots aired in the campaign's current window, and that window's first day.
  private var windowSpots: [String: (windowStart: CivilDate, count: Int)] = [:]

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
    for program in planner.schedule.programs {
      if case .rule(let rule) = program.repetition {
        let start = program.from ?? range.lower
        ruleDates[program.id] = Set(rule.dates(start: start, in: range))
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

  /// The programs that air on `date`, in start order, after `replaces`.
  mutating func programs(on date: CivilDate) -> [Program] {
    let selected = planner.schedule.programs.filter { isSelected($0, on: date) }
    let replaced = Set(selected.flatMap { $0.replaces.map(\.value) })
    return selected.filter { !replaced.contains($0.id) }.sorted {
      ($0.start, $0.id) < ($1.start, $1.id)
    }
  }

  mutating func airings(on date: CivilDate) -> [PlannedAiring] {
    let programs = self.programs(on: date)
    let carriers = programs.filter(\.hasCampaignSegment)
    // Campaigns running today, with today's quota.
    var running: [(campaign: Campaign, windowStart: CivilDate, quota: Int)] = []
    for campaign in planner.schedule.campaigns {
      guard
        let windowStart = planner.windowStart(
          of: campaign, on: date,
          holidayDates: { id, range in holidayDates[id, default: []].filter(range.contains) })
      else { continue }
      let carrying = carriers.filter { carries(campaign, $0) }.count
      guard carrying > 0 else { continue }
      running.append((campaign, windowStart, campaign.perDay ?? carrying))
      if windowSpots[campaign.id]?.windowStart != windowStart {
        windowSpots[campaign.id] = (windowStart, 0)
      }
    }
    var today: [String: Int] = [:]
    var airings: [PlannedAiring] = []
    for program in programs {
      var groups: [[(Campaign, String)]] = []
      for case .campaigns(let count) in program.segments {
        var group: [(Campaign, String)] = []
        let candidates = running.filter {
          carries($0.campaign, program) && today[$0.campaign.id, default: 0] < $0.quota
        }.sorted { a, b in
          let keyA = (
            a.campaign.priority == .priority ? 0 : 1, today[a.campaign.id, default: 0],
            windowSpots[a.campaign.id]?.count ?? 0
          )
          let keyB = (
            b.campaign.priority == .priority ? 0 : 1, today[b.campaign.id, default: 0],
            windowSpots[b.campaign.id]?.count ?? 0
          )
          return keyA != keyB ? keyA < keyB : a.campaign.id < b.campaign.id
        }
        for candidate in candidates.prefix(count) {
          let campaign = candidate.campaign
          let aired = windowSpots[campaign.id]?.count ?? 0
          let file = campaign.files[aired % campaign.files.count].path
          group.append((campaign, file))
          today[campaign.id, default: 0] += 1
          windowSpots[campaign.id] = (candidate.windowStart, aired + 1)
        }
        groups.append(group)
      }
      airings.append(planner.airing(for: program, on: date, spots: groups))
    }
    return airings
  }

  private func carries(_ campaign: Campaign, _ program: Program) -> Bool {
    guard program.hasCampaignSegment else { return false }
    guard let programs = campaign.programs else { return true }
    return programs.contains { $0.value == program.id }
  }
}
