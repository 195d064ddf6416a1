import Foundation

/// RFC 4180 fields for spreadsheets.
enum CSV {
  /// A field, quoted when it holds a comma, a quote or a line break.
  static func field(_ value: String) -> String {
    guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return value
    }
    return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
  }

  /// A text field that a spreadsheet cannot take for a formula: one that
  /// begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
  /// leading apostrophe (OWASP's advice for CSV injection).
  static func text(_ value: String?) -> String {
    guard var value, !value.isEmpty else { return "" }
    if let first = value.first, "=+-@\t\r".contains(first) { value = "'" + value }
    return field(value)
  }

  static func line(_ fields: [String]) -> String { fields.joined(separator: ",") }
}
