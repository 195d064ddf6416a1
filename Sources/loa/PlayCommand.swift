import ArgumentParser
import Foundation
import LoaAudio

struct PlayCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "play",
    abstract: "Play audio files now, back to back with no gap, to an ALSA device.")

  @Option(
    help: ArgumentHelp(
      "ALSA PCM to play to, e.g. default, hw:1,0 or file:'/tmp/out.wav',wav.", valueName: "pcm"))
  var output = "default"

  @Option(help: ArgumentHelp("Output sample rate.", valueName: "hz"))
  var rate = 48_000

  @Option(help: ArgumentHelp("Output channels.", valueName: "n"))
  var channels = 2

  @Argument(help: ArgumentHelp("Audio files.", valueName: "file"))
  var files: [String]

  func validate() throws {
    if files.isEmpty { throw ValidationError("name at least one audio file") }
    if !(8_000...384_000).contains(rate) { throw ValidationError("--rate must be 8000 to 384000") }
    if !(1...8).contains(channels) { throw ValidationError("--channels must be 1 to 8") }
  }

  func run() throws {
    // Check every file before the first frame goes out, so that a bad one
    // stops nothing halfway.
    for file in files {
      do {
        _ = try SoundFile(readingAt: file)
      } catch {
        printError("error: \(file): \(error)")
        throw ExitCode(1)
      }
    }
    do {
      var renderer = ProgramRenderer(
        output: try PCMOutput(device: output, sampleRate: rate, channels: channels))
      let rendered = try renderer.render(files.map { .file(path: $0, limit: nil) })
      try renderer.output.drain()
      for (file, item) in zip(files, rendered) {
        print("played \(file): \(item.frames) frames from frame \(item.startFrame)")
      }
      if renderer.output.recoveries > 0 {
        print("\(renderer.output.recoveries) underruns or suspends recovered")
      }
    } catch let error as PCMError {
      printError("error: \(error)")
      throw ExitCode(1)
    }
  }
}
