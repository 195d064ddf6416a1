/// RFC 4180 fields for spreadsheets, by bytes: a million log rows go
/// through here (`loa log`), and Foundation's string search would cost
/// seconds. The report's csv uses the same fields.
public enum CSV {
  /// Starts every csv file: UTF-8's byte-order mark, without which Excel
  /// reads the file in the machine's code page and garbles the diacritics.
  public static let byteOrderMark = "\u{FEFF}"
  /// Ends every row, as RFC 4180 says.
  public static let lineEnd = "\r\n"

  /// A field, quoted when it holds a comma, a quote or a line break.
  public static func field(_ value: String) -> String {
    let special: (UInt8) -> Bool = { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
    guard value.utf8.contains(where: special) else { return value }
    var bytes: [UInt8] = [0x22]
    bytes.reserveCapacity(value.utf8.count + 8)
    for byte in value.utf8 {
      bytes.append(byte)
      if byte == 0x22 { bytes.append(0x22) }
    }
    bytes.append(0x22)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A text field that a spreadsheet cannot take for a formula: one that
  /// begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a
  /// leading apostrophe (OWASP's advice for CSV injection).
  public static func text(_ value: String?) -> String {
    guard let value, let first = value.utf8.first else { return "" }
    switch first {
    case 0x3D, 0x2B, 0x2D, 0x40, 0x09, 0x0D: return field("'" + value)  // = + - @ tab CR
    default: return field(value)
    }
  }

  /// `107.300`: seconds with milliseconds, without `String(format:)`.
  public static func seconds(_ value: Double) -> String {
    let milliseconds = Int((value * 1000).rounded())
    let sign = milliseconds < 0 ? "-" : ""
    let whole = abs(milliseconds)
    let fraction = String(whole % 1000)
    return sign + String(whole / 1000) + "." + String(repeating: "0", count: 3 - fraction.count)
      + fraction
  }
}
