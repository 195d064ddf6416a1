import Foundation

/// How large a schedule may be. A commune station airs a handful of
/// programs a day; these are far beyond that, and low enough that
/// validating, loading and planning stay within seconds and a few hundred
/// megabytes on a small box (100,000 programs took 150 s and 12.7 GB to
/// validate, and the daemon's loop a full core). A schedule past a limit
/// is refused with an error at the first value beyond it, before any
/// audio is measured or any day planned. Documented in the README.
public enum ScheduleLimits {
  /// Bytes of schedule: one file, or a folder's files together. Checked
  /// before each file is read.
  public static let bytes = 1 << 20
  /// Programs, campaigns, announcements and holidays of its own, each, in
  /// the whole schedule (all the files of a folder together).
  public static let entries = 1_000

  /// The size of `file`, and an error when reading it would take the
  /// schedule past `bytes` with `read` bytes read before it, or would
  /// never end (a FIFO, a device).
  static func checkSize(of file: String, after read: Int) -> (size: Int, refusal: Diagnostic?) {
    var info = stat()
    guard stat(file, &info) == 0 else { return (0, nil) }
    guard info.st_mode & S_IFMT == S_IFREG else {
      return (
        0,
        .error(
          "not a regular file (a FIFO or a device): a schedule is read from files",
          at: SourceLocation(file: file, line: 1, column: 1))
      )
    }
    let size = Int(info.st_size)
    guard read + size > bytes else { return (size, nil) }
    return (
      size,
      .error(
        "the schedule is larger than \(bytes / 1024) KiB"
          + (read > 0 ? " with this file" : " (\(size / 1024) KiB)")
          + "; remove what no longer airs", at: SourceLocation(file: file, line: 1, column: 1))
    )
  }

  /// An error at the first program, campaign, announcement or holiday
  /// beyond `entries`.
  static func checkEntries(of schedule: Schedule) -> [Diagnostic] {
    func check(_ kind: String, _ locations: [SourceLocation?]) -> Diagnostic? {
      guard locations.count > entries else { return nil }
      return .error(
        "more than \(entries) \(kind) (\(locations.count)); a schedule holds at most "
          + "\(entries): remove those that no longer air",
        at: locations[entries])
    }
    return [
      check("programs", schedule.programs.map(\.location)),
      check("campaigns", schedule.campaigns.map(\.location)),
      check("announcements", schedule.announcements.map(\.location)),
      check("holidays", schedule.holidays.map { schedule.definitions[$0.id] }),
    ].compactMap { $0 }
  }
}
