import Foundation
import LoaTesting
import Testing

/// Runs a program; its exit status and what it printed (both streams).
private func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
  let process = Process()
  process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
  process.arguments = arguments
  process.currentDirectoryURL = repository
  process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
  let folder = try TemporaryFolder()
  let output = folder.path("output")
  _ = FileManager.default.createFile(atPath: output, contents: nil)
  let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
  process.standardOutput = handle
  process.standardError = handle
  try process.run()
  process.waitUntilExit()
  try handle.close()
  let text = try String(contentsOfFile: output, encoding: .utf8)
  return Run(status: process.terminationStatus, output: text, errors: text)
}

@Suite("The systemd unit, the sysusers file and the install target")
struct SystemdTests {
  let unit = repository.appendingPathComponent("systemd/loa.service").path

  @Test("systemd-analyze verify finds nothing wrong with the unit")
  func verify() throws {
    // The unit as installed, but starting the binary built here.
    let folder = try TemporaryFolder()
    let text = try String(contentsOfFile: unit, encoding: .utf8)
    #expect(text.contains("ExecStart=/usr/local/bin/loa run\n"))
    try text.replacingOccurrences(of: "/usr/local/bin/loa", with: loaBinary)
      .write(toFile: folder.path("loa.service"), atomically: true, encoding: .utf8)
    let result = try run(["systemd-analyze", "verify", folder.path("loa.service")])
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.isEmpty, "\(result.output)")
  }

  @Test("systemd-analyze security rates the unit at most 1.0")
  func security() throws {
    let result = try run(["systemd-analyze", "security", "--offline=yes", unit])
    #expect(result.status == 0, "\(result.output)")
    let line = result.output.split(separator: "\n").first {
      $0.contains("Overall exposure level for loa.service:")
    }
    let score = line.flatMap { $0.split(separator: " ").compactMap { Double($0) }.first }
    #expect(score != nil, "\(result.output)")
    #expect((score ?? 10) <= 1.0, "\(line ?? "")")
    // What the sound card needs stays: the audio group, /dev/snd.
    let text = try String(contentsOfFile: unit, encoding: .utf8)
    #expect(text.contains("SupplementaryGroups=audio"))
    #expect(text.contains("DeviceAllow=char-alsa rw"))
    #expect(!text.contains("PrivateUsers=yes") && !text.contains("PrivateDevices=yes"))
  }

  @Test("the sysusers file makes the loa user and group, in the audio group")
  func sysusers() throws {
    let root = try TemporaryFolder()
    try FileManager.default.createDirectory(
      atPath: root.path("etc"), withIntermediateDirectories: true)
    let file = repository.appendingPathComponent("systemd/loa.sysusers").path
    let result = try run(["systemd-sysusers", "--root=\(root.path)", file])
    #expect(result.status == 0, "\(result.output)")
    let passwd = try String(contentsOfFile: root.path("etc/passwd"), encoding: .utf8)
    let group = try String(contentsOfFile: root.path("etc/group"), encoding: .utf8)
    #expect(passwd.contains("loa:x:"), "\(passwd)")
    #expect(passwd.contains(":/var/lib/loa:/usr/sbin/nologin"), "\(passwd)")
    #expect(group.split(separator: "\n").contains { $0.hasPrefix("loa:x:") }, "\(group)")
    #expect(
      group.split(separator: "\n").contains { $0.hasPrefix("audio:") && $0.hasSuffix(":loa") })
  }

  @Test("install puts everything in place; uninstall removes the program and keeps the log")
  func installAndUninstall() throws {
    let root = try TemporaryFolder()
    let environment = ["DESTDIR": root.path, "LOA_BINARY": try loaBinary]
    let installed = try run(["scripts/install.sh"], environment: environment)
    #expect(installed.status == 0, "\(installed.output)")
    for path in [
      "usr/local/bin/loa", "usr/local/lib/systemd/system/loa.service",
      "usr/local/lib/sysusers.d/loa.conf", "usr/local/share/doc/loa/README.md",
      "etc/loa/lien-minh-2025.yaml", "var/lib/loa/audio/nhac-hieu.ogg",
    ] {
      #expect(FileManager.default.fileExists(atPath: root.path(path)), "\(path)")
    }
    let schedule = try String(
      contentsOfFile: root.path("etc/loa/lien-minh-2025.yaml"), encoding: .utf8)
    #expect(schedule.contains("  audio_dir: /var/lib/loa/audio"), "the installed schedule's audio")

    // A schedule already there is the station's own: never overwritten.
    try "# ours\n".write(
      toFile: root.path("etc/loa/lien-minh-2025.yaml"), atomically: true, encoding: .utf8)
    #expect(try run(["scripts/install.sh"], environment: environment).status == 0)
    #expect(
      try String(contentsOfFile: root.path("etc/loa/lien-minh-2025.yaml"), encoding: .utf8)
        == "# ours\n")

    try "log".write(
      toFile: root.path("var/lib/loa/airings.sqlite"), atomically: true, encoding: .utf8)
    let removed = try run(["scripts/uninstall.sh"], environment: environment)
    #expect(removed.status == 0, "\(removed.output)")
    #expect(!FileManager.default.fileExists(atPath: root.path("usr/local/bin/loa")))
    #expect(
      !FileManager.default.fileExists(atPath: root.path("usr/local/lib/systemd/system/loa.service"))
    )
    #expect(FileManager.default.fileExists(atPath: root.path("var/lib/loa/airings.sqlite")))
    #expect(FileManager.default.fileExists(atPath: root.path("etc/loa/lien-minh-2025.yaml")))
  }
}
