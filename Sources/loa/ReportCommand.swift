import ArgumentParser
import Foundation
import LoaCalendar
import LoaLog
import LoaPlanner
import LoaReport

enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
  case md, html, csv, json
}

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "The plan report: per plan item and campaign, spots planned, aired and missed.",
    discussion: """
      Planned spots come from the schedule (as `loa plan` shows them), aired ones from the \
      airing log. Without --from, the report starts on the first day of the plan's campaigns; \
      without --to, it ends today, or on the plan's report_due if that is earlier. md and html \
      are in Vietnamese and print on A4 (html opens in Word); csv opens in Excel.
      """)

  @OptionGroup var station: StationOptions
  @OptionGroup var range: DateRangeOptions

  @Option(help: "Output format: md, html, csv or json.")
  var format: ReportFormat = .md

  func run() throws {
    let loaded = try station.loadSchedule(measurements: station.audioMeasurements())
    let planner = try Planner(loaded: loaded)
    let schedule = planner.schedule
    let today = planner.clock.day(of: Date())
    let firstDay =
      schedule.campaigns.filter { $0.planItem != nil }.compactMap(\.window.from).min()
      ?? schedule.programs.compactMap(\.from).min() ?? today.adding(days: -30)
    let from = range.from ?? firstDay
    let due = schedule.plan?.reportDue
    let to = range.to ?? (due.map { min($0, today) } ?? today)
    guard from <= to else {
      printError(
        "error: the report would end (\(to)) before it begins (\(from)): give --from and --to")
      throw ExitCode(1)
    }
    // A station that has played nothing yet has no log: everything planned is missed.
    let log = try? AiringLog.openForReading(folder: station.stateDirectory)
    let report = try PlanReport(planner: planner, log: log, from: from, to: to)
    var out = StandardOutput()
    switch format {
    case .md: out.write(report.markdown())
    case .html: out.write(report.html())
    case .csv: out.write(report.csv())
    case .json: out.line(json(report).serialized())
    }
    out.flush()
  }

  private func json(_ report: PlanReport) -> JSON {
    .object([
      ("plan", .string(report.plan?.id)),
      ("title", .string(report.plan?.title)),
      ("from", .string(report.from.description)),
      ("to", .string(report.to.description)),
      (
        "items",
        .array(
          report.items.map { item in
            .object([
              ("plan_item", .string(item.planItem)),
              ("title", .string(item.title)),
              (
                "campaigns",
                .array(
                  item.campaigns.map { c in
                    .object([
                      ("campaign", .string(c.campaign)), ("title", .string(c.title)),
                      ("planned", .int(c.planned)), ("aired", .int(c.aired)),
                      ("partial", .int(c.partial)), ("missed", .int(c.missed)),
                      ("minutes", .double(c.minutes)), ("days", .int(c.days)),
                    ])
                  })
              ),
            ])
          })
      ),
      (
        "programs",
        .object(
          report.programs.map { p in
            (
              p.program,
              .object([
                ("title", .string(p.title)), ("planned", .int(p.planned)),
                ("aired", .int(p.aired)), ("partial", .int(p.partial)), ("missed", .int(p.missed)),
              ])
            )
          })
      ),
      (
        "outages",
        .array(
          report.outages.map { outage in
            .object([
              ("from", .string(report.clock.iso(outage.from))),
              ("to", .string(report.clock.iso(outage.to))),
              ("reason", .string(outage.reason)),
            ])
          })
      ),
    ])
  }
}
