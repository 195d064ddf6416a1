// LoaReport turns the airing log and the plan into what the commune files
// (PRODUCT §9): per plan item and campaign, what was planned and what aired.
// The figures are computed here; `Rendering` writes them as md, html, csv
// and json.

import Foundation
import LoaCalendar
import LoaLog
import LoaPlanner
import LoaSchedule

/// What was planned against what aired, of spots or of airings.
public protocol Tally {
  /// As the planner placed them.
  var planned: Int { get }
  /// Played whole: to their end, and for as long as planned.
  var aired: Int { get }
  /// Heard in part: some seconds played, fewer than planned (cut, a file
  /// that ended early or could not be read, a device that failed).
  var partial: Int { get }
}

extension Tally {
  /// Planned and not aired: logged missed, skipped, failed or interrupted
  /// before a frame, or not logged at all (the station was off).
  public var missed: Int { max(0, planned - aired - partial) }
}

/// Planned and aired spots of one campaign over the report's days.
public struct CampaignFigures: Tally, Sendable, Equatable {
  public var campaign: String
  public var title: String
  public var planned = 0
  public var aired = 0
  public var partial = 0
  /// Minutes on air, whole and partial spots.
  public var minutes = 0.0
  /// Days on which at least one spot aired.
  public var days = 0
}

/// One plan item with its campaigns.
public struct PlanItemFigures: Sendable, Equatable {
  public var planItem: String
  public var title: String
  public var campaigns: [CampaignFigures]
}

/// One program's (or announcement's) airings over the report's days.
public struct ProgramFigures: Tally, Sendable, Equatable {
  public var program: String
  public var title: String
  public var planned = 0
  public var aired = 0
  public var partial = 0
}

/// Airings per week of one plan item, for the chart.
public struct WeeklyAirings: Sendable, Equatable {
  /// The Monday of each week in the range (the first may be cut).
  public var weeks: [CivilDate]
  /// Plan item id → spots aired (whole or partial) each week.
  public var counts: [String: [Int]]
}

public struct PlanReport: Sendable {
  public var plan: Plan?
  public var station: String
  public var from: CivilDate
  public var to: CivilDate
  public var items: [PlanItemFigures]
  public var programs: [ProgramFigures]
  public var outages: [Outage]
  public var weekly: WeeklyAirings
  public var clock: StationClock

  /// Computes the report for the station's days `from` through `to`: the
  /// planner says what should have aired, the log what did.
  public init(planner: Planner, log: AiringLog?, from: CivilDate, to: CivilDate) throws {
    let schedule = planner.schedule
    plan = schedule.plan
    station = schedule.station.name
    self.from = from
    self.to = to
    let clock = planner.clock
    self.clock = clock
    let start = clock.start(of: from)
    let end = clock.start(of: to.adding(days: 1))

    var campaigns: [String: CampaignFigures] = [:]
    for campaign in schedule.campaigns {
      campaigns[campaign.id] = CampaignFigures(campaign: campaign.id, title: campaign.title)
    }
    var programs: [String: ProgramFigures] = [:]
    func program(_ id: String, _ title: String) {
      if programs[id] == nil { programs[id] = ProgramFigures(program: id, title: title) }
    }
    for airing in planner.plan(from: from, through: to) {
      program(airing.id, airing.title)
      programs[airing.id]?.planned += 1
      for item in airing.items where item.kind == .campaign {
        if let id = item.campaign { campaigns[id]?.planned += 1 }
      }
    }

    let weeks = Self.weeks(from: from, to: to)
    var counts: [String: [Int]] = [:]
    var daysAired: [String: Set<CivilDate>] = [:]
    let planItemOf = Dictionary(
      schedule.campaigns.compactMap { c in c.planItem.map { (c.id, $0.value) } },
      uniquingKeysWith: { first, _ in first })
    try log?.eachAiring(AiringLog.Filter(from: start, to: end), withItems: true) { airing in
      guard airing.kind != .manual, let id = airing.program else { return }
      program(id, airing.title)
      let planned = airing.items.isEmpty ? nil : airing.items.reduce(0) { $0 + $1.plannedSeconds }
      switch Heard(airing.status, played: airing.playedSeconds, planned: planned) {
      case .whole: programs[id]?.aired += 1
      case .part: programs[id]?.partial += 1
      case .nothing: break
      }
      let day = clock.day(of: airing.plannedStart ?? airing.startedAt ?? start)
      for item in airing.items where item.kind == .campaign {
        guard let campaign = item.campaign, campaigns[campaign] != nil else { continue }
        let heard = Heard(item.status, played: item.playedSeconds, planned: item.plannedSeconds)
        guard heard != .nothing else { continue }
        if heard == .whole {
          campaigns[campaign]?.aired += 1
        } else {
          campaigns[campaign]?.partial += 1
        }
        campaigns[campaign]?.minutes += (item.playedSeconds ?? 0) / 60
        daysAired[campaign, default: []].insert(day)
        if let planItem = planItemOf[campaign] {
          let week = (day.julianDay - from.julianDay + from.weekday.rawValue - 1) / 7
          counts[planItem, default: Array(repeating: 0, count: weeks.count)][
            min(week, weeks.count - 1)] += 1
        }
      }
    }
    for (campaign, days) in daysAired { campaigns[campaign]?.days = days.count }

    let listed = schedule.plan?.items ?? []
    var items = listed.map { item in
      PlanItemFigures(
        planItem: item.id, title: item.title,
        campaigns: schedule.campaigns.filter { $0.planItem?.value == item.id }.compactMap {
          campaigns[$0.id]
        })
    }
    let outside = schedule.campaigns.filter { c in !listed.contains { $0.id == c.planItem?.value } }
    if !outside.isEmpty {
      items.append(
        PlanItemFigures(
          planItem: "", title: "Ngoài kế hoạch", campaigns: outside.compactMap { campaigns[$0.id] })
      )
    }
    self.items = items
    self.programs = programs.values.sorted { $0.program < $1.program }
    outages = try log?.outages(from: start, to: end) ?? []
    weekly = WeeklyAirings(
      weeks: weeks,
      counts: Dictionary(
        uniqueKeysWithValues: listed.map {
          ($0.id, counts[$0.id] ?? Array(repeating: 0, count: weeks.count))
        }))
  }

  /// How much of a logged airing or item was heard, by its played seconds
  /// as well as its status: a row an older loa logged `completed` after
  /// playing nothing, or a part, counts as what it was.
  enum Heard {
    case whole, part, nothing

    /// `planned` seconds, when known; a second short of them is a part.
    init(_ status: AiringStatus, played: Double?, planned: Double?) {
      let played = played ?? 0
      switch status {
      case .completed:
        if let planned, played < planned - 1 {
          self = played > 0 ? .part : .nothing
        } else {
          self = .whole
        }
      case .partial, .interrupted, .failed: self = played > 0 ? .part : .nothing
      case .playing, .missed, .skipped: self = .nothing
      }
    }
  }

  /// The Monday of each week that has a day in the range.
  static func weeks(from: CivilDate, to: CivilDate) -> [CivilDate] {
    let firstMonday = from.adding(days: -(from.weekday.rawValue - 1))
    return stride(from: 0, through: to.julianDay - firstMonday.julianDay, by: 7).map {
      firstMonday.adding(days: $0)
    }
  }
}
