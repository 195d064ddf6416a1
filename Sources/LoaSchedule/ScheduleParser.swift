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
struct ScheduleParser {
  static let topLevelKeys = [
    "station", "plan", "holidays", "programs", "campaigns", "announcements",
  ]

  let reader: YAMLReader
  /// Audio references met while parsing, in order; see `ScheduleFragment.audioReferences`.
  private let record = ParseRecord()
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

  private func entries<T>(_ node: Node?, _ what: String, _ read: (Node) -> T?) -> [T] {
    guard let node, let items = reader.list(node, "'\(what)'") else { return [] }
    return items.compactMap(read)
  }

  /// The id of an entry, read first so that every later message can name it.
  private func entryID(_ node: Node, _ kind: String) -> (String, String) {
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

  private func station(_ node: Node) -> Station? {
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

  private func amplifier(_ node: Node) -> Amplifier? {
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

  private func plan(_ node: Node) -> Plan? {
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

  private func holiday(_ node: Node) -> (Holiday, SourceLocation?)? {
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

  private func monthDay(_ node: Node, _ what: String, maxDay: (Int) -> Int) -> (Int, Int)? {
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

  // MARK: Programs

  private func program(_ node: Node) -> Program? {
    let (_, context) = entryID(node, "program")
    guard
      let f = reader.fields(
        of: node, context,
        allowed: [
          "id", "title", "start", "repeat", "from", "until", "except", "on", "replaces",
          "max_length", "segments",
        ], required: ["id", "title", "start", "segments"])
    else { return nil }
    let id = f["id"].flatMap { reader.identifier($0, "a program's id") }
    let title = f["title"].flatMap { reader.text($0, "the title of \(context)") }
    let start = f["start"].flatMap { reader.time($0, "'start' of \(context)") }
    let repetition = f["repeat"].map { self.repetition($0, context) } ?? .daily
    let from = f["from"].flatMap { reader.date($0, "'from' of \(context)") }
    let until = f["until"].flatMap { reader.date($0, "'until' of \(context)") }
    let except = (f["except"].flatMap { reader.list($0, "'except' of \(context)") } ?? [])
      .compactMap {
        item -> DayReference? in
        if let raw = item.scalar?.string, raw.first?.isNumber == true {
          return reader.date(item, "a date in 'except' of \(context)").map { .date($0) }
        }
        return reader.located(item) { reader.identifier($0, "a holiday in 'except' of \(context)") }
          .map { id in
            record.references.append(
              Reference(kind: "holiday", id: id, context: "'except' of \(context)"))
            return .holiday(id)
          }
      }
    let on = ids(f["on"], "'on' of \(context)", "holiday")
    let replaces = ids(f["replaces"], "'replaces' of \(context)", "program")
    let maxLength = f["max_length"].flatMap {
      reader.duration($0, "'max_length' of \(context)", atLeast: .seconds(1))
    }
    let segments = f["segments"].flatMap { self.segments($0, context) }
    checkSpan(from: from, until: until, in: f, context)
    if case .rule(let rule)? = Optional(repetition), rule.dependsOnStart, from == nil {
      reader.error(
        "\(context) has a rule that counts from its first day (INTERVAL, COUNT, BYSETPOS or a "
          + "day taken from the start): add 'from: YYYY-MM-DD'", at: (f["repeat"] ?? f.node))
    }
    guard let id, let title, let start, let segments else { return nil }
    return Program(
      id: id, title: title, start: start, repetition: repetition, from: from, until: until,
      except: except, on: on, replaces: replaces, maxLength: maxLength, segments: segments,
      location: reader.location((f["id"] ?? f.node)))
  }

  /// `until` must not come before `from`.
  private func checkSpan(from: CivilDate?, until: CivilDate?, in f: Fields, _ context: String) {
    guard let from, let until, until < from else { return }
    reader.error(
      "\(context) ends ('until' \(until)) before it begins ('from' \(from))",
      at: f["until"] ?? f.node)
  }

  private func repetition(_ node: Node, _ context: String) -> Repetition {
    guard let raw = reader.text(node, "'repeat' of \(context)") else { return .daily }
    switch raw.lowercased() {
    case "daily": return .daily
    case "weekdays": return .weekdays
    case "weekends": return .weekends
    default:
      guard raw.uppercased().contains("FREQ") else {
        reader.error(
          "'repeat' of \(context) must be daily, weekdays, weekends or an RRULE such as "
            + "\"FREQ=WEEKLY;BYDAY=MO\", found '\(raw)'"
            + didYouMean(raw, among: ["daily", "weekdays", "weekends"]), at: node)
        return .daily
      }
      do {
        return .rule(try RecurrenceRule(parsing: raw))
      } catch {
        let quoted = node.scalar?.style == .singleQuoted || node.scalar?.style == .doubleQuoted
        let location = reader.location(node)?.advanced(by: error.offset + (quoted ? 1 : 0))
        reader.error("bad RRULE in 'repeat' of \(context): \(error.message)", at: location)
        return .daily
      }
    }
  }

  /// A list of holiday or program ids, each recorded for checking.
  private func ids(_ node: Node?, _ what: String, _ kind: String) -> [Located<String>] {
    guard let node, let items = reader.list(node, what) else { return [] }
    let ids = items.compactMap { item in
      reader.located(item) { reader.identifier($0, "a \(kind) id in \(what)") }
    }
    record.references += ids.map { Reference(kind: kind, id: $0, context: what) }
    return ids
  }

  private func segments(_ node: Node, _ context: String) -> [Segment]? {
    guard let items = reader.list(node, "'segments' of \(context)") else { return nil }
    if items.isEmpty {
      reader.error("\(context) has no segments: list at least one file", at: node)
      return nil
    }
    var segments: [Segment] = []
    for item in items {
      let what = "a segment of \(context)"
      guard let f = reader.fields(of: item, what, allowed: ["file", "campaigns", "silence"]) else {
        continue
      }
      let given = ["file", "campaigns", "silence"].filter { f.values[$0] != nil }
      guard given.count == 1 else {
        reader.error(
          given.isEmpty
            ? "\(what) needs one of 'file', 'campaigns' or 'silence'"
            : "\(what) has both '\(given[0])' and '\(given[1])': one per segment", at: item)
        continue
      }
      switch given[0] {
      case "file":
        if let ref = f["file"].flatMap({ audio($0, "'file' in \(what)") }) {
          segments.append(.file(ref))
        }
      case "campaigns":
        if let n = f["campaigns"].flatMap({
          reader.integer($0, "'campaigns' in \(what)", in: 1...50)
        }) {
          segments.append(.campaigns(n))
        }
      default:
        if let d = f["silence"].flatMap({
          reader.duration($0, "'silence' in \(what)", atLeast: .milliseconds(1))
        }) {
          segments.append(.silence(d))
        }
      }
    }
    return segments
  }

  private func audio(_ node: Node, _ what: String) -> AudioReference? {
    guard let path = reader.text(node, what) else { return nil }
    let reference = AudioReference(path, at: reader.location(node))
    record.audio.append(reference)
    return reference
  }

  // MARK: Campaigns

  private func campaign(_ node: Node) -> Campaign? {
    let (_, context) = entryID(node, "campaign")
    guard
      let f = reader.fields(
        of: node, context,
        allowed: [
          "id", "title", "plan_item", "files", "from", "until", "around", "programs", "per_day",
          "priority",
        ], required: ["id", "title", "files"])
    else { return nil }
    let id = f["id"].flatMap { reader.identifier($0, "a campaign's id") }
    let title = f["title"].flatMap { reader.text($0, "the title of \(context)") }
    let planItem = f["plan_item"].flatMap { n in
      reader.located(n) { reader.identifier($0, "'plan_item'") }
    }
    let fileNodes = f["files"].flatMap { reader.list($0, "'files' of \(context)") } ?? []
    if let filesNode = f["files"], fileNodes.isEmpty, case .sequence = filesNode {
      reader.error("\(context) has no files: list at least one", at: filesNode)
    }
    let files = fileNodes.compactMap { audio($0, "a file of \(context)") }
    let from = f["from"].flatMap { reader.date($0, "'from' of \(context)") }
    let until = f["until"].flatMap { reader.date($0, "'until' of \(context)") }
    let around = f["around"].flatMap { self.around($0, context) }
    if f["from"] == nil, f["around"] == nil, f.values["files"] != nil {
      reader.error(
        "\(context) needs 'from' (its first day) or 'around' (a holiday): a campaign runs for a date range",
        at: f.keyNode("id") ?? node)
    }
    checkSpan(from: from, until: until, in: f, context)
    let programs = f["programs"].map { ids($0, "'programs' of \(context)", "program") }
    let perDay = f["per_day"].flatMap { reader.integer($0, "'per_day' of \(context)", in: 1...100) }
    var priority = Priority.normal
    if let node = f["priority"],
      let value = reader.choice(node, "'priority' of \(context)", as: Priority.self)
    {
      if value == .emergency {
        reader.error(
          "campaign spots can be normal or priority; emergencies are announcements", at: node)
      } else {
        priority = value
      }
    }
    guard let id, let title, !files.isEmpty, files.count == fileNodes.count else { return nil }
    return Campaign(
      id: id, title: title, planItem: planItem, files: files,
      window: CampaignWindow(from: from, until: until, around: around), programs: programs,
      perDay: perDay, priority: priority, location: reader.location((f["id"] ?? f.node)))
  }

  private func around(_ node: Node, _ context: String) -> CampaignWindow.AroundHoliday? {
    let what = "'around' of \(context)"
    guard
      let f = reader.fields(
        of: node, what, allowed: ["holiday", "before", "after"], required: ["holiday"])
    else { return nil }
    let holiday = f["holiday"].flatMap { n in
      reader.located(n) { reader.identifier($0, "'holiday' in \(what)") }
    }
    if let holiday {
      record.references.append(Reference(kind: "holiday", id: holiday, context: what))
    }
    let before = f["before"].flatMap { reader.duration($0, "'before' in \(what)") } ?? .zero
    let after = f["after"].flatMap { reader.duration($0, "'after' in \(what)") } ?? .zero
    for (key, value) in [("before", before), ("after", after)]
    where value.components.seconds % 86_400 != 0 || value.components.attoseconds != 0 {
      reader.error("'\(key)' in \(what) must be whole days, e.g. 14d", at: (f[key] ?? f.node))
    }
    // A window that reached from one year's holiday to the next would make
    // every day part of two windows.
    if before.wholeDays + after.wholeDays > 300, let node = f["before"] ?? f["after"] {
      reader.error(
        "the window \(what) spans \(before.wholeDays + after.wholeDays + 1) days: around a yearly "
          + "holiday it must be shorter (before + after at most 300d); use 'from' and 'until' instead",
        at: node)
      return nil
    }
    guard let holiday else { return nil }
    return .init(holiday: holiday, daysBefore: before.wholeDays, daysAfter: after.wholeDays)
  }

  // MARK: Announcements

  private func announcement(_ node: Node) -> Announcement? {
    let (_, context) = entryID(node, "announcement")
    guard
      let f = reader.fields(
        of: node, context, allowed: ["id", "title", "at", "file", "times", "gap", "priority"],
        required: ["id", "title", "at", "file"])
    else { return nil }
    let id = f["id"].flatMap { reader.identifier($0, "an announcement's id") }
    let title = f["title"].flatMap { reader.text($0, "the title of \(context)") }
    let at = f["at"].flatMap { reader.dateTime($0, "'at' of \(context)") }
    let file = f["file"].flatMap { audio($0, "'file' of \(context)") }
    let times = f["times"].flatMap { reader.integer($0, "'times' of \(context)", in: 1...20) } ?? 1
    let gap = f["gap"].flatMap { reader.duration($0, "'gap' of \(context)") } ?? .zero
    let priority =
      f["priority"].flatMap { reader.choice($0, "'priority' of \(context)", as: Priority.self) }
      ?? .normal
    guard let id, let title, let at, let file else { return nil }
    return Announcement(
      id: id, title: title, at: at, file: file, times: times, gap: gap, priority: priority,
      location: reader.location((f["id"] ?? f.node)))
  }
}
