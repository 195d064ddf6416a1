import Testing

@testable import LoaCalendar

/// An example from RFC 5545 §3.8.5.3, with the dates the RFC prints for it.
struct RFCExample: Sendable, CustomTestStringConvertible {
  let title: String
  let rule: String
  let start: String
  /// The last day to expand through, for rules that go on forever: the
  /// last day the RFC prints before its "...".
  var through = "2010-12-31"
  /// The RFC's list, e.g. "1997 September 2-11; October 1,3": see `printed`.
  let dates: String

  var testDescription: String { title }
}

/// The date-level examples of RFC 5545 §3.8.5.3, in the RFC's order. Those
/// with BYYEARDAY, BYWEEKNO, HOURLY or MINUTELY are outside the subset.
let rfcExamples: [RFCExample] = [
  RFCExample(
    title: "daily for 10 occurrences", rule: "FREQ=DAILY;COUNT=10", start: "1997-09-02",
    dates: "1997 September 2-11"),
  RFCExample(
    title: "daily until December 24, 1997", rule: "FREQ=DAILY;UNTIL=19971224T000000Z",
    start: "1997-09-02",
    dates: "1997 September 2-30; October 1-25; October 26-31; November 1-30; December 1-23"),
  RFCExample(
    title: "every other day, forever", rule: "FREQ=DAILY;INTERVAL=2", start: "1997-09-02",
    through: "1997-12-03",
    dates: "1997 September 2,4,6,8,10,12,14,16,18,20,22,24,26,28,30;"
      + " October 2,4,6,8,10,12,14,16,18,20,22,24; October 26,28,30;"
      + " November 1,3,5,7,9,11,13,15,17,19,21,23,25,27,29; December 1,3"),
  RFCExample(
    title: "every 10 days, 5 occurrences", rule: "FREQ=DAILY;INTERVAL=10;COUNT=5",
    start: "1997-09-02", dates: "1997 September 2,12,22; October 2,12"),
  RFCExample(
    title: "every day in January, for 3 years (yearly form)",
    rule: "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
    start: "1998-01-01", dates: "1998 January 1-31; 1999 January 1-31; 2000 January 1-31"),
  RFCExample(
    title: "every day in January, for 3 years (daily form)",
    rule: "FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", start: "1998-01-01",
    dates: "1998 January 1-31; 1999 January 1-31; 2000 January 1-31"),
  RFCExample(
    title: "weekly for 10 occurrences", rule: "FREQ=WEEKLY;COUNT=10", start: "1997-09-02",
    dates: "1997 September 2,9,16,23,30; October 7,14,21; October 28; November 4"),
  RFCExample(
    title: "weekly until December 24, 1997", rule: "FREQ=WEEKLY;UNTIL=19971224T000000Z",
    start: "1997-09-02",
    dates: "1997 September 2,9,16,23,30; October 7,14,21; October 28; November 4,11,18,25;"
      + " December 2,9,16,23"),
  RFCExample(
    title: "every other week, forever", rule: "FREQ=WEEKLY;INTERVAL=2;WKST=SU",
    start: "1997-09-02", through: "1998-02-17",
    dates: "1997 September 2,16,30; October 14; October 28; November 11,25; December 9,23;"
      + " 1998 January 6,20; February 3,17"),
  RFCExample(
    title: "weekly on Tuesday and Thursday for five weeks (UNTIL form)",
    rule: "FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", start: "1997-09-02",
    dates: "1997 September 2,4,9,11,16,18,23,25,30; October 2"),
  RFCExample(
    title: "weekly on Tuesday and Thursday for five weeks (COUNT form)",
    rule: "FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", start: "1997-09-02",
    dates: "1997 September 2,4,9,11,16,18,23,25,30; October 2"),
  RFCExample(
    title: "every other week on Monday, Wednesday and Friday until December 24, 1997",
    rule: "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR",
    start: "1997-09-01",
    dates: "1997 September 1,3,5,15,17,19,29; October 1,3,13,15,17; October 27,29,31;"
      + " November 10,12,14,24,26,28; December 8,10,12,22"),
  RFCExample(
    title: "every other week on Tuesday and Thursday, for 8 occurrences",
    rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", start: "1997-09-02",
    dates: "1997 September 2,4,16,18,30; October 2,14,16"),
  RFCExample(
    title: "monthly on the first Friday for 10 occurrences",
    rule: "FREQ=MONTHLY;COUNT=10;BYDAY=1FR", start: "1997-09-05",
    dates: "1997 September 5; October 3; November 7; December 5;"
      + " 1998 January 2; February 6; March 6; April 3; May 1; June 5"),
  RFCExample(
    title: "monthly on the first Friday until December 24, 1997",
    rule: "FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", start: "1997-09-05",
    dates: "1997 September 5; October 3; November 7; December 5"),
  RFCExample(
    title: "every other month on the first and last Sunday, for 10 occurrences",
    rule: "FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", start: "1997-09-07",
    dates: "1997 September 7,28; November 2,30; 1998 January 4,25; March 1,29; May 3,31"),
  RFCExample(
    title: "monthly on the second-to-last Monday, for 6 months",
    rule: "FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", start: "1997-09-22",
    dates: "1997 September 22; October 20; November 17; December 22;"
      + " 1998 January 19; February 16"),
  RFCExample(
    title: "monthly on the third-to-the-last day, forever", rule: "FREQ=MONTHLY;BYMONTHDAY=-3",
    start: "1997-09-28", through: "1998-02-26",
    dates: "1997 September 28; October 29; November 28; December 29;"
      + " 1998 January 29; February 26"),
  RFCExample(
    title: "monthly on the 2nd and 15th, for 10 occurrences",
    rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", start: "1997-09-02",
    dates: "1997 September 2,15; October 2,15; November 2,15; December 2,15;"
      + " 1998 January 2,15"),
  RFCExample(
    title: "monthly on the first and last day, for 10 occurrences",
    rule: "FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", start: "1997-09-30",
    dates: "1997 September 30; October 1; October 31; November 1,30; December 1,31;"
      + " 1998 January 1,31; February 1"),
  RFCExample(
    title: "every 18 months on the 10th thru 15th, for 10 occurrences",
    rule: "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15",
    start: "1997-09-10", dates: "1997 September 10-15; 1999 March 10-13"),
  RFCExample(
    title: "every Tuesday, every other month", rule: "FREQ=MONTHLY;INTERVAL=2;BYDAY=TU",
    start: "1997-09-02", through: "1998-03-31",
    dates: "1997 September 2,9,16,23,30; November 4,11,18,25;"
      + " 1998 January 6,13,20,27; March 3,10,17,24,31"),
  RFCExample(
    title: "yearly in June and July, for 10 occurrences", rule: "FREQ=YEARLY;COUNT=10;BYMONTH=6,7",
    start: "1997-06-10",
    dates: "1997 June 10; July 10; 1998 June 10; July 10; 1999 June 10; July 10;"
      + " 2000 June 10; July 10; 2001 June 10; July 10"),
  RFCExample(
    title: "every other year on January, February and March, for 10 occurrences",
    rule: "FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", start: "1997-03-10",
    dates: "1997 March 10; 1999 January 10; February 10; March 10;"
      + " 2001 January 10; February 10; March 10; 2003 January 10; February 10; March 10"),
  RFCExample(
    title: "every 20th Monday of the year, forever", rule: "FREQ=YEARLY;BYDAY=20MO",
    start: "1997-05-19", through: "1999-12-31", dates: "1997 May 19; 1998 May 18; 1999 May 17"),
  RFCExample(
    title: "every Thursday in March, forever", rule: "FREQ=YEARLY;BYMONTH=3;BYDAY=TH",
    start: "1997-03-13", through: "1999-12-31",
    dates: "1997 March 13,20,27; 1998 March 5,12,19,26; 1999 March 4,11,18,25"),
  RFCExample(
    title: "every Thursday, but only during June, July and August, forever",
    rule: "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", start: "1997-06-05", through: "1999-12-31",
    dates: "1997 June 5,12,19,26; July 3,10,17,24,31; August 7,14,21,28;"
      + " 1998 June 4,11,18,25; July 2,9,16,23,30; August 6,13,20,27;"
      + " 1999 June 3,10,17,24; July 1,8,15,22,29; August 5,12,19,26"),
  // The RFC excludes DTSTART with an EXDATE; here a start the rule does not
  // select is never an occurrence, so the rule alone gives the same dates.
  RFCExample(
    title: "every Friday the 13th, forever", rule: "FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13",
    start: "1997-09-02", through: "2000-10-13",
    dates: "1998 February 13; March 13; November 13; 1999 August 13; 2000 October 13"),
  RFCExample(
    title: "the first Saturday that follows the first Sunday of the month, forever",
    rule: "FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", start: "1997-09-13",
    through: "1998-06-13",
    dates: "1997 September 13; October 11; November 8; December 13;"
      + " 1998 January 10; February 7; March 7; April 11; May 9; June 13"),
  RFCExample(
    title: "every 4 years, the first Tuesday after a Monday in November (US election day)",
    rule: "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8",
    start: "1996-11-05", through: "2004-12-31",
    dates: "1996 November 5; 2000 November 7; 2004 November 2"),
  RFCExample(
    title: "the third Tuesday, Wednesday or Thursday of the month, for the next 3 months",
    rule: "FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", start: "1997-09-04",
    dates: "1997 September 4; October 7; November 6"),
  RFCExample(
    title: "the second-to-last weekday of the month",
    rule: "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", start: "1997-09-29",
    through: "1998-03-31",
    dates: "1997 September 29; October 30; November 27; December 30;"
      + " 1998 January 29; February 26; March 30"),
  RFCExample(
    title: "every other week on Tuesday and Sunday with weeks from Monday",
    rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", start: "1997-08-05",
    dates: "1997 August 5,10,19,24"),
  RFCExample(
    title: "the same with weeks from Sunday, which gives other days",
    rule: "FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", start: "1997-08-05",
    dates: "1997 August 5,17,19,31"),
  RFCExample(
    title: "an invalid date (30 February) is ignored",
    rule: "FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", start: "2007-01-15",
    dates: "2007 January 15,30; February 15; March 15,30"),
]

/// The dates `rule` selects from DTSTART `start` through `last`, as `YYYY-MM-DD`.
/// The dates `rule` selects; each occurrence starts at `time` (seconds into
/// the day) on a clock `utcOffset` seconds from UTC. The defaults are the
/// RFC's: its examples start at 09:00 in New York, whose winter offset
/// applies to each of their UNTILs (the one in October is a midnight UTC,
/// after which 09:00 comes either way).
private func occurrences(
  _ rule: String, from start: String, through last: String = "2010-12-31",
  at time: Int = 9 * 3600, utcOffset: Int = -5 * 3600
) throws -> [String] {
  let parsed = try RecurrenceRule(parsing: rule)
  let first = try civil(start)
  return parsed.dates(
    start: first, in: CivilDateRange(first, through: try civil(last)), secondOfDay: time,
    utcOffset: utcOffset
  ).map(\.description)
}

private func civil(_ iso: String) throws -> CivilDate { try #require(CivilDate(iso: iso)) }

/// Dates as RFC 5545 prints them, "1997 September 2-4,9; October 1", as
/// `YYYY-MM-DD`. A year applies to the months after it; `a-b` is a range.
private func printed(_ text: String) throws -> [String] {
  let months = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
  ]
  var year = 0
  var result: [String] = []
  for group in text.split(separator: ";") {
    var words = group.split(separator: " ")
    if let first = words.first, let number = Int(first) {
      year = number
      words.removeFirst()
    }
    try #require(words.count == 2, "'\(group)' is not 'Month days'")
    let month = try #require(months.firstIndex(of: String(words[0]))) + 1
    for item in words[1].split(separator: ",") {
      let bounds = try item.split(separator: "-").map { try #require(Int($0)) }
      let (first, last) = (try #require(bounds.first), try #require(bounds.last))
      for day in first...last {
        result.append(try #require(CivilDate(year: year, month: month, day: day)).description)
      }
    }
  }
  return result
}

@Suite("Recurrence rules: the date-level subset of RFC 5545")
struct RecurrenceRuleTests {
  // MARK: The RFC's examples

  @Test("gives the dates RFC 5545 prints for its examples", arguments: rfcExamples)
  func rfcExample(_ example: RFCExample) throws {
    let dates = try occurrences(example.rule, from: example.start, through: example.through)
    #expect(dates == (try printed(example.dates)))
  }

  // MARK: Expansion

  @Test("does not count a start the rule does not select, and COUNT counts only selected dates")
  func startOutsideTheRule() throws {
    // 1997-09-02 is a Tuesday, not a first Friday nor a Monday.
    #expect(
      try occurrences("FREQ=MONTHLY;BYDAY=1FR;COUNT=2", from: "1997-09-02") == [
        "1997-09-05", "1997-10-03",
      ])
    #expect(
      try occurrences("FREQ=WEEKLY;BYDAY=MO;COUNT=2", from: "1997-09-02") == [
        "1997-09-08", "1997-09-15",
      ])
  }

  @Test("returns nothing before the start or outside the range, and counts COUNT from the start")
  func rangeAndStart() throws {
    let daily = try RecurrenceRule(parsing: "FREQ=DAILY;COUNT=10")
    let start = try civil("1997-09-02")
    let early = CivilDateRange(try civil("1997-08-01"), through: try civil("1997-09-04"))
    #expect(
      daily.dates(start: start, in: early).map(\.description) == [
        "1997-09-02", "1997-09-03", "1997-09-04",
      ])
    let late = CivilDateRange(try civil("1997-09-10"), through: try civil("1997-12-31"))
    #expect(daily.dates(start: start, in: late).map(\.description) == ["1997-09-10", "1997-09-11"])
    let empty = CivilDateRange(try civil("1997-09-10"), through: try civil("1997-09-09"))
    #expect(daily.dates(start: start, in: empty).isEmpty)
    let before = CivilDateRange(try civil("1997-01-01"), through: try civil("1997-09-01"))
    #expect(daily.dates(start: start, in: before).isEmpty)
  }

  @Test("skips days a month or year lacks instead of moving them")
  func missingDays() throws {
    #expect(
      try occurrences("FREQ=YEARLY", from: "2024-02-29", through: "2033-12-31") == [
        "2024-02-29", "2028-02-29", "2032-02-29",
      ])
    #expect(
      try occurrences("FREQ=MONTHLY;COUNT=4", from: "2025-01-31", through: "2025-12-31") == [
        "2025-01-31", "2025-03-31", "2025-05-31", "2025-07-31",
      ])
    #expect(
      try occurrences("FREQ=MONTHLY;BYMONTHDAY=31", from: "2025-01-01", through: "2025-08-31")
        == ["2025-01-31", "2025-03-31", "2025-05-31", "2025-07-31", "2025-08-31"])
    // Counted from the end, the 31st-to-last is the 1st of a 31-day month only.
    #expect(
      try occurrences("FREQ=MONTHLY;BYMONTHDAY=-31", from: "2025-01-01", through: "2025-08-31")
        == ["2025-01-01", "2025-03-01", "2025-05-01", "2025-07-01", "2025-08-01"])
  }

  @Test("ends on the UNTIL date when it is a date, whatever time the program airs")
  func untilDate() throws {
    for time in [0, 9 * 3600, 86_399] {
      let dates = try occurrences("FREQ=DAILY;UNTIL=19970905", from: "1997-09-02", at: time)
      #expect(dates == ["1997-09-02", "1997-09-03", "1997-09-04", "1997-09-05"], "at \(time) s")
    }
    #expect(try occurrences("FREQ=DAILY;UNTIL=19970901", from: "1997-09-02").isEmpty)
  }

  @Test(
    "an UNTIL with Z is an instant in UTC: at 02:14 in Hà Nội, UNTIL=20261015T000000Z still airs on the 15th"
  )
  func untilUTC() throws {
    let hanoi = 7 * 3600
    let at0214 = 2 * 3600 + 14 * 60
    // 2026-10-15 02:14 at UTC+7 is 2026-10-14T19:14Z, before UNTIL, as
    // python-dateutil and every calendar count it; the 16th's is after.
    for (until, last) in [
      ("20261015T000000Z", "2026-10-15"), ("20261014T191400Z", "2026-10-15"),
      ("20261014T191359Z", "2026-10-14"), ("20261015T191400Z", "2026-10-16"),
      ("20261013T235959Z", "2026-10-14"),
    ] {
      let dates = try occurrences(
        "FREQ=DAILY;UNTIL=\(until)", from: "2026-10-10", through: "2026-12-31", at: at0214,
        utcOffset: hanoi)
      #expect(dates.last == last, "UNTIL=\(until)")
      #expect(dates.first == "2026-10-10", "UNTIL=\(until)")
    }
    // West of Greenwich the same instant can fall on the day before.
    #expect(
      try occurrences(
        "FREQ=DAILY;UNTIL=20261015T030000Z", from: "2026-10-10", through: "2026-12-31",
        at: 22 * 3600,
        utcOffset: -5 * 3600
      ).last == "2026-10-14")
  }

  @Test("an UNTIL with a time but no Z is on the station's clock, compared with the start time")
  func untilFloating() throws {
    let at0214 = 2 * 3600 + 14 * 60
    for (until, last) in [
      ("20261015T021400", "2026-10-15"), ("20261015T021359", "2026-10-14"),
      ("20261015T000000", "2026-10-14"), ("20261015T235959", "2026-10-15"),
    ] {
      // The station's offset does not matter to a floating time.
      for offset in [7 * 3600, -5 * 3600] {
        let dates = try occurrences(
          "FREQ=DAILY;UNTIL=\(until)", from: "2026-10-10", through: "2026-12-31", at: at0214,
          utcOffset: offset)
        #expect(dates.last == last, "UNTIL=\(until), offset \(offset)")
      }
    }
  }

  @Test("counts BYDAY ordinals in the month, or in the year for a YEARLY rule without BYMONTH")
  func ordinalScopes() throws {
    // The 1st to 8th that are also the second Monday of their month.
    #expect(
      try occurrences(
        "FREQ=MONTHLY;BYMONTHDAY=1,2,3,4,5,6,7,8;BYDAY=2MO", from: "1997-09-01",
        through: "1997-12-31") == ["1997-09-08", "1997-12-08"])
    // 1 January when it is the year's first Monday.
    #expect(
      try occurrences(
        "FREQ=YEARLY;BYMONTHDAY=1;BYDAY=1MO", from: "2000-01-01", through: "2025-12-31")
        == ["2001-01-01", "2007-01-01", "2018-01-01", "2024-01-01"])
    // The last Sunday of each March and of the year.
    #expect(
      try occurrences("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", from: "2025-01-01", through: "2026-12-31")
        == ["2025-03-30", "2026-03-29"])
    #expect(
      try occurrences("FREQ=YEARLY;BYDAY=-1SU", from: "2025-01-01", through: "2026-12-31") == [
        "2025-12-28", "2026-12-27",
      ])
  }

  @Test("ignores BYSETPOS positions a period does not have, and takes a repeated one once")
  func setPositionEdges() throws {
    #expect(
      try occurrences(
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1,1,-1,6", from: "1997-09-01", through: "1997-10-31")
        == ["1997-09-01", "1997-09-29", "1997-10-06", "1997-10-27"])
    // A DAILY period is one day: position 1 keeps it, position 2 never exists.
    #expect(
      try occurrences("FREQ=DAILY;BYDAY=MO;BYSETPOS=1", from: "1997-09-01", through: "1997-09-30")
        == ["1997-09-01", "1997-09-08", "1997-09-15", "1997-09-22", "1997-09-29"])
    #expect(try occurrences("FREQ=DAILY;BYDAY=MO;BYSETPOS=2", from: "1997-09-01").isEmpty)
  }

  @Test("limits daily and weekly rules with BYDAY, BYMONTH and BYMONTHDAY")
  func limits() throws {
    #expect(
      try occurrences(
        "FREQ=DAILY;BYDAY=SA,SU;BYMONTHDAY=1,-1", from: "2025-01-01", through: "2025-06-30")
        == ["2025-02-01", "2025-03-01", "2025-05-31", "2025-06-01"])
    #expect(
      try occurrences("FREQ=WEEKLY;BYMONTH=2", from: "2025-01-06", through: "2026-03-31") == [
        "2025-02-03", "2025-02-10", "2025-02-17", "2025-02-24",
        "2026-02-02", "2026-02-09", "2026-02-16", "2026-02-23",
      ])
  }

  /// Rules of every frequency whose periods do not all count, from starts
  /// in the middle of a period: the cases where skipping ahead could go wrong.
  static let skippingRules = [
    "FREQ=DAILY;INTERVAL=3", "FREQ=DAILY;INTERVAL=7;BYMONTH=2,3", "FREQ=WEEKLY;INTERVAL=3",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU", "FREQ=WEEKLY;INTERVAL=5;BYDAY=MO,SA;WKST=TH",
    "FREQ=MONTHLY;INTERVAL=5;BYDAY=-1FR", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=31",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=1,-1", "FREQ=YEARLY;INTERVAL=3",
    "FREQ=YEARLY;INTERVAL=2;BYDAY=10WE", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
    "FREQ=DAILY;UNTIL=20280101",
  ]

  @Test("gives the same dates when a range starts long after the rule", arguments: skippingRules)
  func skipsAhead(_ text: String) throws {
    let rule = try RecurrenceRule(parsing: text)
    for startText in ["1990-01-01", "1993-07-17", "1996-02-29"] {
      let start = try civil(startText)
      let all = rule.dates(
        start: start, in: CivilDateRange(start, through: try civil("2031-12-31")))
      for (lower, upper) in [
        ("2025-01-01", "2025-12-31"), ("2026-03-04", "2026-05-09"), ("2027-12-30", "2031-01-02"),
      ] {
        let range = CivilDateRange(try civil(lower), through: try civil(upper))
        #expect(
          rule.dates(start: start, in: range) == all.filter(range.contains),
          "from \(startText), \(lower)...\(upper)")
      }
    }
  }

  @Test("does not care about WKST when every week counts")
  func weekStartWithoutInterval() throws {
    #expect(
      try occurrences("FREQ=WEEKLY;BYDAY=TU,SU;WKST=SU", from: "1997-08-05", through: "1997-08-31")
        == occurrences("FREQ=WEEKLY;BYDAY=TU,SU;WKST=MO", from: "1997-08-05", through: "1997-08-31")
    )
  }

  // MARK: Reading rules

  @Test("accepts an RRULE: prefix and lower case")
  func forms() throws {
    let rule = try RecurrenceRule(parsing: "rrule:freq=monthly;byday=-1su,+2Mo;wkst=su")
    #expect(rule.frequency == .monthly)
    #expect(
      rule.byDay == [
        WeekdayNum(ordinal: -1, weekday: .sunday), WeekdayNum(ordinal: 2, weekday: .monday),
      ])
    #expect(rule.weekStart == .sunday)
    #expect(rule == (try RecurrenceRule(parsing: "RRULE:FREQ=MONTHLY;BYDAY=-1SU,2MO;WKST=SU")))
  }

  @Test("reads every part into its field, with defaults for those not given")
  func fields() throws {
    let rule = try RecurrenceRule(
      parsing: "FREQ=YEARLY;INTERVAL=2;COUNT=7;BYMONTH=3,9;BYMONTHDAY=-1,15;BYDAY=MO;BYSETPOS=-2")
    #expect(rule.interval == 2 && rule.count == 7 && rule.until == nil)
    #expect(rule.byMonth == [3, 9] && rule.byMonthDay == [-1, 15] && rule.bySetPosition == [-2])
    let plain = try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20251231")
    #expect(plain.interval == 1 && plain.count == nil && plain.weekStart == .monday)
    #expect(plain.until == .day(CivilDate(year: 2025, month: 12, day: 31)!))
    #expect(plain.byDay.isEmpty && plain.byMonthDay.isEmpty && plain.byMonth.isEmpty)
  }

  @Test("prints a canonical form that reads back as the same rule")
  func canonicalText() throws {
    for (text, canonical) in [
      ("rrule:freq=monthly;byday=-1su", "FREQ=MONTHLY;BYDAY=-1SU"),
      (
        "BYDAY=TU,TH;WKST=SU;INTERVAL=2;UNTIL=19971007T000000Z;FREQ=WEEKLY",
        "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971007T000000Z;BYDAY=TU,TH;WKST=SU"
      ),
      (
        "FREQ=YEARLY;BYSETPOS=1;BYDAY=+1MO;BYMONTHDAY=1;BYMONTH=1;COUNT=3;WKST=MO",
        "FREQ=YEARLY;COUNT=3;BYMONTH=1;BYMONTHDAY=1;BYDAY=1MO;BYSETPOS=1"
      ),
    ] {
      let rule = try RecurrenceRule(parsing: text)
      #expect(rule.description == canonical)
      #expect(try RecurrenceRule(parsing: rule.description) == rule)
    }
  }

  @Test("knows which rules need an explicit start date")
  func dependsOnStart() throws {
    for (text, depends) in [
      ("FREQ=DAILY", false), ("FREQ=DAILY;BYMONTH=1", false), ("FREQ=WEEKLY;BYDAY=MO", false),
      ("FREQ=MONTHLY;BYDAY=-1SU", false), ("FREQ=MONTHLY;BYMONTHDAY=15", false),
      ("FREQ=YEARLY;BYMONTH=9;BYMONTHDAY=2", false), ("FREQ=YEARLY;BYDAY=20MO", false),
      ("FREQ=DAILY;UNTIL=20251231", false), ("FREQ=WEEKLY;BYDAY=MO;WKST=SU", false),
      ("FREQ=DAILY;INTERVAL=2", true), ("FREQ=DAILY;COUNT=3", true), ("FREQ=WEEKLY", true),
      ("FREQ=WEEKLY;BYMONTH=2", true), ("FREQ=MONTHLY", true), ("FREQ=MONTHLY;BYMONTH=3", true),
      ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", true), ("FREQ=YEARLY", true),
      ("FREQ=YEARLY;BYMONTH=9", true), ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", true),
    ] {
      #expect(try RecurrenceRule(parsing: text).dependsOnStart == depends, "\(text)")
    }
  }

  @Test(
    "refuses a bad rule, saying what is wrong, where, and what to write",
    arguments: [
      // Missing or misspelt parts.
      ("BYDAY=MO", 0, "FREQ is missing: start the rule with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
      (
        "RRULE:BYDAY=MO", 6,
        "FREQ is missing: start the rule with FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"
      ),
      ("FREQ=WEEKLY;BYDYA=MO", 12, "unknown part 'BYDYA' (did you mean BYDAY?)"),
      ("freq=weekly;bydya=mo", 12, "unknown part 'BYDYA' (did you mean BYDAY?)"),
      ("FREQ=DAILY;INTERVALL=2", 11, "unknown part 'INTERVALL' (did you mean INTERVAL?)"),
      ("FREQ=DAILY;FREQUENCY=DAILY", 11, "unknown part 'FREQUENCY' (did you mean FREQ?)"),
      ("FREQ=DAILY;COLOR=RED", 11, "unknown part 'COLOR'"),
      (
        "FREQ=DAILY;DTSTART=19970902", 11,
        "DTSTART is not part of a rule: the first date is given separately"
      ),
      // Outside the subset.
      ("FREQ=DAILY;BYHOUR=5", 11, "BYHOUR is not supported: programs air at a fixed time of day"),
      (
        "FREQ=DAILY;BYMINUTE=0", 11,
        "BYMINUTE is not supported: programs air at a fixed time of day"
      ),
      (
        "FREQ=DAILY;BYSECOND=0", 11,
        "BYSECOND is not supported: programs air at a fixed time of day"
      ),
      (
        "FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", 12,
        "BYWEEKNO is not supported: select days with BYMONTH, BYMONTHDAY and BYDAY"
      ),
      (
        "FREQ=YEARLY;BYYEARDAY=100", 12,
        "BYYEARDAY is not supported: select days with BYMONTH, BYMONTHDAY and BYDAY"
      ),
      (
        "FREQ=HOURLY;INTERVAL=3", 5,
        "FREQ=HOURLY is not supported: programs air at a fixed time of day"
      ),
      ("FREQ=minutely", 5, "FREQ=MINUTELY is not supported: programs air at a fixed time of day"),
      ("FREQ=SECONDLY", 5, "FREQ=SECONDLY is not supported: programs air at a fixed time of day"),
      (
        "FREQ=WEEKY", 5,
        "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not 'WEEKY' (did you mean WEEKLY?)"
      ),
      // Parts that do not go together.
      ("FREQ=DAILY;COUNT=3;UNTIL=20251231", 19, "COUNT and UNTIL cannot both be given: keep one"),
      ("FREQ=DAILY;FREQ=WEEKLY", 11, "FREQ is given twice (also at character 1): keep one"),
      (
        "FREQ=WEEKLY;BYDAY=MO,2TU", 21,
        "BYDAY '2TU': a number needs FREQ=MONTHLY or YEARLY; with FREQ=WEEKLY write TU"
      ),
      (
        "FREQ=DAILY;BYDAY=-1FR", 17,
        "BYDAY '-1FR': a number needs FREQ=MONTHLY or YEARLY; with FREQ=DAILY write FR"
      ),
      (
        "FREQ=WEEKLY;BYMONTHDAY=1", 12,
        "BYMONTHDAY cannot be used with FREQ=WEEKLY: use FREQ=MONTHLY, or BYDAY for weekdays"
      ),
      (
        "FREQ=MONTHLY;BYSETPOS=1", 13,
        "BYSETPOS picks among the dates of BYDAY, BYMONTHDAY or BYMONTH: add one of them"
      ),
      // Values.
      ("FREQ=WEEKLY;BYDAY=", 18, "BYDAY has no value"),
      ("FREQ=MONTHLY;BYDAY=MO,,TU", 21, "BYDAY has an empty item: remove the extra ','"),
      (
        "FREQ=MONTHLY;BYDAY=XX", 19,
        "BYDAY values are days like MO, 2MO (the second Monday) or -1SU (the last Sunday), not 'XX'"
      ),
      (
        "FREQ=MONTHLY;BYDAY=1mon", 19,
        "BYDAY values are days like MO, 2MO (the second Monday) or -1SU (the last Sunday), "
          + "not '1mon' (did you mean 1MO?)"
      ),
      (
        "FREQ=MONTHLY;BYDAY=0MO", 19,
        "BYDAY '0MO': count from 1 (the first) or -1 (the last), not 0"
      ),
      (
        "FREQ=MONTHLY;BYDAY=6MO", 19,
        "BYDAY '6MO' never occurs: a month has at most 5 of each weekday (-1MO is the last)"
      ),
      (
        "FREQ=YEARLY;BYDAY=54MO", 18,
        "BYDAY '54MO' never occurs: a year has at most 53 of each weekday"
      ),
      (
        "FREQ=MONTHLY;BYMONTHDAY=32", 24,
        "BYMONTHDAY values are 1 to 31, or -31 to -1 counting from the month's end, not '32'"
      ),
      (
        "FREQ=MONTHLY;BYMONTHDAY=1,0", 26,
        "BYMONTHDAY values are 1 to 31, or -31 to -1 counting from the month's end, not '0'"
      ),
      ("FREQ=YEARLY;BYMONTH=13", 20, "BYMONTH values are 1 to 12, not '13'"),
      (
        "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=0", 31,
        "BYSETPOS values are 1 to 366, or -366 to -1 from the period's end, not '0'"
      ),
      (
        "FREQ=DAILY;INTERVAL=0", 20,
        "INTERVAL must be a whole number of periods from 1 to 10000, not '0'"
      ),
      (
        "FREQ=DAILY;COUNT=-1", 17,
        "COUNT must be a whole number of dates from 1 to 100000, not '-1'"
      ),
      (
        "FREQ=DAILY;UNTIL=2025", 17,
        "UNTIL must be a date like 20251231 or a date-time like 20251231T235959Z, not '2025'"
      ),
      ("FREQ=DAILY;UNTIL=20250230", 17, "UNTIL 20250230 is not a date (2025-02 has 28 days)"),
      (
        "FREQ=DAILY;UNTIL=20251231T250000Z", 26,
        "UNTIL has no valid time after 'T': write it like 20251231T235959Z"
      ),
      ("FREQ=DAILY;WKST=XX", 16, "WKST must be MO, TU, WE, TH, FR, SA or SU, not 'XX'"),
      // Shape.
      ("", 0, "the rule is empty: write it like FREQ=WEEKLY;BYDAY=MO,TH"),
      ("RRULE:", 6, "the rule is empty: write it like FREQ=WEEKLY;BYDAY=MO,TH"),
      ("FREQ=DAILY; COUNT=2", 11, "a rule has no spaces: write it like FREQ=WEEKLY;BYDAY=MO,TH"),
      ("FREQ=DAILY;;COUNT=2", 11, "empty part: remove the extra ';'"),
      ("FREQ=DAILY;", 10, "empty part: remove the extra ';'"),
      ("WEEKLY;BYDAY=MO", 0, "'WEEKLY' needs a name: write FREQ=WEEKLY"),
      ("FREQ=DAILY;COUNT", 11, "COUNT has no value: write COUNT=…"),
      ("FREQ=DAILY;=2", 11, "a part has no name before '=': write it like BYDAY=MO"),
    ])
  func refusesBadRules(text: String, offset: Int, message: String) {
    let error = #expect(throws: RecurrenceRuleError.self) { try RecurrenceRule(parsing: text) }
    #expect(error?.message == message)
    #expect(error?.offset == offset)
  }
}
