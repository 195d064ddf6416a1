import Foundation
import LoaCalendar
import LoaLog

/// The report as the commune files it: Vietnamese, dates as dd/mm/yyyy.
extension PlanReport {
  /// `05/11/2025`.
  public static func vietnamese(_ date: CivilDate) -> String {
    String(format: "%02d/%02d/%04d", date.day, date.month, date.year)
  }

  private var heading: String {
    "Báo cáo kết quả phát thanh" + (plan.map { ": \($0.title)" } ?? "")
  }

  private var period: String {
    "Từ ngày \(Self.vietnamese(from)) đến ngày \(Self.vietnamese(to))"
  }

  private static let columns = [
    "Mục", "Nội dung", "Chiến dịch", "Kế hoạch (lượt)", "Đã phát", "Phát một phần", "Không phát",
    "Số phút", "Số ngày",
  ]

  private func rows() -> [[String]] {
    items.flatMap { item in
      item.campaigns.map { c in
        [
          item.planItem, item.title, c.title, String(c.planned), String(c.aired), String(c.partial),
          String(c.missed), String(format: "%.1f", c.minutes), String(c.days),
        ]
      }
    }
  }

  private func outageLines() -> [String] {
    outages.map { outage in
      "\(Self.vietnamese(clock.day(of: outage.from))) \(clock.time(outage.from).prefix(5)) – "
        + "\(Self.vietnamese(clock.day(of: outage.to))) \(clock.time(outage.to).prefix(5)): "
        + "đài không phát (\(Self.vietnamese(outageReason: outage.reason)))"
    }
  }

  /// An outage's reason as the log writes it, in the report's language;
  /// one the report does not know, as written.
  static func vietnamese(outageReason reason: String) -> String {
    switch reason {
    case "loa was not running (no heartbeat)": "phần mềm loa không chạy, mất tín hiệu hoạt động"
    default: reason
    }
  }

  // MARK: Markdown

  public func markdown() -> String {
    var out = "# \(heading)\n\n"
    out += "**Đơn vị:** \(station)  \n"
    if let to = plan?.reportTo { out += "**Kính gửi:** \(to)  \n" }
    out += "**Thời gian:** \(period)\n\n"
    out += "## Kết quả theo nội dung kế hoạch\n\n"
    out += "| " + Self.columns.joined(separator: " | ") + " |\n"
    out += "|" + Self.columns.map { _ in "---" }.joined(separator: "|") + "|\n"
    for row in rows() {
      out += "| " + row.map(Self.markdownCell).joined(separator: " | ") + " |\n"
    }
    out +=
      "\n## Chương trình\n\n| Chương trình | Kế hoạch | Đã phát | Phát một phần | Không phát |\n"
    out += "|---|---|---|---|---|\n"
    for p in programs {
      out +=
        "| \(Self.markdownCell(p.title)) | \(p.planned) | \(p.aired) | \(p.partial) | \(p.missed) |\n"
    }
    out += "\n## Thời gian đài không phát\n\n"
    out += outages.isEmpty ? "Không có.\n" : outageLines().map { "- \($0)\n" }.joined()
    out += "\n## Số lượt phát mỗi tuần\n\n" + chart() + "\n"
    return out
  }

  private static func markdownCell(_ text: String) -> String {
    text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
  }

  // MARK: HTML

  /// A whole document that prints on A4 and opens in Word.
  public func html() -> String {
    func escape(_ text: String) -> String {
      text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    var out = """
      <!DOCTYPE html>
      <html lang="vi">
      <head>
      <meta charset="utf-8">
      <title>\(escape(heading))</title>
      <style>
      @page { size: A4; margin: 2cm 1.5cm; }
      body { font-family: "Times New Roman", serif; font-size: 12pt; }
      h1 { font-size: 15pt; text-align: center; }
      table { border-collapse: collapse; width: 100%; }
      th, td { border: 1px solid #000; padding: 3pt 4pt; vertical-align: top; }
      td.n { text-align: right; }
      tr { page-break-inside: avoid; }
      </style>
      </head>
      <body>

      """
    out += "<h1>\(escape(heading))</h1>\n"
    out += "<p><b>Đơn vị:</b> \(escape(station))<br>\n"
    if let to = plan?.reportTo { out += "<b>Kính gửi:</b> \(escape(to))<br>\n" }
    out += "<b>Thời gian:</b> \(escape(period))</p>\n"
    out += "<h2>Kết quả theo nội dung kế hoạch</h2>\n<table>\n<tr>"
    out += Self.columns.map { "<th>\(escape($0))</th>" }.joined() + "</tr>\n"
    for row in rows() {
      out +=
        "<tr>"
        + row.enumerated().map { index, cell in
          index >= 3 ? "<td class=\"n\">\(escape(cell))</td>" : "<td>\(escape(cell))</td>"
        }.joined() + "</tr>\n"
    }
    out += "</table>\n<h2>Chương trình</h2>\n<table>\n"
    out += "<tr><th>Chương trình</th><th>Kế hoạch</th><th>Đã phát</th><th>Phát một phần</th>"
    out += "<th>Không phát</th></tr>\n"
    for p in programs {
      out += "<tr><td>\(escape(p.title))</td><td class=\"n\">\(p.planned)</td>"
      out += "<td class=\"n\">\(p.aired)</td><td class=\"n\">\(p.partial)</td>"
      out += "<td class=\"n\">\(p.missed)</td></tr>\n"
    }
    out += "</table>\n<h2>Thời gian đài không phát</h2>\n"
    out +=
      outages.isEmpty
      ? "<p>Không có.</p>\n"
      : "<ul>\n" + outageLines().map { "<li>\(escape($0))</li>\n" }.joined() + "</ul>\n"
    out += "<h2>Số lượt phát mỗi tuần</h2>\n" + chart() + "\n</body>\n</html>\n"
    return out
  }

  // MARK: CSV

  /// UTF-8 with a byte-order mark (so that Excel keeps the diacritics),
  /// RFC 4180 quoting, and no cell that a spreadsheet would run as a formula.
  public func csv() -> String {
    let header = [
      "plan_item", "plan_item_title", "campaign", "campaign_title", "planned", "aired", "partial",
      "missed", "minutes", "days",
    ]
    var out = CSV.byteOrderMark + header.joined(separator: ",") + CSV.lineEnd
    for item in items {
      for c in item.campaigns {
        out +=
          [
            CSV.text(item.planItem), CSV.text(item.title), CSV.text(c.campaign),
            CSV.text(c.title), String(c.planned), String(c.aired), String(c.partial),
            String(c.missed), String(format: "%.1f", c.minutes), String(c.days),
          ].joined(separator: ",") + CSV.lineEnd
      }
    }
    return out
  }

  // MARK: The chart

  /// Spots aired each week, one stacked bar a week, a colour a plan item:
  /// inline SVG, which both browsers and Word draw.
  public func chart() -> String {
    let ids = plan?.items.map(\.id) ?? []
    let colours = [
      "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
      "#bcbd22", "#17becf",
    ]
    let weeks = weekly.weeks.count
    let totals = (0..<weeks).map { week in ids.reduce(0) { $0 + (weekly.counts[$1]?[week] ?? 0) } }
    let highest = max(1, totals.max() ?? 1)
    let (width, height, left, bottom, top) = (640.0, 260.0, 40.0, 40.0, 10.0)
    let slot = (width - left - 10) / Double(max(1, weeks))
    var svg =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height + 20 * Double(ids.count)))\" "
      + "font-family=\"sans-serif\" font-size=\"10\">\n"
    svg +=
      "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#000\"/>\n"
    svg += "<text x=\"\(left - 4)\" y=\"\(top + 8)\" text-anchor=\"end\">\(highest)</text>\n"
    svg += "<text x=\"\(left - 4)\" y=\"\(height - bottom)\" text-anchor=\"end\">0</text>\n"
    for week in 0..<weeks {
      var y = height - bottom
      let x = left + Double(week) * slot + slot * 0.15
      for (index, id) in ids.enumerated() {
        let count = weekly.counts[id]?[week] ?? 0
        guard count > 0 else { continue }
        let barHeight = Double(count) / Double(highest) * (height - bottom - top)
        y -= barHeight
        svg +=
          "<rect x=\"\(Self.number(x))\" y=\"\(Self.number(y))\" width=\"\(Self.number(slot * 0.7))\" "
          + "height=\"\(Self.number(barHeight))\" fill=\"\(colours[index % colours.count])\"/>\n"
      }
      if week % max(1, weeks / 8) == 0 {
        let monday = weekly.weeks[week]
        svg +=
          "<text x=\"\(Self.number(x))\" y=\"\(height - bottom + 14)\">"
          + String(format: "%02d/%02d", monday.day, monday.month) + "</text>\n"
      }
    }
    for (index, id) in ids.enumerated() {
      let y = height + Double(index) * 20 - 10
      svg +=
        "<rect x=\"\(left)\" y=\"\(Self.number(y - 9))\" width=\"10\" height=\"10\" fill=\"\(colours[index % colours.count])\"/>"
        + "<text x=\"\(left + 16)\" y=\"\(Self.number(y))\">Mục \(id)</text>\n"
    }
    return svg + "</svg>"
  }

  private static func number(_ value: Double) -> String { String(format: "%.1f", value) }
}
