import ArgumentParser
import Foundation
import LoaLog
import LoaPlanner
import LoaReport

extension AiringStatus: ExpressibleByArgument {}

struct LogCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "log",
    abstract: "Show the airing log: what went on air, what did not, and why.",
    discussion: """
      Days are the station's (its schedule's time zone, else this machine's). Without --from \
      and --to, the whole log.
      """)

  @OptionGroup var station: StationOptions
  @OptionGroup var range: DateRangeOptions

  @Option(help: ArgumentHelp("Only this program or announcement (its id).", valueName: "id"))
  var program: String?

  @Option(help: ArgumentHelp("Only airings that carried this campaign (its id).", valueName: "id"))
  var campaign: String?

  @Option(
    help: ArgumentHelp(
      "Only airings with this status: "
        + AiringStatus.allCases.map(\.rawValue).joined(separator: ", ") + ".",
      valueName: "status"))
  var status: AiringStatus?

  @Option(help: "Output format: text, csv or json.")
  var format: OutputFormat = .text

  func run() throws {
    let clock = station.stationClock()
    let log: AiringLog
    do {
      log = try AiringLog.openForReading(folder: station.stateDirectory)
    } catch {
      printError("error: \(error)")
      throw ExitCode(1)
    }
    let filter = AiringLog.Filter(
      from: range.from.map(clock.start(of:)),
      to: range.to.map { clock.start(of: $0.adding(days: 1)) },
      program: program, campaign: campaign, status: status)
    var out = StandardOutput()
    switch format {
    case .csv:
      // For Excel, as the report's csv: a byte-order mark, RFC 4180 rows,
      // and no cell that a spreadsheet would run as a formula (`CSV.text`).
      out.write(
        CSV.byteOrderMark
          + "id,kind,program,title,planned_start,started_at,ended_at,status,late_ms,duration_s,"
          + "frames,device,xruns,reason" + CSV.lineEnd)
      var times = ISOWriter(clock: clock)
      let comma: [UInt8] = [0x2C]
      let lineEnd = Array(CSV.lineEnd.utf8)
      try log.eachAiring(filter, withItems: false) { airing in
        // Field by field into the output buffer: no array, no join.
        out.write(decimal: Int(airing.id))
        out.write(bytes: comma)
        out.write(airing.kind.rawValue)
        out.write(bytes: comma)
        out.write(CSV.text(airing.program))
        out.write(bytes: comma)
        out.write(CSV.text(airing.title))
        for time in [airing.plannedStart, airing.startedAt, airing.endedAt] {
          out.write(bytes: comma)
          if let time { times.write(time, to: &out) }
        }
        out.write(bytes: comma)
        out.write(airing.status.rawValue)
        out.write(bytes: comma)
        if let late = airing.lateMilliseconds { out.write(String(late)) }
        out.write(bytes: comma)
        if let seconds = airing.playedSeconds { out.write(CSV.seconds(seconds)) }
        out.write(bytes: comma)
        if let frames = airing.frames { out.write(decimal: frames) }
        out.write(bytes: comma)
        out.write(CSV.text(airing.device))
        out.write(bytes: comma)
        out.write(decimal: airing.xruns)
        out.write(bytes: comma)
        out.write(CSV.text(airing.reason))
        out.write(bytes: lineEnd)
      }
    case .json:
      out.write("[")
      var first = true
      try log.eachAiring(filter, withItems: true) { airing in
        out.write(first ? "\n" : ",\n")
        first = false
        out.write(json(airing, clock).serialized(pretty: false))
      }
      out.line(first ? "]" : "\n]")
    case .text:
      var count = 0
      try log.eachAiring(filter, withItems: true) { airing in
        count += 1
        out.line(line(airing, clock))
        for item in airing.items where item.status != .completed && item.status != airing.status {
          out.line(
            "      \(item.position + 1). \(item.file ?? item.kind.rawValue): \(item.status.rawValue)"
              + (item.reason.map { " — \($0)" } ?? ""))
        }
      }
      if count == 0 { out.line("no airings logged for this choice") }
    }
    out.flush()
  }

  /// `2025-10-01 05:30:00+07:00  sang  completed  +2 ms  1m47s  Chương trình …  — reason`:
  /// the offset says whose time it is (the station's, or this machine's
  /// when no schedule was found), as the daemon's own messages do not.
  private func line(_ airing: LoggedAiring, _ clock: StationClock) -> String {
    let when = (airing.plannedStart ?? airing.startedAt).map {
      clock.iso($0).replacingOccurrences(of: "T", with: " ")
    }
    let late = airing.lateMilliseconds.map { ($0 >= 0 ? "+" : "") + "\($0) ms" } ?? ""
    let length = airing.playedSeconds.map { Duration.seconds($0).shortDescription } ?? ""
    return [
      when ?? "—", airing.program ?? airing.kind.rawValue, airing.status.rawValue, late, length,
      airing.title,
    ].joined(separator: "  ") + (airing.reason.map { "  — \($0)" } ?? "")
  }

  private func json(_ airing: LoggedAiring, _ clock: StationClock) -> JSON {
    .object([
      ("id", .int(Int(airing.id))),
      ("kind", .string(airing.kind.rawValue)),
      ("program", .string(airing.program)),
      ("title", .string(airing.title)),
      ("planned_start", .string(airing.plannedStart.map(clock.iso))),
      ("started_at", .string(airing.startedAt.map(clock.iso))),
      ("ended_at", .string(airing.endedAt.map(clock.iso))),
      ("status", .string(airing.status.rawValue)),
      ("late_ms", .int(airing.lateMilliseconds)),
      ("duration_s", airing.playedSeconds.map(JSON.double) ?? .null),
      ("frames", .int(airing.frames)),
      ("device", .string(airing.device)),
      ("xruns", .int(airing.xruns)),
      ("reason", .string(airing.reason)),
      (
        "items",
        .array(
          airing.items.map { item in
            .object([
              ("kind", .string(item.kind.rawValue)),
              ("file", .string(item.file)),
              ("sha256", .string(item.sha256)),
              ("campaign", .string(item.campaign)),
              ("plan_item", .string(item.planItem)),
              ("planned_s", .double(item.plannedSeconds)),
              ("started_at", .string(item.startedAt.map(clock.iso))),
              ("ended_at", .string(item.endedAt.map(clock.iso))),
              ("duration_s", item.playedSeconds.map(JSON.double) ?? .null),
              ("frames", .int(item.frames)),
              ("status", .string(item.status.rawValue)),
              ("reason", .string(item.reason)),
            ])
          })
      ),
    ])
  }
}
