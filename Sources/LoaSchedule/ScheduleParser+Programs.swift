import Foundation
import LoaCalendar
import Yams

// Reading the `programs` section: when each program airs (start, repeat,
// from/until, except, on, replaces) and what it plays (its segments).

extension ScheduleParser {
  func program(_ node: Node) -> Program? {
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
  func checkSpan(from: CivilDate?, until: CivilDate?, in f: Fields, _ context: String) {
    guard let from, let until, until < from else { return }
    reader.error(
      "\(context) ends ('until' \(until)) before it begins ('from' \(from))",
      at: f["until"] ?? f.node)
  }

  func repetition(_ node: Node, _ context: String) -> Repetition {
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
  func ids(_ node: Node?, _ what: String, _ kind: String) -> [Located<String>] {
    guard let node, let items = reader.list(node, what) else { return [] }
    let ids = items.compactMap { item in
      reader.located(item) { reader.identifier($0, "a \(kind) id in \(what)") }
    }
    record.references += ids.map { Reference(kind: kind, id: $0, context: what) }
    return ids
  }

  func segments(_ node: Node, _ context: String) -> [Segment]? {
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

  func audio(_ node: Node, _ what: String) -> AudioReference? {
    guard let path = reader.text(node, what) else { return nil }
    let reference = AudioReference(path, at: reader.location(node))
    record.audio.append(reference)
    return reference
  }
}
