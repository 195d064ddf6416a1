import Foundation

/// A real small disk: a tmpfs of `size` mounted on a folder of its own
/// (the tests run as root), unmounted with the object, and a file that
/// fills it to the last byte and is shrunk again, as another program's
/// would.
public final class SmallDisk {
  public let folder: TemporaryFolder
  public var path: String { folder.path }
  private var mounted = false

  /// - Parameter size: as `mount -o size=` takes it, e.g. "400k".
  public init(size: String = "400k") throws {
    folder = try TemporaryFolder()
    let status = try run(["/bin/mount", "-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
    guard status == 0 else { throw SmallDiskError(text: "mount -t tmpfs failed (\(status))") }
    mounted = true
  }

  deinit { unmount() }

  public func unmount() {
    guard mounted else { return }
    mounted = false
    _ = try? run(["/bin/umount", "-l", path])
  }

  public func path(_ name: String) -> String { folder.path(name) }

  /// Bytes free on the disk.
  public var bytesFree: Int {
    var disk = statvfs()
    guard statvfs(path, &disk) == 0 else { return 0 }
    return Int(disk.f_bavail) * Int(disk.f_frsize)
  }

  /// Writes `filler` until the disk has no room left; returns its size.
  @discardableResult
  public func fill() -> Int {
    let descriptor = open(path("filler"), O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { return 0 }
    defer { close(descriptor) }
    let block = [UInt8](repeating: 0x55, count: 4096)
    while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, 4096) }) > 0 {}
    while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, 1) }) > 0 {}
    fsync(descriptor)
    var info = stat()
    fstat(descriptor, &info)
    return Int(info.st_size)
  }

  /// Gives back all but `keep` bytes of the filler.
  public func shrinkFiller(to keep: Int = 0) {
    if keep == 0 {
      unlink(path("filler"))
    } else {
      truncate(path("filler"), off_t(keep))
    }
  }

  private func run(_ arguments: [String]) throws -> Int32 {
    let pid = try spawn(arguments, environment: [:], output: "/dev/null")
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return status
  }
}

struct SmallDiskError: Error, CustomStringConvertible {
  let text: String
  var description: String { text }
}
