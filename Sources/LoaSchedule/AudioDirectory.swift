import Foundation

/// Reads what the planner needs to know of an audio file. The audio
/// library implements it with libsndfile; tests may give a table.
public protocol AudioProbe: Sendable {
  /// The playing time of the file, or an error saying why it cannot be
  /// decoded. `station` is where it will play (a probe that also measures
  /// loudness measures it in the station's channels).
  func duration(ofFileAt path: String, for station: Station) throws -> Duration
}

/// The folder every audio file of a station lives under. It finds the file
/// a schedule names even when the name on disk is in another Unicode
/// normalization (NFD from a Mac, NFC from Windows), and refuses any path
/// that leaves the folder, by `..` or through a symbolic link.
struct AudioDirectory {
  enum Problem: Error, Equatable {
    case absolute
    case leavesDirectory
    case missing(name: String, folder: String, suggestion: String?)
    case ambiguous(name: String, folder: String)
    case escapesThroughLink(target: String)
    case notAFile
    /// A folder on the way that exists but cannot be listed (permission
    /// denied, not a folder): `reason` is the system's.
    case unreadable(folder: String, reason: String)
  }

  let root: String
  private let realRoot: String?
  private var listings: [String: [String]] = [:]

  init(root: String) {
    self.root = root
    realRoot = RealPath.of(root)
  }

  var exists: Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: root, isDirectory: &isDirectory)
      && isDirectory.boolValue
  }

  /// The absolute path of the file the schedule means by `path`.
  mutating func resolve(_ path: String) -> Result<String, Problem> {
    guard !path.hasPrefix("/") else { return .failure(.absolute) }
    let components = path.split(separator: "/").map(String.init).filter { $0 != "." }
    guard !components.contains("..") else { return .failure(.leavesDirectory) }
    var current = root
    for component in components {
      let wanted = component.precomposedStringWithCanonicalMapping
      let entries: [String]
      switch listing(of: current) {
      case .success(let listed): entries = listed
      case .failure(let problem): return .failure(problem)
      }
      let matches = entries.filter { $0.precomposedStringWithCanonicalMapping == wanted }
      guard let match = matches.first else {
        let folder = String(current.dropFirst(root.count).drop { $0 == "/" })
        let near = suggestion(
          for: wanted, among: entries.map { $0.precomposedStringWithCanonicalMapping })
        return .failure(.missing(name: component, folder: folder, suggestion: near))
      }
      guard matches.count == 1 else {
        return .failure(.ambiguous(name: component, folder: current))
      }
      current += "/" + match
    }
    guard let real = RealPath.of(current), let realRoot else {
      return .failure(.missing(name: path, folder: "", suggestion: nil))
    }
    guard RealPath.is(real, inside: realRoot) else {
      return .failure(.escapesThroughLink(target: real))
    }
    // A folder, or a FIFO or device that would block whoever opens it.
    guard RealPath.isRegularFile(real) else { return .failure(.notAFile) }
    return .success(current)
  }

  /// The names in `folder`; none when it does not exist (the name looked
  /// for is then not found), the system's reason when it cannot be read.
  private mutating func listing(of folder: String) -> Result<[String], Problem> {
    if let cached = listings[folder] { return .success(cached) }
    guard let handle = opendir(folder) else {
      let code = errno
      if code == ENOENT { return .success([]) }
      let relative = String(folder.dropFirst(root.count).drop { $0 == "/" })
      return .failure(.unreadable(folder: relative, reason: String(cString: strerror(code))))
    }
    defer { closedir(handle) }
    var entries: [String] = []
    while let entry = readdir(handle) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
        String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
      }
      if name != "." && name != ".." { entries.append(name) }
    }
    listings[folder] = entries
    return .success(entries)
  }

}

/// Paths with their symbolic links resolved, to tell whether a file lies
/// inside a folder (the schedule's audio, an announcement's file).
public enum RealPath {
  /// The absolute path with no `.`, `..` or symbolic link; nil when it
  /// does not exist.
  public static func of(_ path: String) -> String? {
    guard let resolved = realpath(path, nil) else { return nil }
    defer { free(resolved) }
    return String(cString: resolved)
  }

  /// Whether the real path `path` lies under the real path `folder`.
  public static func `is`(_ path: String, inside folder: String) -> Bool {
    path.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/")
  }

  /// Whether `path` (its links followed) is a regular file: not a folder,
  /// nor a FIFO or a device, which block or never end when opened. Checked
  /// with `stat`, before anything opens it.
  public static func isRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFREG
  }

  /// The real path of `path` when it lies inside one of `folders`.
  public static func of(_ path: String, inside folders: [String]) -> String? {
    guard let real = of(path) else { return nil }
    return folders.contains { of($0).map { `is`(real, inside: $0) } ?? false } ? real : nil
  }
}

extension AudioDirectory.Problem {
  func message(for path: String) -> String {
    switch self {
    case .absolute:
      "audio file '\(path)' must be a path inside audio_dir, not an absolute path"
    case .leavesDirectory:
      "audio file '\(path)' must stay inside audio_dir: '..' is not allowed"
    case .missing(let name, let folder, let suggestion):
      "audio file '\(path)' not found: no '\(name)' in "
        + (folder.isEmpty ? "audio_dir" : "'\(folder)'")
        + (suggestion.map { " (did you mean '\($0)'?)" } ?? "")
    case .ambiguous(let name, let folder):
      "audio file '\(path)' is ambiguous: '\(folder)' holds two names that differ only in "
        + "Unicode normalization ('\(name)'); rename one"
    case .escapesThroughLink(let target):
      "audio file '\(path)' is a symbolic link that leads outside audio_dir (to '\(target)')"
    case .notAFile:
      "audio file '\(path)' is not a regular file (a folder, a FIFO or a device)"
    case .unreadable(let folder, let reason):
      "audio file '\(path)' cannot be read: "
        + (folder.isEmpty ? "audio_dir" : "folder '\(folder)'")
        + " cannot be listed: \(reason) (can the user loa runs as read it?)"
    }
  }
}
