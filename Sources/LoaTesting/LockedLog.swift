import Foundation
import GRDB

/// Holds the SQLite database at `path` locked, as another process's
/// connection would, from now until `release`, on a thread of its own: a
/// writer waits meanwhile (a daemon's loop hangs, a recorder is stuck).
public func holdLocked(_ path: String, until release: Date) throws {
  let database = try DatabaseQueue(path: path)
  let hold = Thread {
    try? database.writeWithoutTransaction { db in
      try db.execute(sql: "BEGIN EXCLUSIVE")
      Thread.sleep(until: release)
      try db.execute(sql: "ROLLBACK")
    }
  }
  hold.start()
}
