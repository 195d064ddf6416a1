import ArgumentParser
import Foundation
import LoaAudio

struct InspectCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "inspect",
    abstract:
      "Show format, rate, channels, duration, loudness, true peak and SHA-256 of audio files.",
    discussion:
      "A file that cannot be decoded is reported and the others are still shown; the exit status is then 1."
  )

  @Argument(help: ArgumentHelp("Audio files.", valueName: "file"))
  var files: [String]

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    if files.isEmpty { throw ValidationError("name at least one audio file") }
    if format == .csv { throw ValidationError("inspect prints text or json") }
  }

  func run() throws {
    var reports: [AudioInspection] = []
    var failed = false
    for file in files {
      do {
        reports.append(try AudioInspection(path: file))
      } catch {
        printError("error: \(file): \(error)")
        failed = true
      }
    }
    var out = StandardOutput()
    switch format {
    case .json:
      out.line(JSON.array(reports.map(json)).serialized())
    default:
      for report in reports {
        let f = report.format
        out.line(
          "\(report.path): \(f.container), \(f.encoding), \(f.sampleRate) Hz, \(f.channels) ch, "
            + "\(f.frames) frames (\(f.duration.seconds.formatted2) s), "
            + "\(report.loudness.formatted2) LUFS, true peak \(report.truePeak.formatted2) dBTP, "
            + "sha256 \(report.sha256)")
      }
    }
    out.flush()
    if failed { throw ExitCode(1) }
  }

  private func json(_ report: AudioInspection) -> JSON {
    .object([
      ("file", .string(report.path)),
      ("format", .string("\(report.format.container), \(report.format.encoding)")),
      ("sample_rate", .int(report.format.sampleRate)),
      ("channels", .int(report.format.channels)),
      ("frames", .int(Int(report.format.frames))),
      ("duration_s", .double(report.format.duration.seconds)),
      ("loudness_lufs", report.loudness.isFinite ? .double(report.loudness) : .null),
      ("true_peak_dbtp", report.truePeak.isFinite ? .double(report.truePeak) : .null),
      ("sha256", .string(report.sha256)),
    ])
  }
}

extension Double {
  /// Two decimals, as a person reads levels and durations.
  var formatted2: String { isFinite ? String(format: "%.2f", self) : "-inf" }
}
