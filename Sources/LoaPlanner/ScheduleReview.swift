import Foundation
import LoaCalendar
import LoaSchedule

extension Planner {
  /// The days `loa validate` plans to look for conflicts: from the earliest
  /// date the schedule names (or today) to a year past the latest one (or
  /// today), at most three years.
  public func reviewHorizon(today: CivilDate) -> CivilDateRange {
    var dates = [today]
    for program in schedule.programs { dates += [program.from, program.until].compactMap { $0 } }
    for campaign in schedule.campaigns {
      dates += [campaign.window.from, campaign.window.until].compactMap { $0 }
    }
    dates += schedule.announcements.map(\.at.date)
    let first = dates.min() ?? today
    let last = min((dates.max() ?? today).adding(days: 365), first.adding(days: 3 * 366))
    return CivilDateRange(first, through: last)
  }

  /// Warnings a valid schedule can still deserve: programs that overlap,
  /// and programs or campaigns that never air in `horizon`.
  public func review(horizon: CivilDateRange) -> [Diagnostic] {
    let airings = plan(from: horizon.lower, through: horizon.upper)
    let clock = ClockText(zone: TimeZone(identifier: schedule.station.timeZone) ?? .current)
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
              + "(\(clock.hm(previous.start))–\(clock.hm(previous.end))) is still on air: it will wait "
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

/// Wall-clock `HH:MM` at the station, for messages.
struct ClockText {
  let zone: TimeZone

  func hm(_ date: Date) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let c = calendar.dateComponents([.hour, .minute], from: date)
    let h = c.hour ?? 0
    let m = c.minute ?? 0
    return "\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
  }
}
