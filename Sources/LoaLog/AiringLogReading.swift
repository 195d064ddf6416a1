import Foundation
import GRDB

// Reading the airing log: airings by filter (streamed with a cursor, so
// that a million rows are never all held), outages, and the integrity check.

extension AiringLog {
  /// Which airings to read.
  public struct Filter: Sendable {
    public var from: Date?
    /// Exclusive.
    public var to: Date?
    public var program: String?
    public var campaign: String?
    public var status: AiringStatus?

    public init(
      from: Date? = nil, to: Date? = nil, program: String? = nil, campaign: String? = nil,
      status: AiringStatus? = nil
    ) {
      self.from = from
      self.to = to
      self.program = program
      self.campaign = campaign
      self.status = status
    }
  }

  /// Airings in order of their (planned, else actual) start, with their items.
  public func airings(_ filter: Filter = Filter()) throws -> [LoggedAiring] {
    var airings: [LoggedAiring] = []
    try eachAiring(filter, withItems: true) { airings.append($0) }
    return airings
  }

  /// Calls `body` with each airing in order, read with a cursor so that a
  /// million rows stream through without being held; items are read only
  /// when asked for.
  public func eachAiring(
    _ filter: Filter, withItems: Bool, _ body: (LoggedAiring) throws -> Void
  ) throws {
    try database.read { db in
      var conditions: [String] = []
      var arguments: [(any DatabaseValueConvertible)?] = []
      let start = "COALESCE(a.planned_start, a.started_at)"
      if let from = filter.from {
        conditions.append("\(start) >= ?")
        arguments.append(from.timeIntervalSince1970)
      }
      if let to = filter.to {
        conditions.append("\(start) < ?")
        arguments.append(to.timeIntervalSince1970)
      }
      if let program = filter.program {
        conditions.append("a.program = ?")
        arguments.append(program)
      }
      if let status = filter.status {
        conditions.append("a.status = ?")
        arguments.append(status.rawValue)
      }
      if let campaign = filter.campaign {
        conditions.append(
          "EXISTS (SELECT 1 FROM airing_item c WHERE c.airing_id = a.id AND c.campaign = ?)")
        arguments.append(campaign)
      }
      let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
      let items =
        withItems
        ? try Row.fetchCursor(
          db,
          sql: """
            SELECT i.* FROM airing_item i JOIN airing a ON a.id = i.airing_id \(whereClause)
            ORDER BY \(start), a.id, i.position
            """, arguments: StatementArguments(arguments)) : nil
      var pendingItem = try items?.next()
      // Columns by position: a million rows read faster than by name.
      let rows = try Row.fetchCursor(
        db,
        sql: """
          SELECT a.id, a.kind, a.program, a.title, a.planned_start, a.started_at, a.ended_at,
                 a.status, a.late_ms, a.played_s, a.frames, a.device, a.xruns, a.reason
          FROM airing a \(whereClause) ORDER BY \(start), a.id
          """, arguments: StatementArguments(arguments))
      while let row = try rows.next() {
        let id: Int64 = row[0]
        var airing = LoggedAiring(
          id: id, kind: AiringKind(rawValue: row[1]) ?? .program, program: row[2], title: row[3],
          plannedStart: date(row[4]), startedAt: date(row[5]), endedAt: date(row[6]),
          status: AiringStatus(rawValue: row[7]) ?? .interrupted, lateMilliseconds: row[8],
          playedSeconds: row[9], frames: row[10], device: row[11], xruns: row[12],
          reason: row[13], items: [])
        // Both cursors walk the same order: the items of this airing come next.
        while let item = pendingItem, (item["airing_id"] as Int64) == id {
          airing.items.append(
            LoggedItem(
              position: item["position"], kind: ItemKind(rawValue: item["kind"]) ?? .file,
              file: item["file"], sha256: item["sha256"], campaign: item["campaign"],
              planItem: item["plan_item"], plannedSeconds: item["planned_s"],
              startedAt: date(item["started_at"]), endedAt: date(item["ended_at"]),
              frames: item["frames"], playedSeconds: item["played_s"],
              status: AiringStatus(rawValue: item["status"]) ?? .interrupted,
              reason: item["reason"]))
          pendingItem = try items?.next()
        }
        try body(airing)
      }
    }
  }

  /// Outages that overlap `from..<to` (all when nil).
  public func outages(from: Date? = nil, to: Date? = nil) throws -> [Outage] {
    try database.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT from_at, to_at, reason FROM outage
          WHERE to_at > ? AND from_at < ? ORDER BY from_at
          """,
        arguments: [
          from?.timeIntervalSince1970 ?? -Double.infinity,
          to?.timeIntervalSince1970 ?? Double.infinity,
        ]
      ).map { row in
        Outage(
          from: Date(timeIntervalSince1970: row["from_at"]),
          to: Date(timeIntervalSince1970: row["to_at"]), reason: row["reason"])
      }
    }
  }

  /// `PRAGMA integrity_check`: "ok" when the file is sound.
  public func integrityCheck() throws -> String {
    try database.read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "" }
  }
}

private func date(_ seconds: Double?) -> Date? {
  seconds.map { Date(timeIntervalSince1970: $0) }
}
