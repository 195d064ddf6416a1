import GRDB

/// The one place where the log's schema is written, as migrations.
///
/// Times are REAL seconds since 1970 (UTC), so that ranges compare as
/// numbers and a million rows read without parsing dates.
enum Schema {
  static var migrator: DatabaseMigrator {
    var migrator = DatabaseMigrator()
    migrator.registerMigration("v1: airings, items, heartbeats, outages") { db in
      try db.execute(
        sql: """
          CREATE TABLE airing (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            program TEXT,
            title TEXT NOT NULL,
            planned_start REAL,
            started_at REAL,
            ended_at REAL,
            status TEXT NOT NULL,
            late_ms INTEGER,
            played_s REAL,
            frames INTEGER,
            device TEXT,
            xruns INTEGER NOT NULL DEFAULT 0,
            reason TEXT,
            -- The process that writes the row while it plays.
            writer TEXT,
            -- A planned airing is logged once.
            UNIQUE (program, planned_start)
          );
          -- The order every reader wants: by planned start, else actual start
          -- (manual airings have no plan).
          CREATE INDEX airing_by_start ON airing(COALESCE(planned_start, started_at), id);
          CREATE INDEX airing_by_status ON airing(status);

          CREATE TABLE airing_item (
            airing_id INTEGER NOT NULL REFERENCES airing(id) ON DELETE CASCADE,
            position INTEGER NOT NULL,
            kind TEXT NOT NULL,
            file TEXT,
            sha256 TEXT,
            campaign TEXT,
            plan_item TEXT,
            planned_s REAL NOT NULL,
            started_at REAL,
            ended_at REAL,
            frames INTEGER,
            played_s REAL,
            status TEXT NOT NULL,
            reason TEXT,
            PRIMARY KEY (airing_id, position)
          );
          CREATE INDEX airing_item_by_campaign ON airing_item(campaign);

          -- The last sign of life of each writer that beats (the daemon).
          CREATE TABLE heartbeat (
            writer TEXT PRIMARY KEY,
            started_at REAL NOT NULL,
            at REAL NOT NULL
          );

          CREATE TABLE outage (
            id INTEGER PRIMARY KEY,
            from_at REAL NOT NULL,
            to_at REAL NOT NULL,
            reason TEXT NOT NULL
          );
          """)
    }
    return migrator
  }
}
