import Foundation
import LoaCalendar
import Yams

// Reading the `campaigns` and `announcements` sections: spots carried by
// programs within their windows, and one-off announcements at a time.

extension ScheduleParser {
  func campaign(_ node: Node) -> Campaign? {
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

  func around(_ node: Node, _ context: String) -> CampaignWindow.AroundHoliday? {
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

  func announcement(_ node: Node) -> Announcement? {
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
