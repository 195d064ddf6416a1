import Foundation
import GRDB

/// Space held back on the log's disk: a file of `size` bytes allocated
/// ahead (`posix_fallocate`), `log-reserve` in the state folder.
///
/// When another file fills the disk, the log's next write fails; the
/// writer then lets the reserve go, and the rows of the airing under way
/// (and its checkpoint) still fit, while the full disk is reported. Once
/// space is back the reserve is made again.
public final class DiskReserve: Sendable {
  public let path: String
  public let size: Int

  /// 128 KiB: an airing's rows and a checkpoint of the log's short WAL
  /// (`AiringLog.walPages`) with room to spare.
  public static let defaultSize = 128 * 1024

  public init(folder: String, size: Int = DiskReserve.defaultSize) {
    path = folder + "/log-reserve"
    self.size = size
  }

  /// Whether the reserve is there, whole.
  public var isHeld: Bool {
    var info = stat()
    return stat(path, &info) == 0 && Int(info.st_blocks) * 512 >= size
  }

  /// Allocates the reserve if it is not held; false (and no file left
  /// behind) when the disk has not that much room.
  @discardableResult
  public func make() -> Bool {
    if isHeld { return true }
    // Not by filling the disk to learn it is too full: others write there.
    if bytesFree < size { return false }
    let descriptor = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    let result = posix_fallocate(descriptor, 0, off_t(size))
    let synced = result == 0 && fsync(descriptor) == 0
    close(descriptor)
    if !synced { unlink(path) }
    return synced
  }

  /// Bytes free on the disk, beside the reserve.
  public var bytesFree: Int {
    var disk = statvfs()
    guard statvfs((path as NSString).deletingLastPathComponent, &disk) == 0 else { return 0 }
    return Int(disk.f_bavail) * Int(disk.f_frsize)
  }

  /// What is wrong with the room the log has, if anything: the reserve
  /// cannot be made, or the disk beside it has less than `needed` bytes
  /// free, so that the next airings will take the reserve.
  public func shortage(needing needed: Int) -> String? {
    guard make() else { return "no room for the log's reserve of \(size / 1024) KiB" }
    let free = bytesFree
    guard free < needed else { return nil }
    return "only \(free / 1024) KiB free beside the log's reserve"
  }

  /// Gives the reserve's space back to the disk.
  public func release() {
    unlink(path)
  }
}

extension AiringLog {
  /// What the disk said, when `error` says it is full or failing (not a
  /// bug, nor a lock): a write that failed so may succeed once there is
  /// space. Nil for any other error.
  public static func diskTrouble(_ error: any Error) -> String? {
    guard let error = error as? DatabaseError,
      [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_CANTOPEN].contains(error.resultCode)
    else { return nil }
    return error.message ?? "SQLite error \(error.resultCode.rawValue)"
  }

  /// Copies the WAL into the database and truncates it, so that the space
  /// it took is the disk's again.
  public func checkpoint() throws {
    try database.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
    }
  }
}
