import Foundation
import Synchronization

/// Watches the folders that hold the schedule's files with inotify, and
/// posts a reload when a `.yaml` file in them is written, replaced (editors
/// save by renaming), created or removed. A thread of its own blocks in
/// `read`: no polling, no CPU while nothing changes.
public final class ScheduleWatcher: Sendable {
  private let descriptor: Int32
  private let watches: [Int32]
  private let stopped = Atomic(false)

  /// Starts watching the folders of `files`; nil (with a message) when the
  /// system refuses, and the daemon then reloads on SIGHUP only.
  public init?(files: [String], mailbox: Mailbox, say: @escaping @Sendable (String) -> Void) {
    descriptor = inotify_init1(Int32(IN_CLOEXEC))
    guard descriptor >= 0 else {
      say(
        "cannot watch the schedule files (\(String(cString: strerror(errno)))); reload with SIGHUP")
      return nil
    }
    let folders = Set(files.map { URL(fileURLWithPath: $0).deletingLastPathComponent().path })
    let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE)
    var watches: [Int32] = []
    for folder in folders {
      let watch = inotify_add_watch(descriptor, folder, mask)
      guard watch >= 0 else {
        say("cannot watch \(folder) (\(String(cString: strerror(errno)))); reload with SIGHUP")
        continue
      }
      watches.append(watch)
    }
    self.watches = watches
    let descriptor = descriptor
    let thread = Thread { [self] in
      let size = 64 * 1024
      let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
      defer { buffer.deallocate() }
      while true {
        let count = read(descriptor, buffer, size)
        if count < 0, errno == EINTR { continue }
        guard count > 0, !self.stopped.load(ordering: .acquiring) else {
          _ = close(descriptor)
          return
        }
        var names: [String] = []
        var offset = 0
        while offset + MemoryLayout<inotify_event>.size <= count {
          let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
          let nameStart = offset + MemoryLayout<inotify_event>.size
          // Events were lost, or a folder went away: look at everything again.
          if event.mask & UInt32(IN_Q_OVERFLOW | IN_IGNORED) != 0 { names.append("a folder") }
          if event.len > 0 {
            let name = String(cString: (buffer + nameStart).assumingMemoryBound(to: CChar.self))
            if name.hasSuffix(".yaml") || name.hasSuffix(".yml") { names.append(name) }
          }
          offset = nameStart + Int(event.len)
        }
        if let name = names.first { mailbox.post(.reload("\(name) changed")) }
      }
    }
    thread.name = "loa-watcher"
    thread.start()
  }

  /// Stops watching: the watches removed wake the thread, which ends.
  public func stop() {
    stopped.store(true, ordering: .releasing)
    for watch in watches { inotify_rm_watch(descriptor, watch) }
  }
}
