import Foundation
import LoaCalendar
import Yams

/// What one schedule file defines; a directory's files are merged after.
struct ScheduleFragment {
  var station: (Station, SourceLocation?)?
  var plan: (Plan, SourceLocation?)?
  var holidays: [(Holiday, SourceLocation?)] = []
  var programs: [Program] = []
  var campaigns: [Campaign] = []
  var announcements: [Announcement] = []
  /// Every audio file named, including those of entries with other errors,
  /// so that a missing file is reported in the same run.
  var audioReferences: [AudioReference] = []
  /// The ids of every entry, by kind ("holiday", "program", …), including
  /// entries with errors of their own, so that references to them are not
  /// also reported as unknown.
  var declaredIDs: [String: Set<String>] = [:]
  /// Every reference to a holiday or a program, including those in entries
  /// with errors of their own, so that all are checked in the same run.
  var references: [Reference] = []
}

/// A holiday or program id named somewhere in a schedule.
struct Reference {
  /// "holiday" or "program".
  let kind: String
  let id: Located<String>
  /// Where it was named, for the message: "'on' of program 'sang'".
  let context: String
}

/// Collects audio references and declared ids during one parse; never
/// shared between threads.
final class ParseRecord {
  var audio: [AudioReference] = []
  var declaredIDs: [String: Set<String>] = [:]
  var references: [Reference] = []
}

/// Turns one file's YAML into a fragment of the model, reporting every
/// problem it finds with its file, line and column.
///
/// This file reads the file's sections and the station, plan and holidays;
/// `ScheduleParser+Programs.swift` reads programs, and
/// `ScheduleParser+Campaigns.swift` campaigns and announcements.
struct ScheduleParser {
  static let topLevelKeys = [
    "station", "plan", "holidays", "programs", "campaigns", "announcements",
  ]

  let reader: YAMLReader
  /// Audio references met while parsing, in order; see `ScheduleFragment.audioReferences`.
  let record = ParseRecord()
  /// The folder of the file, against which `audio_dir` is resolved.
  let directory: URL

  init(file: String, directory: URL) {
    reader = YAMLReader(file: file)
    self.directory = directory
  }

  var diagnostics: [Diagnostic] { reader.diagnostics }

  func parse(_ text: String) -> ScheduleFragment {
    var fragment = ScheduleFragment()
    guard let root = reader.compose(text) else { return fragment }
    guard let top = reader.fields(of: root, "the schedule", allowed: Self.topLevelKeys) else {
      return fragment
    }
    if let key = top.keyNode("station"), top["station"] == nil {
      reader.error("'station' is empty: give at least its name and audio_dir", at: key)
    }
    if let node = top["station"] {
      fragment.station = station(node).map { ($0, reader.location(top.keyNode("station") ?? root)) }
    }
    if let node = top["plan"] {
      fragment.plan = plan(node).map { ($0, reader.location(top.keyNode("plan") ?? root)) }
    }
    fragment.holidays = entries(top["holidays"], "holidays") { holiday($0) }
    fragment.programs = entries(top["programs"], "programs") { program($0) }
    fragment.campaigns = entries(top["campaigns"], "campaigns") { campaign($0) }
    fragment.announcements = entries(top["announcements"], "announcements") { announcement($0) }
    fragment.audioReferences = record.audio
    fragment.declaredIDs = record.declaredIDs
    fragment.references = record.references
    return fragment
  }

  func entries<T>(_ node: Node?, _ what: String, _ read: (Node) -> T?) -> [T] {
    guard let node, let items = reader.list(node, "'\(what)'") else { return [] }
    return items.compactMap(read)
  }

  /// The id of an entry, read first so that every later message can name it.
  func entryID(_ node: Node, _ kind: String) -> (String, String) {
    if case .mapping(let mapping) = node, let idNode = mapping["id"],
      let id = idNode.scalar?.string, !id.isEmpty
    {
      let normalized = id.precomposedStringWithCanonicalMapping
      record.declaredIDs[kind, default: []].insert(normalized)
      return (normalized, "\(kind) '\(id)'")
    }
    return ("", "a \(kind) (no id)")
  }

  // MARK: Station

  func station(_ node: Node) -> Station? {
    let context = "'station'"
    guard
      let f = reader.fields(
        of: node, context,
        allowed: [
          "name", "timezone", "output", "audio_dir", "sample_rate", "channels", "loudness",
          "catch_up", "amplifier",
        ], required: ["name", "audio_dir"])
    else { return nil }
    let name = f["name"].flatMap { reader.text($0, "the station's name") }
    var timeZone = "Asia/Ho_Chi_Minh"
    if let zoneNode = f["timezone"], let zone = reader.text(zoneNode, "'timezone'") {
      if TimeZone(identifier: zone) != nil {
        timeZone = zone
      } else {
        let known = TimeZone.knownTimeZoneIdentifiers
        reader.error(
          "unknown time zone '\(zone)': write an IANA name such as Asia/Ho_Chi_Minh"
            + didYouMean(zone, among: known), at: zoneNode)
      }
    }
    let output = f["output"].flatMap { reader.text($0, "'output'") } ?? "default"
    let audioDirectory = f["audio_dir"].flatMap { reader.text($0, "'audio_dir'") }.map {
      URL(fileURLWithPath: $0, relativeTo: directory).standardizedFileURL.path
    }
    let sampleRate =
      f["sample_rate"].flatMap { reader.integer($0, "'sample_rate'", in: 8_000...384_000) }
      ?? 48_000
    let channels = f["channels"].flatMap { reader.integer($0, "'channels'", in: 1...8) } ?? 2
    let loudness = f["loudness"].flatMap { reader.number($0, "'loudness' (LUFS)", in: -70...0) }
    let catchUp = f["catch_up"].flatMap { reader.duration($0, "'catch_up'") } ?? .seconds(600)
    let amplifier = f["amplifier"].flatMap { self.amplifier($0) }
    guard let name, let audioDirectory else { return nil }
    var station = Station(
      name: name, timeZone: timeZone, output: output, audioDirectory: audioDirectory,
      sampleRate: sampleRate, channels: channels, loudness: loudness, catchUp: catchUp,
      amplifier: amplifier)
    station.audioDirectoryLocation = f["audio_dir"].flatMap(reader.location)
    return station
  }

  func amplifier(_ node: Node) -> Amplifier? {
    let context = "'amplifier'"
    guard
      let f = reader.fields(
        of: node, context, allowed: ["on", "off", "warmup", "cooldown"], required: ["on", "off"])
    else { return nil }
    func command(_ key: String) -> [String]? {
      guard let node = f[key], let items = reader.list(node, "amplifier '\(key)' (an argv list)")
      else { return nil }
      let argv = items.compactMap { reader.text($0, "an argument of amplifier '\(key)'") }
      guard argv.count == items.count, let program = argv.first else { return nil }
      guard program.hasPrefix("/") else {
        reader.error(
          "amplifier '\(key)' must start with an absolute path such as /usr/bin/gpioset, found '\(program)'",
          at: items[0])
        return nil
      }
      return argv
    }
    let on = command("on")
    let off = command("off")
    let warmup = f["warmup"].flatMap { reader.duration($0, "'warmup'") } ?? .seconds(5)
    let cooldown = f["cooldown"].flatMap { reader.duration($0, "'cooldown'") } ?? .seconds(60)
    guard let on, let off else { return nil }
    return Amplifier(on: on, off: off, warmup: warmup, cooldown: cooldown)
  }

  // MARK: Plan

  func plan(_ node: Node) -> Plan? {
    guard
      let f = reader.fields(
        of: node, "'plan'", allowed: ["id", "title", "report_to", "report_due", "items"],
        required: ["id", "title"])
    else { return nil }
    let id = f["id"].flatMap { reader.identifier($0, "the plan's id") }
    let title = f["title"].flatMap { reader.text($0, "the plan's title") }
    let reportTo = f["report_to"].flatMap { reader.text($0, "'report_to'") }
    let reportDue = f["report_due"].flatMap { reader.date($0, "'report_due'") }
    var items: [PlanItem] = []
    for itemNode in f["items"].flatMap({ reader.list($0, "the plan's 'items'") }) ?? [] {
      let (_, context) = entryID(itemNode, "plan item")
      guard
        let g = reader.fields(
          of: itemNode, context, allowed: ["id", "title"], required: ["id", "title"]),
        let itemID = g["id"].flatMap({ reader.identifier($0, "a plan item's id") }),
        let itemTitle = g["title"].flatMap({ reader.text($0, "the title of \(context)") })
      else { continue }
      if items.contains(where: { $0.id == itemID }) {
        reader.error("plan item '\(itemID)' is listed twice", at: g["id"] ?? g.node)
        continue
      }
      items.append(PlanItem(id: itemID, title: itemTitle))
    }
    guard let id, let title else { return nil }
    return Plan(id: id, title: title, reportTo: reportTo, reportDue: reportDue, items: items)
  }

  // MARK: Holidays

  func holiday(_ node: Node) -> (Holiday, SourceLocation?)? {
    let (_, context) = entryID(node, "holiday")
    guard
      let f = reader.fields(
        of: node, context,
        allowed: ["id", "name", "date", "solar", "lunar", "leap", "since", "day_off"],
        required: ["id", "name"])
    else { return nil }
    let id = f["id"].flatMap { reader.identifier($0, "a holiday's id") }
    let name = f["name"].flatMap { reader.text($0, "the name of \(context)") }
    let since = f["since"].flatMap {
      reader.integer($0, "'since' (the founding year)", in: 1...9999)
    }
    let dayOff = f["day_off"].flatMap { reader.boolean($0, "'day_off'") } ?? false
    let leap = f["leap"].flatMap { reader.boolean($0, "'leap'") } ?? false
    let given = ["date", "solar", "lunar"].filter { f[$0] != nil }
    guard given.count == 1 else {
      let message =
        given.isEmpty
        ? "\(context) needs one of 'date' (YYYY-MM-DD), 'solar' (MM-DD, every year) or 'lunar' (MM-DD)"
        : "\(context) has both '\(given[0])' and '\(given[1])': give only one"
      reader.error(message, at: f.keyNode(given.last ?? "id") ?? node)
      return nil
    }
    if leap, given[0] != "lunar" {
      reader.error(
        "'leap' applies only to a 'lunar' date in \(context)", at: f.keyNode("leap") ?? f.node)
    }
    var rule: HolidayRule?
    switch given[0] {
    case "date":
      rule = reader.date((f["date"] ?? f.node), "'date' of \(context)").map { .date($0) }
    case "solar":
      if let (month, day) = monthDay(
        (f["solar"] ?? f.node), "'solar' of \(context)",
        maxDay: { CivilDate.daysIn(month: $0, year: 2024) })
      {
        rule = .solar(month: month, day: day)
      }
    default:
      if let (month, day) = monthDay(
        (f["lunar"] ?? f.node), "'lunar' of \(context)", maxDay: { _ in 30 })
      {
        rule = .lunar(month: month, day: day, isLeapMonth: leap)
      }
    }
    guard let id, let name, let rule else { return nil }
    return (
      Holiday(id: id, name: name, rule: rule, foundingYear: since, isDayOff: dayOff),
      reader.location((f["id"] ?? f.node))
    )
  }

  func monthDay(_ node: Node, _ what: String, maxDay: (Int) -> Int) -> (Int, Int)? {
    let raw = node.scalar?.string ?? ""
    let parts = raw.split(separator: "-")
    guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isNumber) }),
      let month = Int(parts[0]), let day = Int(parts[1])
    else {
      reader.error(
        "\(what) '\(raw)' is not a month and day: write MM-DD in quotes, e.g. \"09-02\"", at: node)
      return nil
    }
    guard (1...12).contains(month) else {
      reader.error("\(what) '\(raw)': there is no month \(month)", at: node)
      return nil
    }
    guard (1...maxDay(month)).contains(day) else {
      reader.error("\(what) '\(raw)': month \(month) has no day \(day)", at: node)
      return nil
    }
    return (month, day)
  }
}
