import Testing

@testable import LoaCalendar

/// Expands `rule` from DTSTART `start` over a wide range, as `YYYY-MM-DD` strings.
func expand(
  _ rule: String, from start: String, through last: String = "2010-12-31", limit: Int = 1000
)
  throws -> [String]
{
  let parsed = try RecurrenceRule(parsing: rule)
  return parsed.dates(
    start: date(start), in: CivilDateRange(date("1990-01-01"), through: date(last))
  )
  .prefix(limit).map(\.description)
}

/// Compact date lists as RFC 5545 prints them: "1997: 9/2, 9/3" → ISO dates.
func days(_ year: Int, _ monthDays: [(Int, Int)]) -> [String] {
  monthDays.map { CivilDate(year: year, month: $0.0, day: $0.1)!.description }
}

@Suite("RFC 5545 recurrence rules (the date-level subset), against the RFC's own examples")
struct RecurrenceRuleTests {
  @Test("daily for 10 occurrences")
  func dailyCount() throws {
    #expect(
      try expand("FREQ=DAILY;COUNT=10", from: "1997-09-02") == days(1997, (2...11).map { (9, $0) }))
  }

  @Test("daily until December 24, 1997")
  func dailyUntil() throws {
    let dates = try expand("FREQ=DAILY;UNTIL=19971224T000000Z", from: "1997-09-02")
    #expect(dates.count == 113)
    #expect(dates.first == "1997-09-02" && dates.last == "1997-12-23")
  }

  @Test("every other day, and every 10 days for 5 occurrences")
  func intervals() throws {
    #expect(
      try expand("FREQ=DAILY;INTERVAL=2", from: "1997-09-02", limit: 4) == [
        "1997-09-02", "1997-09-04", "1997-09-06", "1997-09-08",
      ])
    #expect(
      try expand("FREQ=DAILY;INTERVAL=10;COUNT=5", from: "1997-09-02")
        == days(1997, [(9, 2), (9, 12), (9, 22), (10, 2), (10, 12)]))
  }

  @Test("every day in January for 3 years, written both ways")
  func januaryDays() throws {
    let yearly = try expand(
      "FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA", from: "1998-01-01")
    let daily = try expand("FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1", from: "1998-01-01")
    #expect(yearly.count == 93)
    #expect(yearly == daily)
    #expect(yearly.last == "2000-01-31")
  }

  @Test("weekly for 10 occurrences, and until December 24, 1997")
  func weekly() throws {
    #expect(
      try expand("FREQ=WEEKLY;COUNT=10", from: "1997-09-02")
        == days(
          1997,
          [
            (9, 2), (9, 9), (9, 16), (9, 23), (9, 30), (10, 7), (10, 14), (10, 21), (10, 28),
            (11, 4),
          ]))
    let until = try expand("FREQ=WEEKLY;UNTIL=19971224T000000Z", from: "1997-09-02")
    #expect(until.count == 17 && until.last == "1997-12-23")
  }

  @Test("every other week, forever, with WKST=SU")
  func everyOtherWeek() throws {
    #expect(
      try expand("FREQ=WEEKLY;INTERVAL=2;WKST=SU", from: "1997-09-02", limit: 5)
        == days(1997, [(9, 2), (9, 16), (9, 30), (10, 14), (10, 28)]))
  }

  @Test("weekly on Tuesday and Thursday for five weeks, written both ways")
  func tuesdayThursday() throws {
    let expected = days(
      1997, [(9, 2), (9, 4), (9, 9), (9, 11), (9, 16), (9, 18), (9, 23), (9, 25), (9, 30), (10, 2)])
    #expect(
      try expand("FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH", from: "1997-09-02")
        == expected)
    #expect(try expand("FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH", from: "1997-09-02") == expected)
  }

  @Test("every other week on Monday, Wednesday and Friday until December 24, 1997")
  func mondayWednesdayFriday() throws {
    let dates = try expand(
      "FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;BYDAY=MO,WE,FR", from: "1997-09-01")
    #expect(
      Array(dates.prefix(6)) == days(1997, [(9, 1), (9, 3), (9, 5), (9, 15), (9, 17), (9, 19)]))
    #expect(dates.count == 25 && dates.last == "1997-12-22")
  }

  @Test("every other week on Tuesday and Thursday, for 8 occurrences")
  func everyOtherTuesdayThursday() throws {
    #expect(
      try expand("FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH", from: "1997-09-02")
        == days(1997, [(9, 2), (9, 4), (9, 16), (9, 18), (9, 30), (10, 2), (10, 14), (10, 16)]))
  }

  @Test("monthly on the first Friday, for 10 occurrences and until December 24, 1997")
  func firstFriday() throws {
    #expect(
      try expand("FREQ=MONTHLY;COUNT=10;BYDAY=1FR", from: "1997-09-05") == days(
        1997, [(9, 5), (10, 3), (11, 7), (12, 5)])
        + days(1998, [(1, 2), (2, 6), (3, 6), (4, 3), (5, 1), (6, 5)]))
    #expect(
      try expand("FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR", from: "1997-09-05")
        == days(1997, [(9, 5), (10, 3), (11, 7), (12, 5)]))
  }

  @Test("every other month on the first and last Sunday, for 10 occurrences")
  func firstAndLastSunday() throws {
    #expect(
      try expand("FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU", from: "1997-09-07") == days(
        1997, [(9, 7), (9, 28), (11, 2), (11, 30)])
        + days(1998, [(1, 4), (1, 25), (3, 1), (3, 29), (5, 3), (5, 31)]))
  }

  @Test("monthly on the second-to-last Monday, for 6 months")
  func secondToLastMonday() throws {
    #expect(
      try expand("FREQ=MONTHLY;COUNT=6;BYDAY=-2MO", from: "1997-09-22") == days(
        1997, [(9, 22), (10, 20), (11, 17), (12, 22)]) + days(1998, [(1, 19), (2, 16)]))
  }

  @Test("monthly on the third-to-last day of the month")
  func thirdToLastDay() throws {
    #expect(
      try expand("FREQ=MONTHLY;BYMONTHDAY=-3", from: "1997-09-28", limit: 6) == days(
        1997, [(9, 28), (10, 29), (11, 28), (12, 29)]) + days(1998, [(1, 29), (2, 26)]))
  }

  @Test("monthly on the 2nd and 15th, and on the first and last day, for 10 occurrences")
  func monthDays() throws {
    #expect(
      try expand("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15", from: "1997-09-02") == days(
        1997, [(9, 2), (9, 15), (10, 2), (10, 15), (11, 2), (11, 15), (12, 2), (12, 15)])
        + days(1998, [(1, 2), (1, 15)]))
    #expect(
      try expand("FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1", from: "1997-09-30") == days(
        1997, [(9, 30), (10, 1), (10, 31), (11, 1), (11, 30), (12, 1), (12, 31)])
        + days(1998, [(1, 1), (1, 31), (2, 1)]))
  }

  @Test("every 18 months on the 10th to 15th, for 10 occurrences")
  func eighteenMonths() throws {
    #expect(
      try expand(
        "FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15", from: "1997-09-10")
        == days(1997, (10...15).map { (9, $0) }) + days(1999, (10...13).map { (3, $0) }))
  }

  @Test("every Tuesday, every other month")
  func tuesdaysEveryOtherMonth() throws {
    #expect(
      try expand("FREQ=MONTHLY;INTERVAL=2;BYDAY=TU", from: "1997-09-02", limit: 9)
        == days(
          1997, [(9, 2), (9, 9), (9, 16), (9, 23), (9, 30), (11, 4), (11, 11), (11, 18), (11, 25)]))
  }

  @Test("yearly in June and July for 10 occurrences; every other year in January to March")
  func yearlyMonths() throws {
    #expect(
      try expand("FREQ=YEARLY;COUNT=10;BYMONTH=6,7", from: "1997-06-10")
        == (1997...2001).flatMap { days($0, [(6, 10), (7, 10)]) })
    #expect(
      try expand("FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3", from: "1997-03-10") == [
        "1997-03-10"
      ] + [1999, 2001, 2003].flatMap { days($0, [(1, 10), (2, 10), (3, 10)]) })
  }

  @Test("every 20th Monday of the year, and every Thursday in March")
  func yearlyWeekdays() throws {
    #expect(
      try expand("FREQ=YEARLY;BYDAY=20MO", from: "1997-05-19", limit: 3) == [
        "1997-05-19", "1998-05-18", "1999-05-17",
      ])
    #expect(
      try expand("FREQ=YEARLY;BYMONTH=3;BYDAY=TH", from: "1997-03-13", limit: 7) == days(
        1997, [(3, 13), (3, 20), (3, 27)]) + days(1998, [(3, 5), (3, 12), (3, 19), (3, 26)]))
  }

  @Test("every Thursday, but only during June, July and August")
  func summerThursdays() throws {
    let dates = try expand(
      "FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8", from: "1997-06-05", through: "1997-12-31")
    #expect(
      dates
        == days(
          1997,
          [
            (6, 5), (6, 12), (6, 19), (6, 26), (7, 3), (7, 10), (7, 17), (7, 24), (7, 31), (8, 7),
            (8, 14), (8, 21), (8, 28),
          ]))
  }

  @Test("every Friday the 13th, and the first Saturday after the first Sunday of the month")
  func combinations() throws {
    #expect(
      try expand("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", from: "1997-09-02", limit: 5) == [
        "1998-02-13", "1998-03-13", "1998-11-13", "1999-08-13", "2000-10-13",
      ])
    #expect(
      try expand("FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13", from: "1997-09-13", limit: 5)
        == days(1997, [(9, 13), (10, 11), (11, 8), (12, 13)]) + ["1998-01-10"])
  }

  @Test("every four years, the first Tuesday after a Monday in November (US election day)")
  func electionDay() throws {
    #expect(
      try expand(
        "FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", from: "1996-11-05",
        limit: 3) == ["1996-11-05", "2000-11-07", "2004-11-02"])
  }

  @Test("BYSETPOS: the third Tuesday, Wednesday or Thursday; the second-to-last weekday")
  func setPositions() throws {
    #expect(
      try expand("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", from: "1997-09-04") == [
        "1997-09-04", "1997-10-07", "1997-11-06",
      ])
    #expect(
      try expand("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2", from: "1997-09-29", limit: 7)
        == days(1997, [(9, 29), (10, 30), (11, 27), (12, 30)])
        + days(1998, [(1, 29), (2, 26), (3, 30)]))
  }

  @Test("WKST changes which days an every-other-week rule picks")
  func weekStart() throws {
    #expect(
      try expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO", from: "1997-08-05")
        == days(1997, [(8, 5), (8, 10), (8, 19), (8, 24)]))
    #expect(
      try expand("FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU", from: "1997-08-05")
        == days(1997, [(8, 5), (8, 17), (8, 19), (8, 31)]))
  }

  @Test("invalid dates are skipped: the 15th and 30th of each month never give 30 February")
  func invalidDates() throws {
    #expect(
      try expand("FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5", from: "2007-01-15") == [
        "2007-01-15", "2007-01-30", "2007-02-15", "2007-03-15", "2007-03-30",
      ])
  }

  @Test("a rule far after its start is expanded only where asked, and gives the same dates")
  func jumpsAhead() throws {
    let rule = try RecurrenceRule(parsing: "FREQ=WEEKLY;INTERVAL=3;BYDAY=SU")
    let start = date("1990-01-07")
    let all = rule.dates(start: start, in: CivilDateRange(start, through: date("2030-12-31")))
    let late = rule.dates(
      start: start, in: CivilDateRange(date("2030-01-01"), through: date("2030-12-31")))
    #expect(late == all.filter { $0 >= date("2030-01-01") })
    #expect(!late.isEmpty)
  }

  @Test("accepts an RRULE: prefix and lower case, and prints the canonical form")
  func forms() throws {
    let rule = try RecurrenceRule(parsing: "rrule:freq=monthly;byday=-1su")
    #expect(rule.description == "FREQ=MONTHLY;BYDAY=-1SU")
    #expect(rule.frequency == .monthly && rule.byDay == [WeekdayNum(ordinal: -1, weekday: .sunday)])
  }

  @Test("knows which rules need a start date")
  func dependsOnStart() throws {
    for (text, depends) in [
      ("FREQ=DAILY", false), ("FREQ=WEEKLY;BYDAY=MO", false), ("FREQ=MONTHLY;BYDAY=-1SU", false),
      ("FREQ=DAILY;INTERVAL=2", true), ("FREQ=DAILY;COUNT=3", true), ("FREQ=WEEKLY", true),
      ("FREQ=MONTHLY", true), ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1", true),
      ("FREQ=YEARLY;BYMONTH=9", true),
    ] {
      #expect(try RecurrenceRule(parsing: text).dependsOnStart == depends, "\(text)")
    }
  }

  @Test(
    "bad rules are refused with what is wrong and where",
    arguments: [
      ("BYDAY=MO", 0, "FREQ is missing"),
      ("FREQ=WEEKLY;BYDYA=MO", 12, "unknown part 'BYDYA' (did you mean BYDAY?)"),
      ("FREQ=DAILY;BYHOUR=5", 11, "BYHOUR is not supported: programs air at a fixed time of day"),
      ("FREQ=HOURLY", 5, "FREQ=HOURLY is not supported"),
      ("FREQ=DAILY;COUNT=3;UNTIL=20251231", 17, "COUNT and UNTIL cannot both be given"),
      (
        "FREQ=MONTHLY;BYMONTHDAY=32", 24,
        "BYMONTHDAY value '32' must be a whole number from -31 to 31"
      ),
      ("FREQ=DAILY;FREQ=WEEKLY", 11, "FREQ is given twice"),
      ("FREQ=WEEKLY;BYDAY=", 18, "BYDAY has no value"),
      ("FREQ=WEEKLY;BYDAY=MO,2TU", 21, "BYDAY with a number ('2TU') needs FREQ=MONTHLY or YEARLY"),
      ("FREQ=MONTHLY;BYDAY=XX", 19, "BYDAY value 'XX' must be a day like MO, 2MO or -1SU"),
      (
        "FREQ=DAILY;INTERVAL=0", 20,
        "INTERVAL value '0' must be a whole number from 1 to 10000, not 0"
      ),
      ("FREQ=DAILY;UNTIL=2025", 17, "UNTIL must be a date like 20251231"),
      ("FREQ=DAILY;WKST=XX", 16, "WKST must be MO, TU, WE, TH, FR, SA or SU"),
      ("FREQ=DAILY;;", 11, "'' is not NAME=VALUE"),
    ])
  func errors(text: String, offset: Int, message: String) {
    #expect {
      _ = try RecurrenceRule(parsing: text)
    } throws: { error in
      guard let error = error as? RecurrenceRuleError else { return false }
      return error.offset == offset && error.message.hasPrefix(message)
    }
  }
}
