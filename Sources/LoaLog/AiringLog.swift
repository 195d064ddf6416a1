import Foundation
import GRDB
import Synchronization

/// An error from the log, naming the file and what to do.
public struct LogError: Error, Sendable, CustomStringConvertible {
  public let description: String
}

/// The airing log of a station: `airings.sqlite` in its state folder.
///
/// SQLite in WAL mode with `synchronous = FULL`: a write returns once it is
/// on disk, so an airing begun is never lost to a crash or a power cut.
/// Several processes may write (the daemon, `loa play`); each holds a lock
/// file while it lives, so that rows left `playing` by one that died are
/// told from rows still playing, and closed as `interrupted` by the next
/// writer that opens the log.
///
/// Thread-safe: one GRDB queue serializes every access (a pool's reader
/// connections would cost memory that a process playing audio does not
/// need).
///
/// This file opens and writes the log and reconciles it;
/// `AiringLogReading.swift` reads it.
public final class AiringLog: Sendable {
  public let path: String
  let database: DatabaseQueue
  /// This process's writer token and its held lock; nil when reading only.
  private let writer: WriterLock?
  private let outagesRecorded = Mutex<[Outage]>([])
  /// Pages the WAL may hold before it is checkpointed: 64 KiB, a few
  /// airings' writes (SQLite's default is 4 MiB).
  public static let walPages = 16

  /// The outages this writer recorded when it reconciled the log: the time
  /// loa was not running before this process, oldest first.
  public var outagesClosed: [Outage] { outagesRecorded.withLock { $0 } }

  /// The log's file in a state folder.
  private static func file(in folder: String) -> String { folder + "/airings.sqlite" }

  /// Whether the state folder has a log.
  public static func exists(folder: String) -> Bool {
    FileManager.default.fileExists(atPath: file(in: folder))
  }

  /// Opens the log to read it (`loa log`, `loa report`); the file must exist.
  public static func openForReading(folder: String) throws -> AiringLog {
    let path = file(in: folder)
    guard exists(folder: folder) else {
      throw LogError(
        description:
          "no airing log at '\(path)': nothing has been played with this state folder "
          + "(give the station's with --state DIR or LOA_STATE_DIR)")
    }
    var log = try AiringLog(path: path, writer: nil, durable: true)
    var isSetUp: Bool
    do {
      isSetUp = try log.database.read { try $0.tableExists("airing_item") }
    } catch  where walIsEmpty(path) {
      // A full disk has no room for the index every reader of a log in WAL
      // mode makes; with nothing waiting in the WAL, the file is the whole
      // log, and read as it is.
      log = try AiringLog(path: path, writer: nil, durable: true, immutable: true)
      isSetUp = try log.database.read { try $0.tableExists("airing_item") }
    }
    // A file no writer has set up yet (the daemon never started on it).
    guard isSetUp else {
      throw LogError(
        description: "the airing log '\(path)' is empty: nothing has been logged in it yet")
    }
    return log
  }

  /// Opens the log to write it, creating it if needed, and closes what
  /// writers that died left open (see `reconcile`).
  ///
  /// - Parameter durable: sync every commit to disk. Only a bulk import
  ///   (a benchmark's year of airings) turns it off.
  public static func openForWriting(folder: String, now: Date = Date(), durable: Bool = true)
    throws -> AiringLog
  {
    try makeFolders(folder + "/log-writers")
    let log = try AiringLog(
      path: file(in: folder), writer: try WriterLock(folder: folder + "/log-writers"),
      durable: durable)
    try log.reconcile(now: now)
    return log
  }

  /// No WAL beside the log at `path`, or an empty one.
  private static func walIsEmpty(_ path: String) -> Bool {
    var info = stat()
    return stat(path + "-wal", &info) != 0 || info.st_size == 0
  }

  /// - Parameter immutable: read the file as it is, with no locks and no
  ///   WAL: only for a reader, when nothing waits in the WAL.
  private init(path: String, writer: WriterLock?, durable: Bool, immutable: Bool = false) throws {
    self.path = path
    self.writer = writer
    var configuration = Configuration()
    configuration.busyMode = .timeout(10)
    configuration.readonly = writer == nil
    configuration.prepareDatabase { db in
      // In WAL mode, FULL syncs the log at every commit: durable, not only atomic.
      try db.execute(sql: durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF")
      if !db.configuration.readonly {
        try db.execute(sql: "PRAGMA journal_mode = WAL")
        // A short WAL, checkpointed often and cut back to its limit: on a
        // small disk, space freed is usable at once, not after megabytes.
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(AiringLog.walPages)")
        try db.execute(sql: "PRAGMA journal_size_limit = \(AiringLog.walPages * 4096)")
      }
    }
    do {
      // A URI, which Debian's SQLite takes as a file name (it is built
      // with SQLITE_USE_URI; GRDB does not ask for URIs itself).
      let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
      let location =
        immutable ? (path.hasPrefix("/") ? "file://" : "file:") + encoded + "?immutable=1" : path
      database = try DatabaseQueue(path: location, configuration: configuration)
      if writer != nil { try Schema.migrator.migrate(database) }
    } catch {
      throw LogError(description: "cannot open the airing log '\(path)': \(error)")
    }
  }

  // MARK: Writing

  /// Logs an airing as `playing`, with its items, before its first frame
  /// plays; returns its id.
  public func begin(_ entry: AiringEntry) throws -> Int64 {
    try database.write { db in
      try insert(entry, status: .playing, reason: nil, in: db)
    }
  }

  /// Logs an airing that did not play (`missed`, `skipped`) with its reason.
  /// An airing already logged for the same program and planned start is
  /// left as it is, so that recording twice counts once.
  @discardableResult
  public func record(_ entry: AiringEntry, status: AiringStatus, reason: String) throws -> Int64? {
    try database.write { db in
      if let program = entry.program, let planned = entry.plannedStart,
        try Int64.fetchOne(
          db, sql: "SELECT id FROM airing WHERE program = ? AND planned_start = ?",
          arguments: [program, planned.timeIntervalSince1970]) != nil
      {
        return nil
      }
      return try insert(entry, status: status, reason: reason, in: db)
    }
  }

  private func insert(
    _ entry: AiringEntry, status: AiringStatus, reason: String?, in db: Database
  ) throws -> Int64 {
    try db.execute(
      sql: """
        INSERT INTO airing (kind, program, title, planned_start, status, device, reason, writer)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        entry.kind.rawValue, entry.program, entry.title, entry.plannedStart?.timeIntervalSince1970,
        status.rawValue, entry.device, reason, status == .playing ? writer?.token : nil,
      ])
    let id = db.lastInsertedRowID
    let itemStatus = status == .playing ? AiringStatus.playing : status
    for (position, item) in entry.items.enumerated() {
      try db.execute(
        sql: """
          INSERT INTO airing_item
            (airing_id, position, kind, file, sha256, campaign, plan_item, planned_s, status, reason)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
          """,
        arguments: [
          id, position, item.kind.rawValue, item.file, item.sha256, item.campaign, item.planItem,
          item.plannedSeconds, itemStatus.rawValue, status == .playing ? nil : reason,
        ])
    }
    return id
  }

  /// Records when an item's first frame went out.
  public func itemStarted(airing: Int64, position: Int, at time: Date) throws {
    try database.write { db in
      try db.execute(
        sql: "UPDATE airing_item SET started_at = ? WHERE airing_id = ? AND position = ?",
        arguments: [time.timeIntervalSince1970, airing, position])
      try markAlive(at: time, in: db)
    }
  }

  /// Records how an item ended.
  public func itemEnded(airing: Int64, position: Int, _ outcome: Outcome) throws {
    try database.write { db in
      try db.execute(
        sql: """
          UPDATE airing_item
          SET started_at = COALESCE(?, started_at), ended_at = ?, frames = ?, played_s = ?,
              status = ?, reason = ?
          WHERE airing_id = ? AND position = ?
          """,
        arguments: [
          outcome.startedAt?.timeIntervalSince1970, outcome.endedAt.timeIntervalSince1970,
          outcome.frames, outcome.playedSeconds, outcome.status.rawValue, outcome.reason, airing,
          position,
        ])
      try markAlive(at: outcome.endedAt, in: db)
    }
  }

  /// Closes an airing with its status. Items that never started take the
  /// airing's status and reason.
  public func finish(
    airing: Int64, _ outcome: Outcome, lateMilliseconds: Int?, xruns: Int
  ) throws {
    try database.write { db in
      try db.execute(
        sql: """
          UPDATE airing
          SET status = ?, started_at = ?, ended_at = ?, late_ms = ?, played_s = ?, frames = ?,
              xruns = ?, reason = ?, writer = NULL
          WHERE id = ?
          """,
        arguments: [
          outcome.status.rawValue, outcome.startedAt?.timeIntervalSince1970,
          outcome.endedAt.timeIntervalSince1970, lateMilliseconds, outcome.playedSeconds,
          outcome.frames, xruns, outcome.reason, airing,
        ])
      try db.execute(
        sql: """
          UPDATE airing_item SET status = ?, reason = ?
          WHERE airing_id = ? AND status = 'playing'
          """,
        arguments: [
          outcome.status == .completed ? AiringStatus.skipped.rawValue : outcome.status.rawValue,
          outcome.reason ?? "the airing ended before this item", airing,
        ])
      try markAlive(at: outcome.endedAt, in: db)
    }
  }

  /// A writer that beats was alive when it logged what happened at `time`:
  /// an outage after it begins no earlier. A time still to come (an item's
  /// end, written as the player hands its last frame over) counts as now.
  private func markAlive(at time: Date, in db: Database) throws {
    guard let writer else { return }
    try db.execute(
      sql: "UPDATE heartbeat SET at = MAX(at, ?) WHERE writer = ?",
      arguments: [min(time, Date()).timeIntervalSince1970, writer.token])
  }

  /// Marks this writer alive at `time`; the daemon beats every minute or so,
  /// and the gap after its last beat is an outage when it next starts.
  public func heartbeat(at time: Date) throws {
    guard let writer else { return }
    try database.write { db in
      try db.execute(
        sql: """
          INSERT INTO heartbeat (writer, started_at, at) VALUES (?, ?, ?)
          ON CONFLICT (writer) DO UPDATE SET at = excluded.at
          """,
        arguments: [writer.token, time.timeIntervalSince1970, time.timeIntervalSince1970])
    }
  }

  // MARK: Reconciliation

  /// Closes what writers that died left open, by what they logged as they
  /// went: items as they were written, and, from a writer that beats (the
  /// daemon), a sign of life when it armed an airing, when its first frame
  /// had gone out, and every second on air.
  /// - an airing of which nothing went out (no item started by the last
  ///   sign of life) is taken out of the log when it was planned, so that
  ///   the next run starts it late within catch-up (or logs it missed), and
  ///   is logged `missed` otherwise;
  /// - one that went out is `interrupted`, heard from its first item's
  ///   start until the writer's last sign of life;
  /// - a writer that beat leaves an outage from its last sign of life to
  ///   `now`, which no airing it logged overlaps.
  public func reconcile(now: Date) throws {
    guard let writer else { return }
    try database.write { db in
      let tokens = try String.fetchAll(
        db,
        sql: """
          SELECT writer FROM airing WHERE status = 'playing' AND writer IS NOT NULL
          UNION SELECT writer FROM heartbeat
          """)
      for token in tokens
      where token != writer.token && !WriterLock.isAlive(token, in: writer.folder) {
        let lastBeat = try Double.fetchOne(
          db, sql: "SELECT at FROM heartbeat WHERE writer = ?", arguments: [token])
        let airings = try Int64.fetchAll(
          db, sql: "SELECT id FROM airing WHERE status = 'playing' AND writer = ?",
          arguments: [token])
        for id in airings {
          try close(airing: id, lastSignOfLife: lastBeat, now: now, in: db)
        }
        if let lastBeat {
          let outage = Outage(
            from: Date(timeIntervalSince1970: lastBeat), to: now,
            reason: "loa was not running (no heartbeat)")
          try db.execute(
            sql: "INSERT INTO outage (from_at, to_at, reason) VALUES (?, ?, ?)",
            arguments: [lastBeat, now.timeIntervalSince1970, outage.reason])
          try db.execute(sql: "DELETE FROM heartbeat WHERE writer = ?", arguments: [token])
          outagesRecorded.withLock { $0.append(outage) }
        }
        WriterLock.remove(token, in: writer.folder)
      }
    }
  }

  /// Closes airing `id` of a writer that died (see `reconcile`).
  private func close(airing id: Int64, lastSignOfLife: Double?, now: Date, in db: Database)
    throws
  {
    let airing = try Row.fetchOne(
      db, sql: "SELECT program, planned_start FROM airing WHERE id = ?", arguments: [id])
    let planned: Double? = airing?["planned_start"]
    let firstItem = try Double.fetchOne(
      db, sql: "SELECT MIN(started_at) FROM airing_item WHERE airing_id = ?", arguments: [id])
    guard let firstFrame = firstItem, firstFrame <= lastSignOfLife ?? firstFrame else {
      if airing?["program"] as String? != nil, planned != nil {
        try db.execute(sql: "DELETE FROM airing_item WHERE airing_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM airing WHERE id = ?", arguments: [id])
        return
      }
      let reason = "loa stopped before it went out (power lost, killed or crashed)"
      try db.execute(
        sql: """
          UPDATE airing SET status = 'missed', ended_at = ?, reason = ?, writer = NULL
          WHERE id = ?
          """, arguments: [lastSignOfLife ?? now.timeIntervalSince1970, reason, id])
      try db.execute(
        sql: "UPDATE airing_item SET status = 'missed', reason = ? WHERE airing_id = ?",
        arguments: [reason, id])
      return
    }
    // The item that was playing was heard until the last sign of life;
    // those written ahead of it, not at all.
    let reason = "loa stopped while playing (power lost, killed or crashed)"
    if let lastSignOfLife {
      try db.execute(
        sql: """
          UPDATE airing_item SET status = 'skipped', reason = ?, started_at = NULL,
            ended_at = NULL, frames = NULL, played_s = NULL
          WHERE airing_id = ? AND started_at > ?
          """,
        arguments: ["not reached: " + reason, id, lastSignOfLife])
    }
    try db.execute(
      sql: """
        UPDATE airing_item SET status = 'interrupted', reason = ?,
          ended_at = MAX(started_at, COALESCE(?, started_at)),
          played_s = MAX(started_at, COALESCE(?, started_at)) - started_at
        WHERE airing_id = ? AND status = 'playing' AND started_at IS NOT NULL
        """, arguments: [reason, lastSignOfLife, lastSignOfLife, id])
    try db.execute(
      sql: """
        UPDATE airing_item SET status = 'interrupted', reason = ?
        WHERE airing_id = ? AND status = 'playing'
        """, arguments: [reason, id])
    let heard = try Row.fetchOne(
      db,
      sql: """
        SELECT MAX(COALESCE(ended_at, started_at)) AS until, SUM(COALESCE(played_s, 0)) AS played
        FROM airing_item WHERE airing_id = ?
        """, arguments: [id])
    // Items written ahead of the death were not heard after it.
    let alive = lastSignOfLife ?? .infinity
    let until = min(heard?["until"] ?? firstFrame, max(alive, firstFrame))
    let played = min(heard?["played"] ?? 0, until - firstFrame)
    try db.execute(
      sql: """
        UPDATE airing SET status = 'interrupted', started_at = ?, ended_at = ?, played_s = ?,
          late_ms = CASE WHEN planned_start IS NOT NULL
            THEN CAST(ROUND((? - planned_start) * 1000) AS INTEGER) END,
          reason = ?, writer = NULL
        WHERE id = ?
        """, arguments: [firstFrame, until, played, firstFrame, reason, id])
  }
}

/// `mkdir -p`, by system calls: Foundation's `FileManager` would bring
/// megabytes of its machinery into a process that only plays audio.
private func makeFolders(_ path: String) throws {
  var prefix = path.hasPrefix("/") ? "" : "."
  for part in path.split(separator: "/") {
    prefix += "/" + part
    if mkdir(prefix, 0o755) != 0, errno != EEXIST {
      throw LogError(
        description:
          "cannot create the state folder '\(prefix)': \(String(cString: strerror(errno))) "
          + "(give a writable one with --state DIR or LOA_STATE_DIR)")
    }
  }
}
