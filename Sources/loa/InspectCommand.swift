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

  @OptionGroup var station: StationOptions

  @Argument(help: ArgumentHelp("Audio files.", valueName: "file"))
  var files: [String]

  @Option(help: "Output format: text or json.")
  var format: OutputFormat = .text

  func validate() throws {
    if files.isEmpty { throw ValidationError("name at least one audio file") }
    if format == .csv { throw ValidationError("inspect prints text or json") }
  }

  func run() throws {
    let measurements = station.audioMeasurements()
    var reports: [AudioInspection] = []
    var failed = false
    for file in files {
      do {
        reports.append(try AudioInspection(path: file, measurements: measurements))
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
        let (f, m) = (report.format, report.measurement)
        out.line(
          "\(report.path): \(f.container), \(f.encoding), \(f.sampleRate) Hz, \(f.channels) ch, "
            + "\(m.frames) frames (\(m.duration.seconds.formatted2) s), "
            + "\(m.loudness.formatted2) LUFS, true peak \(m.truePeak.formatted2) dBTP, "
            + "sha256 \(m.sha256)")
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
      ("frames", .int(Int(report.measurement.frames))),
      ("duration_s", .double(report.measurement.duration.seconds)),
      ("loudness_lufs", finite(report.measurement.loudness)),
      ("true_peak_dbtp", finite(report.measurement.truePeak)),
      ("sha256", .string(report.measurement.sha256)),
    ])
  }
}

/// A level as JSON: null for silence's −∞.
private func finite(_ value: Double) -> JSON { value.isFinite ? .double(value) : .null }

extension Double {
  /// Two decimals, as a person reads levels and durations.
  var formatted2: String { isFinite ? String(format: "%.2f", self) : "-inf" }
}
