import Foundation

/// Gives back the pages of code and read-only data that this program is
/// not using.
///
/// A statically linked Swift program touches megabytes of code once: to
/// parse its arguments and the schedule, plan, open the log, start an
/// airing. Those pages are clean copies of the executable file (the kernel
/// maps 64 KiB around each page touched), and they would count in the
/// daemon's resident memory for as long as it runs, although the kernel
/// could drop them at any time. The daemon drops them itself once such
/// one-off work is done: `MADV_DONTNEED` on the private, read-only mappings
/// of its executable (code, and the read-only data beside it: symbols, type
/// metadata); what it uses afterwards comes back from the page cache at its
/// next touch (a minor fault). Only mappings that cannot be written and
/// hold no written or swapped-out page are given back (relocated data would
/// come back unrelocated from the file). Libraries are left alone: one
/// being loaded on another thread (ALSA opens its plugins with the device)
/// is mapped and relocated in steps, and a range read from
/// `/proc/self/smaps` a moment earlier may no longer be clean.
///
/// Kept by measurement, not on principle: `loa run` on the sample station
/// through ALSA's `null` (release build, medians of 5 runs, the daemon
/// waiting / around an airing's start) is resident 16.1 / 22.8 MiB with
/// it and 25.1 / 29.6 MiB without (its `madvise` made a no-op with an
/// `LD_PRELOAD` shim), and PRODUCT §11 asks ≤ 24 MiB. Unlike the symbol
/// ordering it replaced, it needs no list of functions that decays as the
/// code changes: it gives back whatever was touched.
public enum ResidentMemory {
  public static func releaseUnusedCode() {
    guard let maps = try? String(contentsOfFile: "/proc/self/smaps", encoding: .utf8) else {
      return
    }
    let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
    var candidate: (start: UInt, end: UInt)?
    var written = 0
    func release() {
      if let (start, end) = candidate, written == 0 {
        madvise(UnsafeMutableRawPointer(bitPattern: start), Int(end - start), MADV_DONTNEED)
      }
      candidate = nil
    }
    for line in maps.split(separator: "\n") {
      let fields = line.split(separator: " ", omittingEmptySubsequences: true)
      if let range = fields.first, range.contains("-"), fields.count >= 5 {
        release()
        let bounds = range.split(separator: "-").compactMap { UInt($0, radix: 16) }
        let permissions = fields[1]
        guard bounds.count == 2, fields.count == 6, String(fields[5]) == executable,
          permissions == "r-xp" || permissions == "r--p"
        else { continue }
        candidate = (bounds[0], bounds[1])
        written = 0
      } else if fields.first == "Anonymous:" || fields.first == "Swap:", fields.count >= 2 {
        written += Int(fields[1]) ?? 1
      }
    }
    release()
  }
}
