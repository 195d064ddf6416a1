import Foundation
import LoaCalendar
import Yams

/// Reads typed values out of a composed YAML tree, recording a located
/// diagnostic for every value it cannot use instead of stopping at the first.
///
/// A reader is used by one parse on one thread; it is never shared.
final class YAMLReader {
  let file: String
  private(set) var diagnostics: [Diagnostic] = []

  init(file: String) { self.file = file }

  func location(_ node: Node) -> SourceLocation? {
    node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
  }

  func error(_ message: String, at node: Node) {
    diagnostics.append(.error(message, at: location(node)))
  }

  func error(_ message: String, at location: SourceLocation?) {
    diagnostics.append(.error(message, at: location))
  }

  /// Parses YAML text; nil (with a located error) when it is not YAML.
  func compose(_ text: String) -> Node? {
    // Before composing, which an alias bomb would keep busy for hours.
    if let refusal = YAMLAliases.check(text) {
      diagnostics.append(
        .error(
          refusal.message,
          at: SourceLocation(file: file, line: refusal.line, column: refusal.column)))
      return nil
    }
    do {
      return try Yams.compose(yaml: text)
    } catch let error as YamlError {
      let (message, mark) = Self.describe(error)
      diagnostics.append(
        .error(
          message, at: mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) })
      )
    } catch {
      diagnostics.append(.error("cannot read YAML: \(error)", at: nil))
    }
    return nil
  }

  private static func describe(_ error: YamlError) -> (String, Mark?) {
    switch error {
    case .scanner(let context, let problem, let mark, _),
      .parser(let context, let problem, let mark, _),
      .composer(let context, let problem, let mark, _):
      let prefix = context.map { "\($0.text): " } ?? ""
      return ("YAML syntax: \(prefix)\(problem)", mark)
    case .duplicatedKeysInMapping(let duplicates, let context):
      let keys = duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")
      return (
        "key \(keys) is given here and again later in the same mapping: keep one", context.mark
      )
    case .reader(let problem, _, _, _):
      return ("cannot read the file as UTF-8 text: \(problem)", nil)
    default:
      return ("cannot read YAML: \(error)", nil)
    }
  }

  // MARK: Mappings

  /// The fields of a mapping, after checking its keys: unknown keys (with a
  /// suggestion), repeated keys and missing required keys are reported.
  func fields(
    of node: Node, _ context: String, allowed: [String], required: [String] = []
  ) -> Fields? {
    guard case .mapping(let mapping) = node else {
      error(
        "expected a mapping of keys to values for \(context), found \(kind(of: node))", at: node)
      return nil
    }
    var values: [String: (key: Node, value: Node)] = [:]
    for (key, value) in mapping {
      guard let name = key.scalar?.string else {
        error("keys must be plain words in \(context)", at: key)
        continue
      }
      guard allowed.contains(name) else {
        error(
          "unknown key '\(name)' in \(context)\(didYouMean(name, among: allowed))", at: key)
        continue
      }
      values[name] = (key, value)
    }
    for name in required where values[name].map({ isNull($0.value) }) ?? true {
      let place = values[name].map { location($0.key) } ?? location(node)
      error("missing '\(name)' in \(context)", at: place)
    }
    return Fields(node: node, values: values)
  }

  func isNull(_ node: Node) -> Bool {
    guard let scalar = node.scalar else { return false }
    return scalar.style == .plain && ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  func kind(of node: Node) -> String {
    switch node {
    case .scalar(let scalar):
      isNull(node) ? "nothing" : "'\(scalar.string.prefix(40))'"
    case .mapping: "a mapping"
    case .sequence: "a list"
    case .alias: "an alias"
    }
  }

  // MARK: Scalars

  /// A non-empty text, NFC-normalized so that names typed on different
  /// systems compare equal.
  func text(_ node: Node, _ what: String) -> String? {
    guard let scalar = node.scalar, !isNull(node) else {
      error("\(what) must be text, found \(kind(of: node))", at: node)
      return nil
    }
    let value = scalar.string.precomposedStringWithCanonicalMapping
    guard !value.trimmingSpaces.isEmpty else {
      error("\(what) must not be empty", at: node)
      return nil
    }
    return value
  }

  /// An identifier: ASCII letters, digits, '-', '_' and '.', so that it
  /// types the same on every keyboard and sorts the same everywhere.
  func identifier(_ node: Node, _ what: String) -> String? {
    guard let value = text(node, what) else { return nil }
    let allowed = value.unicodeScalars.allSatisfy {
      $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "-_.".unicodeScalars.contains($0))
    }
    guard allowed else {
      error(
        "\(what) '\(value)' must use only ASCII letters, digits, '-', '_' and '.' "
          + "(write Vietnamese without diacritics, e.g. 'hoi-lang')", at: node)
      return nil
    }
    return value
  }

  func located(_ node: Node, _ read: (Node) -> String?) -> Located<String>? {
    read(node).map { Located($0, at: location(node)) }
  }

  func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
    guard let raw = node.scalar?.string, !isNull(node), let value = Int(raw.trimmingSpaces) else {
      error("\(what) must be a whole number, found \(kind(of: node))", at: node)
      return nil
    }
    guard range.contains(value) else {
      error(
        "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(value)",
        at: node)
      return nil
    }
    return value
  }

  func number(_ node: Node, _ what: String, in range: ClosedRange<Double>) -> Double? {
    guard let raw = node.scalar?.string, !isNull(node), let value = Double(raw.trimmingSpaces),
      value.isFinite
    else {
      error("\(what) must be a number, found \(kind(of: node))", at: node)
      return nil
    }
    guard range.contains(value) else {
      error(
        "\(what) must be between \(range.lowerBound) and \(range.upperBound), found \(raw)",
        at: node)
      return nil
    }
    return value
  }

  func boolean(_ node: Node, _ what: String) -> Bool? {
    switch node.scalar?.string.lowercased() {
    case "true", "yes": return true
    case "false", "no": return false
    default:
      error("\(what) must be true or false, found \(kind(of: node))", at: node)
      return nil
    }
  }

  func date(_ node: Node, _ what: String) -> CivilDate? {
    guard let raw = node.scalar?.string, !isNull(node) else {
      error("\(what) must be a date YYYY-MM-DD, found \(kind(of: node))", at: node)
      return nil
    }
    guard let date = CivilDate(iso: raw.trimmingSpaces) else {
      error("\(what) '\(raw)' is not a date: write YYYY-MM-DD, e.g. 2025-10-01", at: node)
      return nil
    }
    return date
  }

  func time(_ node: Node, _ what: String) -> TimeOfDay? {
    guard let raw = node.scalar?.string, !isNull(node) else {
      error("\(what) must be a time HH:MM, found \(kind(of: node))", at: node)
      return nil
    }
    guard let time = TimeOfDay(parsing: raw.trimmingSpaces) else {
      error("\(what) '\(raw)' is not a time: write HH:MM or HH:MM:SS, e.g. \"05:30\"", at: node)
      return nil
    }
    return time
  }

  func dateTime(_ node: Node, _ what: String) -> LocalDateTime? {
    guard let raw = node.scalar?.string, !isNull(node),
      let value = LocalDateTime(parsing: String(raw.trimmingSpaces))
    else {
      error(
        "\(what) \(kind(of: node)) is not a date and time: write YYYY-MM-DD HH:MM, e.g. 2025-11-05 17:15",
        at: node)
      return nil
    }
    return value
  }

  func duration(_ node: Node, _ what: String, atLeast minimum: Duration = .zero) -> Duration? {
    guard let raw = node.scalar?.string, !isNull(node), let value = parseDuration(raw) else {
      error(
        "\(what) \(kind(of: node)) is not a duration: write e.g. 90s, 15m, 1h30m or 14d", at: node)
      return nil
    }
    guard value >= minimum else {
      error("\(what) must be at least \(minimum.shortDescription)", at: node)
      return nil
    }
    return value
  }

  /// A YAML list; a single scalar is not silently taken for a list of one.
  func list(_ node: Node, _ what: String) -> [Node]? {
    guard case .sequence(let sequence) = node else {
      error("\(what) must be a list, e.g. [a, b], found \(kind(of: node))", at: node)
      return nil
    }
    return Array(sequence)
  }

  func choice<T: RawRepresentable & CaseIterable>(
    _ node: Node, _ what: String, as: T.Type
  ) -> T? where T.RawValue == String {
    guard let raw = text(node, what) else { return nil }
    if let value = T(rawValue: raw) { return value }
    let options = T.allCases.map(\.rawValue)
    error(
      "\(what) must be one of \(options.joined(separator: ", ")), found '\(raw)'"
        + didYouMean(raw, among: options), at: node)
    return nil
  }
}

/// The checked fields of one mapping.
struct Fields {
  let node: Node
  let values: [String: (key: Node, value: Node)]

  /// The value of a key that is present and not null.
  subscript(_ key: String) -> Node? {
    guard let value = values[key]?.value else { return nil }
    if let scalar = value.scalar, scalar.style == .plain,
      ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    {
      return nil
    }
    return value
  }

  func keyNode(_ key: String) -> Node? { values[key]?.key }
}
