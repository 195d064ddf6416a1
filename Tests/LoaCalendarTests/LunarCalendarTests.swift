import Testing

@testable import LoaCalendar

func date(_ text: String) -> CivilDate { CivilDate(iso: text)! }

/// One lunar year of the reference table made by scripts/lunar-reference.py.
struct ReferenceYear {
  let year: Int
  let tet: CivilDate
  let leapMonth: Int?
  let monthLengths: [Int]

  init(_ line: String) {
    let fields = line.split(separator: " ")
    year = Int(fields[0])!
    tet = CivilDate(iso: fields[1])!
    leapMonth = Int(fields[2]) == 0 ? nil : Int(fields[2])
    monthLengths = fields[3].map { $0 == "1" ? 30 : 29 }
  }

  /// (month, isLeap) of each month in order from Tết.
  var months: [(Int, Bool)] {
    var result: [(Int, Bool)] = []
    for month in 1...12 {
      result.append((month, false))
      if month == leapMonth { result.append((month, true)) }
    }
    return result
  }
}

@Suite("The Vietnamese lunar calendar")
struct LunarCalendarTests {
  @Test(
    "Tết falls where the Vietnamese calendar (UTC+7) puts it, not the Chinese one",
    arguments: [
      (1985, "1985-01-21"), (2007, "2007-02-17"), (2030, "2030-02-02"), (2025, "2025-01-29"),
      (2026, "2026-02-17"),
    ])
  func tet(year: Int, expected: String) {
    #expect(LunarCalendar.solarDate(for: LunarDate(year: year, month: 1, day: 1)) == date(expected))
    #expect(LunarCalendar.lunarDate(for: date(expected)) == LunarDate(year: year, month: 1, day: 1))
  }

  @Test(
    "leap months: 2 in 2023, 6 in 2025, 4 in 2020, none in 2024",
    arguments: [(2023, 2), (2025, 6), (2020, 4), (2024, 0)])
  func leapMonths(year: Int, month: Int) {
    #expect(LunarCalendar.leapMonth(inYear: year) == (month == 0 ? nil : month))
  }

  @Test(
    "the leap month repeats its month: 6 nhuận 2025 runs 2025-07-25 to 2025-08-22, between months 6 and 7"
  )
  func leapMonthDays() {
    #expect(
      LunarCalendar.solarDate(for: LunarDate(year: 2025, month: 6, day: 1, isLeapMonth: true))
        == date("2025-07-25"))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-07-24")) == LunarDate(year: 2025, month: 6, day: 30))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-08-22"))
        == LunarDate(year: 2025, month: 6, day: 29, isLeapMonth: true))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-08-23")) == LunarDate(year: 2025, month: 7, day: 1))
    #expect(LunarDate(year: 2025, month: 6, day: 15, isLeapMonth: true).description == "15/6n/2025")
  }

  @Test(
    "2054-05-07 and 2062-04-09, where a naive port gives day 0, are the 30th days of their months")
  func naivePortDayZero() {
    #expect(
      LunarCalendar.lunarDate(for: date("2054-05-07")) == LunarDate(year: 2054, month: 3, day: 30))
    #expect(
      LunarCalendar.lunarDate(for: date("2062-04-09")) == LunarDate(year: 2062, month: 2, day: 30))
    for text in ["2054-05-07", "2062-04-09"] {
      let lunar = LunarCalendar.lunarDate(for: date(text))
      #expect((1...30).contains(lunar.day), "\(text) → \(lunar)")
      #expect(LunarCalendar.solarDate(for: lunar) == date(text))
    }
  }

  @Test("the last lunar month of a year runs into the next solar year")
  func yearEnd() {
    #expect(
      LunarCalendar.lunarDate(for: date("2024-12-31")) == LunarDate(year: 2024, month: 12, day: 1))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-01-01")) == LunarDate(year: 2024, month: 12, day: 2))
    #expect(
      LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 12, day: 29)) == date("2025-01-28"))
  }

  @Test("dates that do not exist have no solar date")
  func nonexistent() {
    // 2024 has no leap month; month 12 of 2024 has 29 days; month 13 never exists.
    #expect(
      LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 4, day: 1, isLeapMonth: true))
        == nil)
    #expect(LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 12, day: 30)) == nil)
    #expect(LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 13, day: 1)) == nil)
    #expect(LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 1, day: 0)) == nil)
    #expect(LunarCalendar.monthLength(year: 2024, month: 12, isLeapMonth: false) == 29)
  }

  @Test("every month 1900–2199 begins and lasts as the independent astronomical reference says")
  func matchesReference() {
    #expect(lunarReferenceTable.count == 300)
    var mismatches: [String] = []
    for line in lunarReferenceTable {
      let reference = ReferenceYear(line)
      #expect(
        LunarCalendar.leapMonth(inYear: reference.year) == reference.leapMonth, "\(reference.year)")
      var start = reference.tet
      for ((month, isLeap), length) in zip(reference.months, reference.monthLengths) {
        let lunar = LunarDate(year: reference.year, month: month, day: 1, isLeapMonth: isLeap)
        if LunarCalendar.solarDate(for: lunar) != start
          || LunarCalendar.monthLength(year: reference.year, month: month, isLeapMonth: isLeap)
            != length
        {
          mismatches.append("\(lunar) should begin \(start) and last \(length) days")
        }
        start = start.adding(days: length)
      }
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) months differ: \(mismatches.prefix(20))")
  }

  @Test("every day 1900–2199 converts to a valid lunar date and back")
  func roundTrip() {
    var failures: [String] = []
    var previous: LunarDate?
    for day in CivilDateRange(date("1900-01-31"), through: date("2199-12-31")) {
      let lunar = LunarCalendar.lunarDate(for: day)
      if !(1...30).contains(lunar.day) || LunarCalendar.solarDate(for: lunar) != day {
        failures.append("\(day) → \(lunar)")
      }
      // Consecutive days are consecutive lunar days, or day 1 of the next month.
      if let previous, lunar.day != previous.day + 1, lunar.day != 1 {
        failures.append("\(day) → \(lunar) after \(previous)")
      }
      previous = lunar
      if failures.count > 10 { break }
    }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test(
    "can-chi names of years",
    arguments: [
      (2025, "Ất Tỵ"), (2026, "Bính Ngọ"), (1945, "Ất Dậu"), (1984, "Giáp Tý"), (1900, "Canh Tý"),
    ])
  func canChi(year: Int, name: String) {
    #expect(CanChi.year(year).description == name)
  }
}
