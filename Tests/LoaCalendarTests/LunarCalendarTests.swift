import Testing

@testable import LoaCalendar

/// The date written `YYYY-MM-DD`; a typo in a test's own fixture is recorded
/// as a failure of that test (and gives 1970-01-01), never a crash.
func date(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> CivilDate {
  guard let parsed = CivilDate(iso: text) else {
    Issue.record("not a date: \(text)", sourceLocation: sourceLocation)
    return CivilDate(julianDay: 2_440_588)
  }
  return parsed
}

/// One lunar year of the reference table made by scripts/lunar-reference.py.
struct ReferenceYear {
  let year: Int
  let tet: CivilDate
  let leapMonth: Int?
  let monthLengths: [Int]

  init?(_ line: String) {
    let fields = line.split(separator: " ")
    guard fields.count == 4, let year = Int(fields[0]), let tet = CivilDate(iso: fields[1]),
      let leap = Int(fields[2])
    else { return nil }
    self.year = year
    self.tet = tet
    leapMonth = leap == 0 ? nil : leap
    monthLengths = fields[3].map { $0 == "1" ? 30 : 29 }
  }

  /// (month, isLeap) of each month in order from Tết.
  var months: [(month: Int, isLeap: Bool)] {
    (1...12).flatMap { month in
      month == leapMonth ? [(month, false), (month, true)] : [(month, false)]
    }
  }
}

@Suite("The Vietnamese lunar calendar")
struct LunarCalendarTests {
  @Test(
    "Tết falls where the Vietnamese calendar (UTC+7) puts it, not the Chinese one (UTC+8)",
    arguments: [
      (1985, "1985-01-21"), (2007, "2007-02-17"), (2030, "2030-02-02"), (2025, "2025-01-29"),
      (2026, "2026-02-17"),
    ])
  func tet(year: Int, expected: String) {
    #expect(LunarCalendar.solarDate(for: LunarDate(year: year, month: 1, day: 1)) == date(expected))
    #expect(LunarCalendar.lunarDate(for: date(expected)) == LunarDate(year: year, month: 1, day: 1))
    #expect(LunarCalendar.lunarDate(for: date(expected).adding(days: -1)).month == 12)
  }

  @Test(
    "leap months: 2 in 2023, 6 in 2025, 4 in 2020, 5 in 2028, none in 2024 or 2026",
    arguments: [(2023, 2), (2025, 6), (2020, 4), (2028, 5), (2024, 0), (2026, 0)])
  func leapMonths(year: Int, month: Int) {
    #expect(LunarCalendar.leapMonth(inYear: year) == (month == 0 ? nil : month))
  }

  @Test("month 6 nhuận of 2025 runs from 2025-07-25 to 2025-08-22, between months 6 and 7")
  func leapMonthDays() {
    let leapSix = LunarDate(year: 2025, month: 6, day: 1, isLeapMonth: true)
    #expect(LunarCalendar.solarDate(for: leapSix) == date("2025-07-25"))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-07-24")) == LunarDate(year: 2025, month: 6, day: 30))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-08-22"))
        == LunarDate(year: 2025, month: 6, day: 29, isLeapMonth: true))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-08-23")) == LunarDate(year: 2025, month: 7, day: 1))
    #expect(LunarCalendar.monthLength(year: 2025, month: 6, isLeapMonth: true) == 29)
    #expect(LunarCalendar.monthLength(year: 2025, month: 6, isLeapMonth: false) == 30)
  }

  @Test("a lunar date prints as day/month/year, with n after a leap month")
  func description() {
    #expect(LunarDate(year: 2025, month: 3, day: 10).description == "10/3/2025")
    #expect(LunarDate(year: 2025, month: 6, day: 15, isLeapMonth: true).description == "15/6n/2025")
  }

  @Test(
    "2054-05-07 and 2062-04-09, where a naive port gives day 0, are the 30th of months 3 and 2")
  func naivePortDayZero() {
    // The new moon of 2054-05-07 falls seconds after local midnight, so
    // month 4 begins on 2054-05-08; the reference table agrees.
    #expect(
      LunarCalendar.lunarDate(for: date("2054-05-07")) == LunarDate(year: 2054, month: 3, day: 30))
    #expect(
      LunarCalendar.lunarDate(for: date("2054-05-08")) == LunarDate(year: 2054, month: 4, day: 1))
    #expect(
      LunarCalendar.lunarDate(for: date("2062-04-09")) == LunarDate(year: 2062, month: 2, day: 30))
    #expect(
      LunarCalendar.lunarDate(for: date("2062-04-10")) == LunarDate(year: 2062, month: 3, day: 1))
    for text in ["2054-05-07", "2062-04-09"] {
      let lunar = LunarCalendar.lunarDate(for: date(text))
      #expect(LunarCalendar.solarDate(for: lunar) == date(text))
    }
  }

  @Test("month 12 of lunar 2024 begins on 2024-12-31 and runs into solar 2025")
  func yearEnd() {
    #expect(
      LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 12, day: 1)) == date("2024-12-31"))
    #expect(
      LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 12, day: 2)) == date("2025-01-01"))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-01-01")) == LunarDate(year: 2024, month: 12, day: 2))
    #expect(
      LunarCalendar.solarDate(for: LunarDate(year: 2024, month: 12, day: 29)) == date("2025-01-28"))
    #expect(
      LunarCalendar.lunarDate(for: date("2025-01-29")) == LunarDate(year: 2025, month: 1, day: 1))
  }

  @Test("dates that do not exist have no solar date")
  func nonexistent() {
    // 2024 has no leap month; 2025's is 6, not 5; month 12 of 2024 has 29 days.
    let missing = [
      LunarDate(year: 2024, month: 4, day: 1, isLeapMonth: true),
      LunarDate(year: 2025, month: 5, day: 1, isLeapMonth: true),
      LunarDate(year: 2024, month: 12, day: 30),
      LunarDate(year: 2025, month: 6, day: 30, isLeapMonth: true),
      LunarDate(year: 2024, month: 13, day: 1),
      LunarDate(year: 2024, month: 0, day: 1),
      LunarDate(year: 2024, month: 1, day: 0),
      LunarDate(year: 2024, month: 1, day: 31),
    ]
    for lunar in missing { #expect(LunarCalendar.solarDate(for: lunar) == nil, "\(lunar)") }
    #expect(LunarCalendar.monthLength(year: 2024, month: 12, isLeapMonth: false) == 29)
    #expect(LunarCalendar.monthLength(year: 2024, month: 4, isLeapMonth: true) == nil)
    #expect(LunarCalendar.monthLength(year: 2024, month: 13, isLeapMonth: false) == nil)
  }

  @Test("every month 1900–2199 begins and lasts as the independent pyephem reference says")
  func matchesReference() {
    let years = lunarReferenceTable.compactMap(ReferenceYear.init)
    #expect(years.count == 300)
    #expect(years.map(\.year) == Array(1900...2199))
    var mismatches: [String] = []
    for reference in years {
      if LunarCalendar.leapMonth(inYear: reference.year) != reference.leapMonth {
        mismatches.append("\(reference.year) should have leap month \(reference.leapMonth ?? 0)")
      }
      #expect(reference.months.count == reference.monthLengths.count, "\(reference.year)")
      var start = reference.tet
      for ((month, isLeap), length) in zip(reference.months, reference.monthLengths) {
        let first = LunarDate(year: reference.year, month: month, day: 1, isLeapMonth: isLeap)
        if LunarCalendar.solarDate(for: first) != start
          || LunarCalendar.lunarDate(for: start) != first
          || LunarCalendar.monthLength(year: reference.year, month: month, isLeapMonth: isLeap)
            != length
        {
          mismatches.append("\(first) should begin \(start) and last \(length) days")
        }
        start = start.adding(days: length)
      }
      // The year ends where the next one begins.
      #expect(LunarCalendar.lunarDate(for: start).month == 1, "\(reference.year)")
    }
    #expect(mismatches.isEmpty, "\(mismatches.count) differ: \(mismatches.prefix(20))")
  }

  @Test("every day 1900-01-01…2199-12-31 is a valid lunar date that converts back")
  func roundTrip() {
    var failures: [String] = []
    var previous: LunarDate?
    for day in CivilDateRange(date("1900-01-01"), through: date("2199-12-31")) {
      let lunar = LunarCalendar.lunarDate(for: day)
      if !(1...30).contains(lunar.day) || !(1...12).contains(lunar.month)
        || LunarCalendar.solarDate(for: lunar) != day
      {
        failures.append("\(day) → \(lunar)")
      }
      if let previous {
        // The next lunar day, or day 1 after a month of 29 or 30 days.
        let next = lunar.day == previous.day + 1 && lunar.month == previous.month
        let newMonth = lunar.day == 1 && (29...30).contains(previous.day)
        if !next && !newMonth { failures.append("\(day) → \(lunar) after \(previous)") }
      }
      previous = lunar
      if failures.count > 10 { break }
    }
    #expect(failures.isEmpty, "\(failures)")
  }

  @Test("every month of lunar years 1900–2199 has 29 or 30 days; years have 12 or 13 months")
  func monthLengths() {
    for year in 1900...2199 {
      let leap = LunarCalendar.leapMonth(inYear: year)
      for month in 1...12 {
        let length = LunarCalendar.monthLength(year: year, month: month, isLeapMonth: false)
        #expect(length == 29 || length == 30, "\(month)/\(year)")
        let leapLength = LunarCalendar.monthLength(year: year, month: month, isLeapMonth: true)
        #expect((leapLength != nil) == (month == leap), "\(month)n/\(year)")
      }
    }
  }

  @Test("dates outside 1900–2199 still convert and round-trip")
  func outsideRange() {
    for text in ["1850-06-15", "1899-12-31", "2200-01-01", "2250-03-01"] {
      let lunar = LunarCalendar.lunarDate(for: date(text))
      #expect((1...30).contains(lunar.day), "\(text) → \(lunar)")
      #expect(LunarCalendar.solarDate(for: lunar) == date(text), "\(text) → \(lunar)")
    }
  }

  @Test(
    "can-chi names of years",
    arguments: [
      (2025, "Ất Tỵ"), (2026, "Bính Ngọ"), (1945, "Ất Dậu"), (1984, "Giáp Tý"), (1900, "Canh Tý"),
      (1968, "Mậu Thân"), (2043, "Quý Hợi"),
    ])
  func canChi(year: Int, name: String) {
    #expect(CanChi.year(year).description == name)
  }

  @Test("can-chi repeats every 60 years and never within them")
  func canChiCycle() {
    let names = (1984..<2044).map { CanChi.year($0) }
    #expect(Set(names).count == 60)
    #expect(CanChi.year(1924) == CanChi.year(1984))
    #expect(CanChi.year(-3) == CanChi.year(57))
  }
}

@Suite("The astronomy under the lunar calendar")
struct AstronomyTests {
  @Test("sine and cosine agree with known values, for small and large arguments")
  func trigonometry() {
    #expect(abs(Astronomy.sine(degrees: 30) - 0.5) < 1e-15)
    #expect(abs(Astronomy.sine(degrees: -390) + 0.5) < 1e-15)
    #expect(abs(Astronomy.cosine(radians: Double.pi) + 1) < 1e-15)
    #expect(abs(Astronomy.sine(radians: 10_000) - -0.305_614_388_888_252_1) < 1e-12)
    #expect(abs(Astronomy.cosine(radians: 10_000) - -0.952_155_368_259_014_8) < 1e-12)
    for step in 0..<1000 {
      let x = Double(step) * 0.0731 - 30
      let s = Astronomy.sine(radians: x)
      let c = Astronomy.cosine(radians: x)
      #expect(abs(s * s + c * c - 1) < 1e-15, "\(x)")
    }
  }

  @Test("rounding helpers round as floor and to nearest, negatives included")
  func rounding() {
    #expect(Astronomy.largestInteger(notAbove: 2.7) == 2)
    #expect(Astronomy.largestInteger(notAbove: -2.2) == -3)
    #expect(Astronomy.largestInteger(notAbove: -2) == -2)
    #expect(Astronomy.nearestInteger(2.5) == 3)
    #expect(Astronomy.nearestInteger(-2.5) == -3)
    #expect(Astronomy.nearestInteger(-2.4) == -2)
  }

  @Test("the new moon of 1977-02-18 is where Meeus's worked example 49.a puts it")
  func meeusExample() {
    #expect(abs(Astronomy.newMoonTT(-283) - 2_443_192.65118) < 0.00001)
  }

  @Test("the sun crosses the March equinox of 2000 at 07:35 UT on 20 March")
  func equinox() {
    // 2000-03-20 00:00 UT is JD 2451623.5; ΔT was 64 s.
    let deltaT = Astronomy.deltaT(year: 2000.2) / 86_400
    let before = Astronomy.apparentSolarLongitude(tt: 2_451_623.5 + (7 * 60 + 33) / 1440 + deltaT)
    let after = Astronomy.apparentSolarLongitude(tt: 2_451_623.5 + (7 * 60 + 37) / 1440 + deltaT)
    #expect(before > 359.99)
    #expect(after < 0.01)
  }

  @Test("ΔT follows the observations to 2025 and then grows without a jump")
  func deltaT() {
    #expect(abs(Astronomy.deltaT(year: 1900) - -2.72) < 0.01)
    #expect(abs(Astronomy.deltaT(year: 2000) - 63.83) < 0.01)
    #expect(abs(Astronomy.deltaT(year: 2025) - 69.2) < 0.01)
    #expect(abs(Astronomy.deltaT(year: 2024.999) - Astronomy.deltaT(year: 2025)) < 0.01)
    #expect(abs(Astronomy.deltaT(year: 2149.999) - Astronomy.deltaT(year: 2150)) < 0.01)
    #expect(Astronomy.deltaT(year: 2100) > Astronomy.deltaT(year: 2050))
  }
}
