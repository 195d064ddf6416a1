import CSndFile
import Foundation

/// PRODUCT §11: CPU and memory of playing an hour, against what a station
/// would otherwise use, all into ALSA's `null` PCM (which takes frames as
/// fast as they come, so CPU is the whole cost of decoding and writing).
func benchmarkPlaying(loa: String) {
  let folder = ".build/bench-audio"
  try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  let wav = "\(folder)/hour.wav"
  let mp3 = "\(folder)/hour.mp3"
  for (path, format) in [
    (wav, Int32(SF_FORMAT_WAV | SF_FORMAT_PCM_16)),
    (mp3, Int32(SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III)),
  ] where !FileManager.default.fileExists(atPath: path) {
    print("writing \(path) (an hour, 48 kHz stereo; once)…")
    guard writeHour(to: path + ".part", format: format) else {
      print("cannot write \(path): \(String(cString: sf_strerror(nil)))")
      return
    }
    _ = rename(path + ".part", path)
  }
  // Loudness is measured once per content: the first normalized play of
  // each file measures it, and is shown on its own row.
  let state = "\(folder)/state"
  try? FileManager.default.removeItem(atPath: state)
  let env = ["LOA_STATE_DIR": state]
  let normalize = ["--loudness", "-16"]
  var firstTime = [
    Contender(
      "loa play --loudness -16, first time: measures (WAV)",
      [loa, "play"] + normalize + ["--output", "null", wav]),
    Contender(
      "loa play --loudness -16, first time: measures (MP3)",
      [loa, "play"] + normalize + ["--output", "null", mp3]),
  ]
  race(&firstTime, rounds: 1, environment: env)
  var contenders = [
    Contender("aplay -D null (WAV)", ["aplay", "-q", "-D", "null", wav]),
    Contender("loa play --output null (WAV)", [loa, "play", "--output", "null", wav]),
    Contender(
      "loa play --loudness -16 --output null (WAV)",
      [loa, "play"] + normalize + ["--output", "null", wav]),
    Contender("mpg123 -o alsa -a null (MP3)", ["mpg123", "-q", "-o", "alsa", "-a", "null", mp3]),
    Contender(
      "ffmpeg -i … -f alsa null (MP3)",
      ["ffmpeg", "-loglevel", "error", "-i", mp3, "-f", "alsa", "null"]),
    Contender("loa play --output null (MP3)", [loa, "play", "--output", "null", mp3]),
    Contender(
      "loa play --loudness -16 --output null (MP3)",
      [loa, "play"] + normalize + ["--output", "null", mp3]),
  ]
  let rounds = 7
  race(&contenders, rounds: rounds, environment: env)

  print(
    "playing an hour (48 kHz stereo) into ALSA's null PCM: medians of \(rounds) runs, round-robin")
  print("what".padding(toLength: 56, withPad: " ", startingAt: 0) + "   CPU s   peak MiB")
  for contender in firstTime + contenders {
    guard let cpu = contender.medianCPU, let peak = contender.medianPeak else {
      print(
        contender.name.padding(toLength: 56, withPad: " ", startingAt: 0)
          + "   cannot run \(contender.argv[0])")
      continue
    }
    print(
      contender.name.padding(toLength: 56, withPad: " ", startingAt: 0)
        + String(format: "%8.2f %10.1f", cpu, peak))
  }
  func ratio(_ ours: Int, _ theirs: Int) {
    guard let mine = contenders[ours].medianCPU, let other = contenders[theirs].medianCPU, other > 0
    else { return }
    print(
      "  \(contenders[ours].name) / \(contenders[theirs].name): "
        + String(format: "%.2f", mine / other) + "× the CPU")
  }
  ratio(1, 0)
  ratio(2, 0)
  ratio(5, 3)
  ratio(5, 4)
  ratio(6, 3)
  ratio(6, 4)
  print("targets: CPU ≤ aplay for WAV and ≤ mpg123/ffmpeg for MP3; ≤ 24 MiB resident while playing")
}
