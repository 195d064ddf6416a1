import LoaAudio
import LoaLog
import LoaPlanner
import LoaSchedule

/// Turns a planned airing into what the player plays and what the log
/// records of it.
public struct AiringAudio: Sendable {
  public let loaded: LoadedSchedule
  public let station: Station
  /// Loudness and content hashes, measured when the schedule was loaded.
  public let measurements: AudioMeasurements

  public init(loaded: LoadedSchedule, station: Station, measurements: AudioMeasurements) {
    self.loaded = loaded
    self.station = station
    self.measurements = measurements
  }

  /// What the player plays of `airing` and what the log records of it,
  /// reading each file's measurement once.
  public func prepare(_ airing: PlannedAiring, device: String) -> (
    entry: AiringEntry, items: [PlayItem]
  ) {
    let parts = airing.items.map(part)
    let kind: AiringKind =
      switch (airing.kind, airing.priority) {
      case (.program, _): .program
      case (.announcement, .emergency): .emergency
      case (.announcement, _): .announcement
      }
    let entry = AiringEntry(
      kind: kind, program: airing.id, title: airing.title, plannedStart: airing.start,
      device: device, items: parts.map(\.logged))
    return (entry, parts.map(\.played))
  }

  /// The player's items alone (a rehearsal, which logs nothing).
  public func playItems(of airing: PlannedAiring) -> [PlayItem] {
    airing.items.map { part($0).played }
  }

  /// One item for the player (a file by its full path at the gain that
  /// brings it to the station's loudness, cut where `max_length` cuts it)
  /// and for the log (with the file's content hash).
  private func part(_ item: PlannedItem) -> (played: PlayItem, logged: ItemEntry) {
    let kind: ItemKind =
      switch item.kind {
      case .file: .file
      case .campaign: .campaign
      case .silence: .silence
      }
    let audio = item.file.flatMap { loaded.audio[$0] }
    // A full path: the operator's announcement (`loa announce`).
    let adHoc = item.file.flatMap { $0.hasPrefix("/") ? $0 : nil }
    let measured = (audio?.path ?? adHoc).flatMap(measurement(of:))
    let logged = ItemEntry(
      kind: kind, file: item.file, sha256: measured?.sha256, campaign: item.campaign,
      planItem: item.planItem, plannedSeconds: item.duration.seconds)
    guard let file = item.file else { return (.silence(item.duration), logged) }
    let gain = station.loudness.flatMap { measured?.gain(toReach: $0) } ?? 0
    if let adHoc { return (.file(path: adHoc, gain: gain), logged) }
    guard let audio else {
      // Not there when the schedule was loaded: the player says why.
      return (.file(path: station.audioDirectory + "/" + file), logged)
    }
    return (.file(path: audio.path, limit: item.isCut ? item.duration : nil, gain: gain), logged)
  }

  private func measurement(of path: String) -> AudioMeasurement? {
    try? measurements.measurement(of: path, channels: station.channels)
  }
}

/// Reads audio durations by decoding each file whole, once per content: a
/// file with no audio that decodes is refused when the schedule is loaded,
/// not on air.
public struct MeasuringProbe: AudioProbe {
  public let measurements: AudioMeasurements

  public init(measurements: AudioMeasurements) {
    self.measurements = measurements
  }

  public func duration(ofFileAt path: String, for station: Station) throws -> Duration {
    try measurements.measurement(of: path, channels: station.channels).duration
  }
}
