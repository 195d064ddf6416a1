import Foundation

/// A lock file a process holds while it writes the log,
/// `log-writers/TOKEN.lock`: the kernel lets go of it when the process
/// ends, however it ends, so another process can tell a writer that died
/// from one still at work.
final class WriterLock: Sendable {
  /// Written into the rows this process is playing.
  let token: String
  let folder: String
  private let descriptor: Int32

  init(folder: String) throws {
    token = UUID().uuidString
    self.folder = folder
    let path = Self.path(token, in: folder)
    descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
    guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
      throw LogError(
        description: "cannot lock '\(path)': \(String(cString: strerror(errno)))")
    }
  }

  deinit {
    unlink(Self.path(token, in: folder))
    close(descriptor)
  }

  /// Whether the writer `token` still holds its lock.
  static func isAlive(_ token: String, in folder: String) -> Bool {
    let descriptor = open(path(token, in: folder), O_RDWR | O_CLOEXEC)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    return flock(descriptor, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK
  }

  static func remove(_ token: String, in folder: String) {
    unlink(path(token, in: folder))
  }

  private static func path(_ token: String, in folder: String) -> String {
    "\(folder)/\(token).lock"
  }
}
