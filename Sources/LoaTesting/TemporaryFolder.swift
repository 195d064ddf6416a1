import Foundation

/// A folder of its own under the system's temporary folder, removed with
/// the object.
public final class TemporaryFolder {
  public let url = FileManager.default.temporaryDirectory.appendingPathComponent(
    "loa-test-\(UUID().uuidString)")
  public init() throws {
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }
  deinit { try? FileManager.default.removeItem(at: url) }
  public var path: String { url.path }
  public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
}
