import Crypto
import Foundation

/// Copies an operator's file into the daemon's spool folder, in 1 MiB
/// pieces (a four-hour WAV never sits in memory), under the SHA-256 of its
/// content: the same file announced again has the same name, which tells
/// the daemon it is a retry.
enum SpoolCopy {
  struct Failure: Error, CustomStringConvertible {
    let description: String
    /// Refused for want of permission (EACCES, EPERM), not for a missing
    /// folder or a full disk.
    var isDenied = false

    /// The system's reason for the call that just failed.
    static func system() -> Failure {
      let number = errno
      return Failure(
        description: String(cString: strerror(number)),
        isDenied: number == EACCES || number == EPERM)
    }
  }

  /// The copy's path in `spool`.
  static func copy(_ path: String, into spool: String) throws -> String {
    guard let input = FileHandle(forReadingAtPath: path) else {
      throw Failure(description: "cannot read \(path)")
    }
    defer { try? input.close() }
    let temporary = spool + "/.copy-\(getpid())-\(UUID().uuidString)"
    // Readable by all (the state folder keeps others out), whatever the
    // original's owner and mode and the umask: the daemon reads it as loa.
    let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { throw Failure.system() }
    let output = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    guard fchmod(descriptor, 0o644) == 0 else {
      let failure = Failure.system()
      unlink(temporary)
      throw failure
    }
    var hasher = SHA256()
    do {
      defer { try? output.close() }
      while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
        hasher.update(data: chunk)
        try output.write(contentsOf: chunk)
      }
      try output.synchronize()
    } catch {
      unlink(temporary)
      throw Failure(description: "\(error)")
    }
    let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    let suffix = (path as NSString).pathExtension
    let target = spool + "/" + digest + (suffix.isEmpty ? "" : "." + suffix)
    // Renamed over a copy of the same content, if any; its time is now,
    // which keeps the daemon from cleaning it before it is announced.
    guard rename(temporary, target) == 0 else {
      let failure = Failure.system()
      unlink(temporary)
      throw failure
    }
    return target
  }
}
