import CYaml

/// A check of a YAML text's aliases, made on libyaml's events before the
/// text is composed into a tree: composing is where an alias bomb costs
/// (Yams hashes every mapping key, and an alias key stands for its whole
/// anchored tree, so 500 bytes can take hours), while events cost one
/// step each. Yams has no public event API, so this reads the events from
/// libyaml, the parser Yams itself is built on.
///
/// Refused, at the alias: an alias used as a mapping key (a schedule's keys
/// are plain words), and aliases that repeat more than `maximumRepeated`
/// values in all (each alias counts the values of its anchored node, with
/// the aliases inside it).
enum YAMLAliases {
  /// More than any schedule needs: a list of segments shared by a hundred
  /// programs repeats a few thousand values.
  static let maximumRepeated = 100_000

  struct Refusal: Equatable {
    let message: String
    /// From 1, as editors count.
    let line: Int
    let column: Int
  }

  /// Why `text` is refused, or nil. A text that is not YAML passes: the
  /// composer reports its syntax error where it is.
  static func check(_ text: String, maximumRepeated: Int = maximumRepeated) -> Refusal? {
    var parser = yaml_parser_t()
    guard yaml_parser_initialize(&parser) == 1 else { return nil }
    defer { yaml_parser_delete(&parser) }
    var bytes = Array(text.utf8)
    return bytes.withUnsafeMutableBufferPointer { buffer in
      yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
      return walk(&parser, maximumRepeated: maximumRepeated)
    }
  }

  /// A collection being read: its values so far (with what aliases stand
  /// for), and how many of its entries have come (keys at even places in
  /// a mapping).
  private struct Open {
    let anchor: String?
    let isMapping: Bool
    var values = 1
    var entries = 0
  }

  private static func walk(_ parser: inout yaml_parser_t, maximumRepeated: Int) -> Refusal? {
    var anchors: [String: Int] = [:]
    var open: [Open] = []
    var repeated = 0
    func add(_ values: Int) {
      guard !open.isEmpty else { return }
      open[open.count - 1].values += values
      open[open.count - 1].entries += 1
    }
    while true {
      var event = yaml_event_t()
      guard yaml_parser_parse(&parser, &event) == 1 else { return nil }
      defer { yaml_event_delete(&event) }
      let line = Int(event.start_mark.line) + 1
      let column = Int(event.start_mark.column) + 1
      switch event.type {
      case YAML_STREAM_END_EVENT:
        return nil
      case YAML_SCALAR_EVENT:
        if let anchor = name(event.data.scalar.anchor) { anchors[anchor] = 1 }
        add(1)
      case YAML_SEQUENCE_START_EVENT:
        open.append(Open(anchor: name(event.data.sequence_start.anchor), isMapping: false))
      case YAML_MAPPING_START_EVENT:
        open.append(Open(anchor: name(event.data.mapping_start.anchor), isMapping: true))
      case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
        guard let done = open.popLast() else { continue }
        if let anchor = done.anchor { anchors[anchor] = done.values }
        add(done.values)
      case YAML_ALIAS_EVENT:
        let anchor = name(event.data.alias.anchor) ?? ""
        if let parent = open.last, parent.isMapping, parent.entries % 2 == 0 {
          return Refusal(
            message: "the alias *\(anchor) is used as a mapping key; keys are plain words: "
              + "write the key out",
            line: line, column: column)
        }
        let values = anchors[anchor] ?? 1
        repeated += values
        guard repeated <= maximumRepeated else {
          return Refusal(
            message: "aliases repeat more than \(maximumRepeated) values in all (here *"
              + "\(anchor), \(values) values); write the values out or use fewer aliases",
            line: line, column: column)
        }
        add(values)
      default:
        continue
      }
    }
  }

  private static func name(_ anchor: UnsafeMutablePointer<yaml_char_t>?) -> String? {
    anchor.map { String(cString: UnsafePointer($0)) }
  }
}
