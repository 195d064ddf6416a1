import Foundation
import LoaCalendar
import LoaSchedule

extension Planner {
  /// The days `loa validate` plans to look for conflicts: from the earliest
  /// date the schedule names (but not more than ten years before today) to
  /// a year past the latest one (or today), twenty years at most.
  public func reviewHorizon(today: CivilDate) -> CivilDateRange {
    var dates = [today]
    for program in schedule.programs { dates += [program.from, program.until].compactMap { $0 } }
    for campaign in schedule.campaigns {
      dates += [campaign.window.from, campaign.window.until].compactMap { $0 }
    }
    dates += schedule.announcements.map(\.at.date)
    let first = max(dates.min() ?? today, today.adding(days: -3653))
    let last = min((dates.max() ?? today).adding(days: 365), first.adding(days: 20 * 366))
    return CivilDateRange(first, through: last)
  }

  /// Warnings a valid schedule can still deserve: programs that overlap,
  /// and programs or campaigns that never air in `horizon`.
  public func review(horizon: CivilDateRange) -> [Diagnostic] {
    let airings = plan(from: horizon.lower, through: horizon.upper)
    var diagnostics: [Diagnostic] = []
    var reported: Set<[String]> = []
    var latest: PlannedAiring?
    for airing in airings where airing.kind == .program {
      if let previous = latest, airing.start < previous.end,
        reported.insert([previous.id, airing.id]).inserted
      {
        diagnostics.append(
          .warning(
            "program '\(airing.id)' is due at \(airing.localStart) while program '\(previous.id)' "
              + "(\(clock.time(previous.start))–\(clock.time(previous.end))) is still on air: it will wait "
              + "and start late, or be missed after catch_up",
            at: schedule.program(id: airing.id)?.location))
      }
      if latest.map({ airing.end > $0.end }) ?? true { latest = airing }
    }
    let span = "between \(horizon.lower) and \(horizon.upper)"
    let aired = Set(airings.map(\.id))
    for program in schedule.programs where !aired.contains(program.id) {
      diagnostics.append(
        .warning("program '\(program.id)' never airs \(span)", at: program.location))
    }
    let spotted = Set(airings.flatMap { $0.items.compactMap(\.campaign) })
    for campaign in schedule.campaigns where !spotted.contains(campaign.id) {
      diagnostics.append(
        .warning(
          "campaign '\(campaign.id)' never airs \(span): no program that carries it airs while it runs",
          at: campaign.location))
    }
    return diagnostics
  }
}
