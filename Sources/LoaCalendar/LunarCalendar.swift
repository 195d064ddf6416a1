/// A day of the Vietnamese lunar calendar (âm lịch).
public struct LunarDate: Hashable, Sendable, CustomStringConvertible {
  /// The lunar year, numbered as the solar year in which its Tết falls.
  public let year: Int
  /// 1...12; a leap month repeats the number of the month before it.
  public let month: Int
  /// 1...30.
  public let day: Int
  /// True in the leap (intercalary, *nhuận*) month that repeats `month`.
  public let isLeapMonth: Bool

  public init(year: Int, month: Int, day: Int, isLeapMonth: Bool = false) {
    self.year = year
    self.month = month
    self.day = day
    self.isLeapMonth = isLeapMonth
  }

  /// `day/month/year` as Vietnamese calendars write it, with `n` (*nhuận*)
  /// after the month of a leap month: `10/3/2025`, `15/6n/2025`.
  public var description: String { "\(day)/\(month)\(isLeapMonth ? "n" : "")/\(year)" }
}

/// The Vietnamese lunar calendar, computed for UTC+7 (105°E).
///
/// A month begins on the local day of the astronomical new moon; month 11
/// holds the winter solstice; in a year of 13 months (13 new moons from one
/// month 11 to the next) the leap month is the first that holds no principal
/// solar term. The months of 1898–2200 are computed once, at first use (a few
/// milliseconds); dates outside are computed when asked, with no guarantee.
/// Checked month by month against an independent astronomical reference
/// (`scripts/lunar-reference.py`).
public enum LunarCalendar {
  /// The first solar year whose months are kept in `standardMonths`.
  static let firstTabulatedYear = 1898
  static let lastTabulatedYear = 2200

  /// The lunar date of a solar day.
  public static func lunarDate(for date: CivilDate) -> LunarDate {
    months(around: date.year).lunarDate(julianDay: date.julianDay)
  }

  /// The solar day of a lunar date; nil when that date does not exist (day
  /// 30 of a 29-day month, a leap month the year lacks, month 13, day 0).
  public static func solarDate(for lunar: LunarDate) -> CivilDate? {
    let table = months(around: lunar.year)
    guard let index = table.index(year: lunar.year, month: lunar.month, isLeap: lunar.isLeapMonth),
      lunar.day >= 1, lunar.day <= table.length(ofMonthAt: index)
    else { return nil }
    return CivilDate(julianDay: table.starts[index] + lunar.day - 1)
  }

  /// The leap month of lunar year `year`, or nil in a year of 12 months.
  public static func leapMonth(inYear year: Int) -> Int? {
    months(around: year).leapMonth(inYear: year)
  }

  /// 29 or 30; nil for a month the year does not have.
  public static func monthLength(year: Int, month: Int, isLeapMonth: Bool) -> Int? {
    let table = months(around: year)
    return table.index(year: year, month: month, isLeap: isLeapMonth).map(table.length(ofMonthAt:))
  }

  // MARK: The table of months

  /// Every month from month 11 of `firstTabulatedYear` to month 11 of
  /// `lastTabulatedYear`: about 3,700 months, built once and immutable, so
  /// safe to share between threads.
  static let standardMonths = MonthTable(solarYears: firstTabulatedYear...lastTabulatedYear)

  /// A table holding solar year `year` and lunar year `year` whole.
  static func months(around year: Int) -> MonthTable {
    if year > firstTabulatedYear, year < lastTabulatedYear { return standardMonths }
    return MonthTable(solarYears: (year - 2)...(year + 1))
  }

  struct MonthLabel: Hashable, Sendable {
    let year: Int
    let month: Int
    let isLeap: Bool
  }

  /// Consecutive lunar months: where each begins and what it is called.
  struct MonthTable: Sendable {
    /// Julian Day Numbers of each month's first day; the last entry only
    /// ends the month before it.
    let starts: [Int]
    /// One label per month (one fewer than `starts`).
    let labels: [MonthLabel]
    /// Index of month 1 (Tết) of each lunar year in the table.
    let tetIndex: [Int: Int]

    /// The months from month 11 of the first solar year of `years` to month
    /// 11 of the last.
    init(solarYears years: ClosedRange<Int>) {
      var starts: [Int] = []
      var labels: [MonthLabel] = []
      var eleven = LunarCalendar.month11(ofSolarYear: years.lowerBound)
      for year in years.dropFirst() {
        let next = LunarCalendar.month11(ofSolarYear: year)
        let cycle = (eleven..<next).map(LunarCalendar.newMoonDay)
        let end = LunarCalendar.newMoonDay(next)
        // 12 months from one month 11 to the next, or 13 with a leap month.
        let leap =
          cycle.count == 13
          ? LunarCalendar.firstMonthWithoutPrincipalTerm(cycle, end: end) : nil
        var month = 11
        for index in cycle.indices {
          if index > 0, index != leap { month = month % 12 + 1 }
          // Months 11 and 12 (and a leap 11 or 12) come before Tết in the
          // cycle: they end the lunar year that began in the previous solar year.
          let lunarYear = month >= 11 ? year - 1 : year
          labels.append(MonthLabel(year: lunarYear, month: month, isLeap: index == leap))
        }
        starts += cycle
        eleven = next
      }
      starts.append(LunarCalendar.newMoonDay(eleven))
      self.starts = starts
      self.labels = labels
      var tetIndex: [Int: Int] = [:]
      for (index, label) in labels.enumerated() where label.month == 1 && !label.isLeap {
        tetIndex[label.year] = index
      }
      self.tetIndex = tetIndex
    }

    func length(ofMonthAt index: Int) -> Int { starts[index + 1] - starts[index] }

    /// The index of a month, nil when the year has no such month.
    func index(year: Int, month: Int, isLeap: Bool) -> Int? {
      guard (1...12).contains(month), let tet = tetIndex[year] else { return nil }
      let wanted = MonthLabel(year: year, month: month, isLeap: isLeap)
      // Month m is m − 1 months after Tết, or m months after it when a leap
      // month comes first.
      for index in [tet + month - 1, tet + month] where labels.indices.contains(index) {
        if labels[index] == wanted { return index }
      }
      return nil
    }

    func leapMonth(inYear year: Int) -> Int? {
      guard let tet = tetIndex[year] else { return nil }
      return labels[tet..<min(tet + 13, labels.count)].first { $0.isLeap && $0.year == year }?.month
    }

    /// The lunar date of a day inside the table.
    func lunarDate(julianDay: Int) -> LunarDate {
      // The last month that begins on or before the day (binary search).
      var low = 0
      var high = labels.count - 1
      while low < high {
        let middle = (low + high + 1) / 2
        if starts[middle] <= julianDay { low = middle } else { high = middle - 1 }
      }
      let label = labels[low]
      return LunarDate(
        year: label.year, month: label.month, day: julianDay - starts[low] + 1,
        isLeapMonth: label.isLeap)
    }
  }

  // MARK: From astronomy to days

  /// Hours east of Greenwich of the calendar's meridian, 105°E.
  static let zoneHours = 7.0

  /// New moons that fall so close to local midnight that Meeus's formula,
  /// good to about 18 s, puts them on the wrong day: their local day from a
  /// modern ephemeris (DE431 through the Swiss Ephemeris). Every new moon of
  /// 1898–2201 was checked; only one needs it.
  static let newMoonDayCorrections: [Int: Int] = [
    // New moon of 1967-07-07: 17:00:04 UT by DE431 (00:00:04 at UTC+7, so
    // month 6 of Đinh Mùi begins on 1967-07-08), 16:59:58 UT by Meeus.
    -402: 2_439_680
  ]

  /// The Julian Day Number of the local (UTC+7) day of new moon number `k`.
  static func newMoonDay(_ k: Int) -> Int {
    if let corrected = newMoonDayCorrections[k] { return corrected }
    let tt = Astronomy.newMoonTT(k)
    let ut = tt - Astronomy.deltaT(year: Astronomy.year(ofJulianDay: tt)) / 86_400
    // Julian Days begin at noon; the civil day at UTC+7 begins at 17:00 UT.
    return Astronomy.largestInteger(notAbove: ut + 0.5 + zoneHours / 24)
  }

  /// The sun's apparent longitude (degrees) at the local midnight that
  /// begins day `julianDay`.
  static func solarLongitude(atStartOf julianDay: Int) -> Double {
    let ut = Double(julianDay) - 0.5 - zoneHours / 24
    let tt = ut + Astronomy.deltaT(year: Astronomy.year(ofJulianDay: ut)) / 86_400
    return Astronomy.apparentSolarLongitude(tt: tt)
  }

  /// Which 30° arc (0...11) the sun is in when day `julianDay` begins: a
  /// principal term falls within the days from `a` up to `b` exactly when
  /// the arcs at their starts differ.
  static func principalTermArc(atStartOf julianDay: Int) -> Int {
    Int(solarLongitude(atStartOf: julianDay) / 30) % 12
  }

  /// The index in `cycle` (the month starts from one month 11 to the month
  /// before the next) of the first month with no principal term.
  static func firstMonthWithoutPrincipalTerm(_ cycle: [Int], end: Int) -> Int? {
    let bounds = cycle + [end]
    let arcs = bounds.map(principalTermArc(atStartOf:))
    return (1..<cycle.count).first { arcs[$0] == arcs[$0 + 1] }
  }

  /// The number of the new moon that begins month 11 (the month holding
  /// the December solstice) in solar year `year`.
  static func month11(ofSolarYear year: Int) -> Int {
    let solstice = decemberSolsticeDay(ofYear: year)
    // Start from the mean new moon before the solstice, then step until the
    // month truly brackets it: estimates can be off by one either way.
    var k = Astronomy.nearestNewMoon(to: Double(solstice) - 15)
    while newMoonDay(k) > solstice { k -= 1 }
    while newMoonDay(k + 1) <= solstice { k += 1 }
    return k
  }

  /// The local day in which the sun's longitude reaches 270°.
  static func decemberSolsticeDay(ofYear year: Int) -> Int {
    // Degrees past 270°, in −180..<180: negative before the solstice.
    func pastSolstice(_ day: Int) -> Double {
      let offset = solarLongitude(atStartOf: day) - 270
      return offset >= 180 ? offset - 360 : offset < -180 ? offset + 360 : offset
    }
    var day = (CivilDate(year: year, month: 12, day: 21) ?? CivilDate(firstOfYear: year)).julianDay
    // The solstice is within a day or two of 21 December; step by days.
    while pastSolstice(day) >= 0 { day -= 1 }
    while pastSolstice(day + 1) < 0 { day += 1 }
    return day
  }
}
