import ArgumentParser
import Foundation
import LoaAudio
import LoaCalendar
import LoaPlanner
import LoaSchedule

struct RehearseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "rehearse",
    abstract: "Render a day's programs into a WAV file to listen to before they air.",
    discussion: """
      Plays the day's airings back to back, 2 seconds apart, through ALSA's file PCM in the \
      station's format, and prints where each one starts in the file.
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
    let loaded = try station.loadSchedule()
    let planner = try Planner(loaded: loaded)
    let stationFormat = planner.schedule.station
    let airings = planner.plan(from: date, through: date)
    let path = URL(fileURLWithPath: out).standardizedFileURL.path
    var renderer = ProgramRenderer(
      output: try PCMOutput(
        device: "file:'\(path)',wav", sampleRate: stationFormat.sampleRate,
        channels: stationFormat.channels))
    let time = planner.clock
    var out = StandardOutput()
    out.line("\(date): \(airings.count) airing\(airings.count == 1 ? "" : "s") into \(path)")
    for (index, airing) in airings.enumerated() {
      if index > 0 { try renderer.writeSilence(frames: 2 * stationFormat.sampleRate) }
      let items = airing.items.map { item -> PlayItem in
        guard let file = item.file, let audio = loaded.audio[file] else {
          return .silence(item.duration)
        }
        return .file(path: audio.path, limit: item.isCut ? item.duration : nil)
      }
      let start = renderer.position
      _ = try renderer.render(items)
      let seconds = Double(start) / Double(stationFormat.sampleRate)
      out.line(
        "  \(time.time(airing.start))  \(airing.id)  at \(String(format: "%d:%06.3f", Int(seconds) / 60, seconds.truncatingRemainder(dividingBy: 60))) "
          + "in the file, \(Duration.seconds(Double(renderer.position - start) / Double(stationFormat.sampleRate)).shortDescription)"
      )
    }
    try renderer.output.drain()
    out.flush()
  }
}
