import Foundation
import LoaCalendar

/// A schedule read from disk, with what is known of its audio files.
public struct LoadedSchedule: Sendable {
  /// Nil when the schedule has errors.
  public let schedule: Schedule?
  /// Errors and warnings, in file order.
  public let diagnostics: [Diagnostic]
  /// Each audio reference's absolute path and playing time, by its path in the schedule.
  public let audio: [String: AudioFile]

  public var isValid: Bool { schedule != nil }
}

/// An audio file a schedule names.
public struct AudioFile: Hashable, Sendable {
  public let path: String
  public let duration: Duration
}

/// Reads a schedule file, or a directory whose `*.yaml` files are merged,
/// and checks it whole: syntax, keys, types, references and audio files.
public struct ScheduleLoader: Sendable {
  public let probe: (any AudioProbe)?

  /// - Parameter probe: reads audio durations; without one the audio files
  ///   are still checked for existence but durations are zero.
  public init(probe: (any AudioProbe)?) {
    self.probe = probe
  }

  public func load(path: String) -> LoadedSchedule {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
      return LoadedSchedule(
        schedule: nil,
        diagnostics: [.error("no schedule at '\(path)': no such file or folder", at: nil)],
        audio: [:])
    }
    var files = [path]
    if isDirectory.boolValue {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
      files = names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted().map {
        path.hasSuffix("/") ? path + $0 : path + "/" + $0
      }
      if files.isEmpty {
        return LoadedSchedule(
          schedule: nil, diagnostics: [.error("no *.yaml schedule files in '\(path)'", at: nil)],
          audio: [:])
      }
    }
    var diagnostics: [Diagnostic] = []
    var fragments: [ScheduleFragment] = []
    var bytes = 0
    for file in files {
      let (size, tooLarge) = ScheduleLimits.checkSize(of: file, after: bytes)
      if let tooLarge {
        // Nothing more is read: the schedule is refused as it is.
        return LoadedSchedule(
          schedule: nil, diagnostics: (diagnostics + [tooLarge]).sortedByLocation(), audio: [:])
      }
      bytes += size
      guard let data = FileManager.default.contents(atPath: file) else {
        diagnostics.append(.error("cannot read '\(file)'", at: nil))
        continue
      }
      guard let text = String(data: data, encoding: .utf8) else {
        diagnostics.append(
          .error(
            "'\(file)' is not UTF-8 text: save it as UTF-8",
            at: SourceLocation(file: file, line: 1, column: 1)))
        continue
      }
      let directory = URL(fileURLWithPath: file).deletingLastPathComponent()
      let parser = ScheduleParser(file: file, directory: directory)
      fragments.append(parser.parse(text))
      diagnostics += parser.diagnostics
    }
    let merged = merge(fragments, files: files, diagnostics: &diagnostics)
    // Too large to check in reasonable time and memory: refused as it is.
    if let schedule = merged, case let over = ScheduleLimits.checkEntries(of: schedule),
      !over.isEmpty
    {
      return LoadedSchedule(
        schedule: nil, diagnostics: (diagnostics + over).sortedByLocation(), audio: [:])
    }
    var audio: [String: AudioFile] = [:]
    if let schedule = merged {
      let declared = fragments.reduce(into: [String: Set<String>]()) { all, fragment in
        all.merge(fragment.declaredIDs) { $0.union($1) }
      }
      ScheduleChecker(
        schedule: schedule, declaredIDs: declared, references: fragments.flatMap(\.references)
      ).check(into: &diagnostics)
      audio = checkAudio(
        fragments.flatMap(\.audioReferences), of: schedule.station,
        diagnostics: &diagnostics)
    } else if let station = fragments.lazy.compactMap(\.station).first?.0 {
      // The audio can still be checked when only other parts are wrong.
      _ = checkAudio(
        fragments.flatMap(\.audioReferences), of: station, diagnostics: &diagnostics)
    }
    let sorted = diagnostics.sortedByLocation()
    return LoadedSchedule(
      schedule: sorted.hasErrors ? nil : merged, diagnostics: sorted, audio: audio)
  }

  private func merge(
    _ fragments: [ScheduleFragment], files: [String], diagnostics: inout [Diagnostic]
  ) -> Schedule? {
    var definitions: [String: SourceLocation] = [:]
    func unique<T>(_ items: [T], _ kind: String, id: (T) -> String, at: (T) -> SourceLocation?)
      -> [T]
    {
      var seen: [String: SourceLocation?] = [:]
      return items.filter { item in
        let key = id(item)
        if let first = seen[key] {
          let firstPlace = first.map { " (first at \($0))" } ?? ""
          diagnostics.append(.error("\(kind) '\(key)' is defined twice\(firstPlace)", at: at(item)))
          return false
        }
        seen[key] = at(item)
        if let location = at(item) { definitions["\(kind):\(key)"] = location }
        return true
      }
    }
    let stations = fragments.compactMap(\.station)
    let plans = fragments.compactMap(\.plan)
    for extra in stations.dropFirst() {
      diagnostics.append(
        .error(
          "'station' is given twice: once per schedule (first at \(stations[0].1.map(\.description) ?? "?"))",
          at: extra.1))
    }
    for extra in plans.dropFirst() {
      diagnostics.append(.error("'plan' is given twice: at most one per schedule", at: extra.1))
    }
    let holidays = unique(fragments.flatMap(\.holidays), "holiday", id: { $0.0.id }, at: { $0.1 })
    let programs = unique(fragments.flatMap(\.programs), "program", id: \.id, at: \.location)
    let campaigns = unique(fragments.flatMap(\.campaigns), "campaign", id: \.id, at: \.location)
    let announcements = unique(
      fragments.flatMap(\.announcements), "announcement", id: \.id, at: \.location)
    guard let station = stations.first?.0 else {
      if !diagnostics.hasErrors {
        diagnostics.append(
          .error(
            "no 'station' section: a schedule needs one (name, audio_dir, …)",
            at: SourceLocation(file: files[0], line: 1, column: 1)))
      }
      return nil
    }
    return Schedule(
      station: station, plan: plans.first?.0, holidays: holidays.map(\.0), programs: programs,
      campaigns: campaigns, announcements: announcements, sourceFiles: files,
      definitions: definitions)
  }

  private func checkAudio(
    _ references: [AudioReference], of station: Station, diagnostics: inout [Diagnostic]
  ) -> [String: AudioFile] {
    let root = station.audioDirectory
    var directory = AudioDirectory(root: root)
    guard directory.exists else {
      diagnostics.append(
        .error(
          "audio_dir '\(root)' is not a folder: create it, or point audio_dir at the folder "
            + "that holds the audio (a path relative to this file)",
          at: station.audioDirectoryLocation))
      return [:]
    }
    var audio: [String: AudioFile] = [:]
    var failed: Set<String> = []
    for ref in references where audio[ref.path] == nil {
      if failed.contains(ref.path) {
        continue
      }
      switch directory.resolve(ref.path) {
      case .failure(let problem):
        diagnostics.append(.error(problem.message(for: ref.path), at: ref.location))
        failed.insert(ref.path)
      case .success(let path):
        do {
          let duration = try probe?.duration(ofFileAt: path, for: station) ?? .zero
          audio[ref.path] = AudioFile(path: path, duration: duration)
        } catch {
          diagnostics.append(
            .error("audio file '\(ref.path)' cannot be decoded: \(error)", at: ref.location))
          failed.insert(ref.path)
        }
      }
    }
    return audio
  }
}

/// Checks what one file cannot: references between programs, campaigns,
/// holidays and the plan.
struct ScheduleChecker {
  let schedule: Schedule
  /// Ids of entries that have errors of their own are not reported again as unknown.
  var declaredIDs: [String: Set<String>] = [:]
  /// Every holiday and program reference, from valid entries and others.
  var references: [Reference] = []

  func check(into diagnostics: inout [Diagnostic]) {
    let builtIn = Set(HolidayCatalog.builtIn.map(\.id))
    for holiday in schedule.holidays where builtIn.contains(holiday.id) {
      diagnostics.append(
        .error(
          "holiday '\(holiday.id)' is already in the built-in catalog: use it as it is, or choose another id",
          at: schedule.definitions["holiday:\(holiday.id)"]))
    }
    let holidayIDs = Set(schedule.allHolidays.keys).union(declaredIDs["holiday"] ?? [])
    let programIDs = Set(schedule.programs.map(\.id)).union(declaredIDs["program"] ?? [])
    func checkReference(
      _ ref: Located<String>, to kind: String, among ids: Set<String>, in context: String
    ) {
      guard !ids.contains(ref.value) else { return }
      diagnostics.append(
        .error(
          "unknown \(kind) '\(ref.value)' in \(context)\(didYouMean(ref.value, among: ids))",
          at: ref.location))
    }
    for reference in references {
      checkReference(
        reference.id, to: reference.kind,
        among: reference.kind == "holiday" ? holidayIDs : programIDs, in: reference.context)
    }
    for program in schedule.programs {
      for ref in program.replaces where ref.value == program.id {
        diagnostics.append(
          .error("program '\(program.id)' cannot replace itself", at: ref.location))
      }
    }
    let planItems = schedule.plan?.items.map(\.id) ?? []
    for campaign in schedule.campaigns {
      let context = "campaign '\(campaign.id)'"
      if let item = campaign.planItem, !planItems.contains(item.value) {
        let message =
          schedule.plan == nil
          ? "\(context) names plan item '\(item.value)' but the schedule has no 'plan'"
          : "unknown plan item '\(item.value)' in \(context)\(didYouMean(item.value, among: planItems))"
        diagnostics.append(.error(message, at: item.location))
      }
      for ref in campaign.programs ?? [] {
        if let program = schedule.program(id: ref.value), !program.hasCampaignSegment {
          diagnostics.append(
            .warning(
              "\(context) is carried by program '\(ref.value)', which has no 'campaigns' segment to play it in",
              at: ref.location))
        }
      }
    }
  }
}
