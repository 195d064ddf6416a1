import Crypto
import Foundation

/// Copies an operator's file into the daemon's spool folder, in 1 MiB
/// pieces (a four-hour WAV never sits in memory), under the SHA-256 of its
/// content: the same file announced again has the same name, which tells
/// the daemon it is a retry.
enum SpoolCopy {
  struct Failure: Error, CustomStringConvertible {
    let description: String
  }

  /// The copy's path in `spool`.
  static func copy(_ path: String, into spool: String) throws -> String {
    guard let input = FileHandle(forReadingAtPath: path) else {
      throw Failure(description: "cannot read \(path)")
    }
    defer { try? input.close() }
    let temporary = spool + "/.copy-\(getpid())-\(UUID().uuidString)"
    // Readable by all (the state folder keeps others out), whatever the
    // original's owner and mode: the daemon reads it as loa.
    guard FileManager.default.createFile(atPath: temporary, contents: nil),
      chmod(temporary, 0o644) == 0, let output = FileHandle(forWritingAtPath: temporary)
    else {
      unlink(temporary)
      throw Failure(description: String(cString: strerror(errno)))
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
      let reason = String(cString: strerror(errno))
      unlink(temporary)
      throw Failure(description: reason)
    }
    return target
  }
}
