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

  /// Opens the log to read it (`loa log`, `loa report`); the file must exist.
  public static func openForReading(folder: String) throws -> AiringLog {
    let path = folder + "/airings.sqlite"
    guard FileManager.default.fileExists(atPath: path) else {
      throw LogError(
        description:
          "no airing log at '\(path)': nothing has been played with this state folder "
          + "(give the station's with --state DIR or LOA_STATE_DIR)")
    }
    let log = try AiringLog(path: path, writer: nil, durable: true)
    // A file no writer has set up yet (the daemon never started on it).
    guard (try? log.database.read { try $0.tableExists("airing_item") }) == true else {
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
      path: folder + "/airings.sqlite", writer: try WriterLock(folder: folder + "/log-writers"),
      durable: durable)
    try log.reconcile(now: now)
    return log
  }

  private init(path: String, writer: WriterLock?, durable: Bool) throws {
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
      database = try DatabaseQueue(path: path, configuration: configuration)
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
    }
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

  /// Closes what writers that died left open: their `playing` airings and
  /// items become `interrupted` at their last sign of life (a heartbeat or
  /// an item's time, whichever is latest), and a writer that beat leaves an
  /// outage from its last beat to `now`.
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
        let beat = try Row.fetchOne(
          db, sql: "SELECT started_at, at FROM heartbeat WHERE writer = ?", arguments: [token])
        let lastBeat: Double? = beat?["at"]
        let airings = try Int64.fetchAll(
          db, sql: "SELECT id FROM airing WHERE status = 'playing' AND writer = ?",
          arguments: [token])
        for id in airings {
          let lastItem =
            try Double.fetchOne(
              db,
              sql: """
                SELECT MAX(COALESCE(ended_at, started_at, 0)) FROM airing_item WHERE airing_id = ?
                """, arguments: [id]) ?? 0
          // Killed before anything went out: its planned start is the best
          // time there is.
          let started = try Double.fetchOne(
            db, sql: "SELECT COALESCE(started_at, planned_start) FROM airing WHERE id = ?",
            arguments: [id])
          let last = max(lastBeat ?? 0, lastItem, started ?? 0)
          let at = last > 0 ? last : now.timeIntervalSince1970
          let reason = "loa stopped while playing (power lost, killed or crashed)"
          try db.execute(
            sql: """
              UPDATE airing SET status = 'interrupted', ended_at = ?, reason = ?, writer = NULL
              WHERE id = ?
              """, arguments: [at, reason, id])
          try db.execute(
            sql: """
              UPDATE airing_item SET status = 'interrupted', reason = ?,
                ended_at = CASE WHEN started_at IS NOT NULL THEN ? END
              WHERE airing_id = ? AND status = 'playing'
              """, arguments: [reason, at, id])
        }
        if let lastBeat {
          try db.execute(
            sql: "INSERT INTO outage (from_at, to_at, reason) VALUES (?, ?, ?)",
            arguments: [
              lastBeat, now.timeIntervalSince1970, "loa was not running (no heartbeat)",
            ])
          try db.execute(sql: "DELETE FROM heartbeat WHERE writer = ?", arguments: [token])
          let outage = Outage(
            from: Date(timeIntervalSince1970: lastBeat), to: now,
            reason: "loa was not running (no heartbeat)")
          outagesRecorded.withLock { $0.append(outage) }
        }
        WriterLock.remove(token, in: writer.folder)
      }
    }
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
