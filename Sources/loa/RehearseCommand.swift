import ArgumentParser
import Foundation
import LoaAudio
import LoaCalendar
import LoaPlanner
import LoaPlayout
import LoaSchedule

struct RehearseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rehearse",
    abstract: "Render a day's programs into a WAV file to listen to before they air.",
    discussion: """
      Plays the day's airings back to back, 2 seconds apart, through the same player as on air \
      (resampled, at the station's loudness) into ALSA's file PCM in the station's format, and \
      prints where each one starts in the file.
      """)

  @OptionGroup var station: StationOptions

  @Option(help: ArgumentHelp("The day to render, YYYY-MM-DD.", valueName: "date"))
  var date: CivilDate

  @Option(help: ArgumentHelp("The WAV file to write.", valueName: "file"))
  var out: String

  func validate() throws {
    if out.contains("'") { throw ValidationError("the output path cannot contain a single quote") }
  }

  func run() throws {
    let measurements = station.audioMeasurements()
    let loaded = try station.loadSchedule(measurements: measurements)
    let planner = try Planner(loaded: loaded)
    let format = planner.schedule.station
    let airings = planner.plan(from: date, through: date)
    let path = URL(fileURLWithPath: out).standardizedFileURL.path

    // One stream for the day, as on air: each airing's items, then 2 s of silence.
    let audio = AiringAudio(loaded: loaded, station: format, measurements: measurements)
    var items: [PlayItem] = []
    var firstItem: [Int] = []
    for (index, airing) in airings.enumerated() {
      if index > 0 { items.append(.silence(.seconds(2))) }
      firstItem.append(items.count)
      items += audio.playItems(of: airing)
    }
    let report = Playback(
      items,
      settings: PlayerSettings(
        device: "file:'\(path)',wav", sampleRate: format.sampleRate, channels: format.channels,
        // A file that cannot be written will not become writable by waiting.
        catchUp: .zero)
    ).wait()

    var out = StandardOutput()
    out.line("\(date): \(airings.count) airing\(airings.count == 1 ? "" : "s") into \(path)")
    for (airing, first) in zip(airings, firstItem) {
      // A playback that stopped early has fewer items than planned.
      let played = report.items.dropFirst(first).prefix(airing.items.count)
      guard let start = played.first?.startFrame, let last = played.last else { continue }
      let seconds = Double(start) / Double(format.sampleRate)
      let length = Double(last.startFrame + last.frames - start) / Double(format.sampleRate)
      out.line(
        "  \(planner.clock.time(airing.start))  \(airing.id)  at "
          + String(
            format: "%d:%06.3f", Int(seconds) / 60, seconds.truncatingRemainder(dividingBy: 60))
          + " in the file, \(Duration.seconds(length).shortDescription)")
      for item in played {
        if case .failed(let reason) = item.status { out.line("    error: \(reason); skipped") }
      }
    }
    out.flush()
    if case .failed(let reason) = report.status {
      printError("error: \(reason)")
      throw ExitCode(1)
    }
  }
}
