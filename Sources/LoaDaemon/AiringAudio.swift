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

  /// The player's items: files by their full path at the gain that brings
  /// them to the station's loudness, cut where `max_length` cuts them.
  public func playItems(of airing: PlannedAiring) -> [PlayItem] {
    airing.items.map { item in
      guard let file = item.file else { return .silence(item.duration) }
      guard let audio = loaded.audio[file] else {
        // Not there when the schedule was loaded: the player says why.
        return .file(path: station.audioDirectory + "/" + file)
      }
      let gain = station.loudness.flatMap { target in
        measurement(of: audio.path)?.gain(toReach: target)
      }
      return .file(path: audio.path, limit: item.isCut ? item.duration : nil, gain: gain ?? 0)
    }
  }

  /// The log's items, with each file's content hash.
  public func logItems(of airing: PlannedAiring) -> [ItemEntry] {
    airing.items.map { item in
      let kind: ItemKind =
        switch item.kind {
        case .file: .file
        case .campaign: .campaign
        case .silence: .silence
        }
      let hash = item.file.flatMap { loaded.audio[$0] }.flatMap { measurement(of: $0.path)?.sha256 }
      return ItemEntry(
        kind: kind, file: item.file, sha256: hash, campaign: item.campaign,
        planItem: item.planItem, plannedSeconds: item.duration.seconds)
    }
  }

  /// What the log calls this airing.
  public func entry(of airing: PlannedAiring, device: String) -> AiringEntry {
    let kind: AiringKind =
      switch (airing.kind, airing.priority) {
      case (.program, _): .program
      case (.announcement, .emergency): .emergency
      case (.announcement, _): .announcement
      }
    return AiringEntry(
      kind: kind, program: airing.id, title: airing.title, plannedStart: airing.start,
      device: device, items: logItems(of: airing))
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
