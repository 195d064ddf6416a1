import Foundation

/// A day of the Vietnamese lunar calendar.
public struct LunarDate: Hashable, Sendable, CustomStringConvertible {
  /// The lunar year, numbered as the solar year in which its Tết falls.
  public let year: Int
  public let month: Int
  public let day: Int
  /// True in the leap (intercalary, *nhuận*) month that repeats `month`.
  public let isLeapMonth: Bool

  public init(year: Int, month: Int, day: Int, isLeapMonth: Bool = false) {
    self.year = year
    self.month = month
    self.day = day
    self.isLeapMonth = isLeapMonth
  }

  /// `day/month/year`, with `n` after the month of a leap month: `15/6n/2025`.
  public var description: String { "\(day)/\(month)\(isLeapMonth ? "n" : "")/\(year)" }
}

/// The Vietnamese lunar calendar, computed for UTC+7 (105°E).
///
/// A month begins on the local day of the astronomical new moon; month 11
/// holds the winter solstice; in a year of 13 months the leap month is the
/// first that holds no principal solar term. Years 1900–2199 are tabulated
/// once, at first use; others are computed when asked. Checked day by day
/// against an independent astronomical reference (scripts/lunar-reference.py).
public enum LunarCalendar {
  static let zone = 7.0

  /// The lunar date of a solar day.
  public static func lunarDate(for date: CivilDate) -> LunarDate {
    // Tết falls between 21 January and 20 February, so a day belongs to the
    // lunar year of its solar year or to the one before.
    for year in [date.year, date.year - 1] {
      if let lunar = lunarYear(year).lunarDate(date.julianDay) { return lunar }
    }
    return LunarDate(year: date.year - 1, month: 12, day: 1)  // unreachable, see above
  }

  /// The solar day of a lunar date; nil when that date does not exist (day
  /// 30 of a 29-day month, a leap month the year lacks).
  public static func solarDate(for lunar: LunarDate) -> CivilDate? {
    let year = lunarYear(lunar.year)
    guard let index = year.monthIndex(month: lunar.month, isLeap: lunar.isLeapMonth) else {
      return nil
    }
    let length = year.length(ofMonthAt: index)
    guard lunar.day >= 1, lunar.day <= length else { return nil }
    return CivilDate(julianDay: year.monthStarts[index] + lunar.day - 1)
  }

  /// The leap month of lunar year `year`, or nil in a year of 12 months.
  public static func leapMonth(inYear year: Int) -> Int? { lunarYear(year).leapMonth }

  /// 29 or 30; nil for a month the year does not have.
  public static func monthLength(year: Int, month: Int, isLeapMonth: Bool) -> Int? {
    let lunar = lunarYear(year)
    return lunar.monthIndex(month: month, isLeap: isLeapMonth).map { lunar.length(ofMonthAt: $0) }
  }

  // MARK: Table

  struct Year: Sendable {
    let year: Int
    /// Julian day numbers of the first day of each month, Tết first.
    let monthStarts: [Int]
    /// The month number that is repeated as a leap month, if any.
    let leapMonth: Int?
    /// Index in `monthStarts` of the leap month.
    let leapIndex: Int?
    let nextYearStart: Int

    func monthIndex(month: Int, isLeap: Bool) -> Int? {
      guard (1...12).contains(month) else { return nil }
      if isLeap {
        guard month == leapMonth, let leapIndex else { return nil }
        return leapIndex
      }
      if let leapIndex, month - 1 >= leapIndex { return month }
      return month - 1
    }

    func length(ofMonthAt index: Int) -> Int {
      let end = index + 1 < monthStarts.count ? monthStarts[index + 1] : nextYearStart
      return end - monthStarts[index]
    }

    func lunarDate(_ jdn: Int) -> LunarDate? {
      guard jdn >= monthStarts[0], jdn < nextYearStart,
        let index = monthStarts.lastIndex(where: { $0 <= jdn })
      else { return nil }
      var month = index + 1
      var isLeap = false
      if let leapIndex {
        if index == leapIndex {
          isLeap = true
          month = index
        } else if index > leapIndex {
          month = index
        }
      }
      return LunarDate(
        year: year, month: month, day: jdn - monthStarts[index] + 1, isLeapMonth: isLeap)
    }
  }

  static let table: [Year] = (1900...2199).map(computedYear)

  static func lunarYear(_ year: Int) -> Year {
    let index = year - 1900
    return table.indices.contains(index) ? table[index] : computedYear(year)
  }

  /// Lunar year `year`, from the new moons and solar terms around it.
  static func computedYear(_ year: Int) -> Year {
    // Tết of `year` lies between month 11 of the solar year before and month
    // 11 of this one; the next Tết between this month 11 and the next.
    let elevens = (year - 1...year + 1).map { month11(ofSolarYear: $0) }
    let labeled =
      labeledMonths(from: elevens[0], to: elevens[1])
      + labeledMonths(from: elevens[1], to: elevens[2])
    let isTet = { (month: LabeledMonth) in month.number == 1 && !month.isLeap }
    guard let tet = labeled.firstIndex(where: isTet),
      let nextTet = labeled[(tet + 1)...].firstIndex(where: isTet)
    else {
      // Unreachable: every cycle from one month 11 to the next holds a month 1.
      return Year(
        year: year, monthStarts: [elevens[1]], leapMonth: nil, leapIndex: nil,
        nextYearStart: elevens[2])
    }
    let months = labeled[tet..<nextTet]
    let leapIndex = months.firstIndex(where: \.isLeap).map { $0 - tet }
    return Year(
      year: year, monthStarts: months.map(\.start),
      leapMonth: leapIndex.map { months[tet + $0].number },
      leapIndex: leapIndex, nextYearStart: labeled[nextTet].start)
  }

  struct LabeledMonth {
    let start: Int
    let number: Int
    let isLeap: Bool
  }

  /// The months from the month 11 that begins on `a11` up to (not including)
  /// the next month 11 on `b11`, numbered 11, 12, 1, … with a leap month when
  /// there are 13 of them.
  static func labeledMonths(from a11: Int, to b11: Int) -> [LabeledMonth] {
    var starts: [Int] = []
    var k = Int((Double(a11) - 2_415_021.076998695) / 29.530588853 + 0.5)
    while newMoonDay(k) < a11 { k += 1 }
    while newMoonDay(k) > a11 { k -= 1 }
    while newMoonDay(k) < b11 {
      starts.append(newMoonDay(k))
      k += 1
    }
    let leap = starts.count == 13 ? leapOffset(starts, end: b11) : nil
    var number = 11
    return starts.enumerated().map { index, start in
      if index > 0, index != leap { number = number % 12 + 1 }
      return LabeledMonth(start: start, number: number, isLeap: index == leap)
    }
  }

  /// Index in `cycle` (month 11 … next month 11) of the first month with no principal term.
  static func leapOffset(_ cycle: [Int], end: Int) -> Int? {
    let bounds = cycle + [end]
    for index in 1..<cycle.count where sunSector(bounds[index]) == sunSector(bounds[index + 1]) {
      return index
    }
    return nil
  }

  /// The local day of the new moon that begins month 11 (holding the winter solstice) of solar `year`.
  static func month11(ofSolarYear year: Int) -> Int {
    let december31 = CivilDate(year: year, month: 12, day: 31)?.julianDay ?? 0
    var k = Int(Double(december31 - 2_415_021) / 29.530588853)
    // The month that holds the solstice begins on or before it.
    while newMoonDay(k) > december31 { k -= 1 }
    var start = newMoonDay(k)
    if sunSector(start) >= 9 {
      start = newMoonDay(k - 1)
    }
    return start
  }

  // MARK: Astronomy

  /// Local (UTC+7) day number of new moon number `k` (k = 0 near 1900-01-01).
  static func newMoonDay(_ k: Int) -> Int {
    if let published = publishedNewMoonDays[k] { return published }
    let ut = newMoonTT(Double(k - 1236)) - deltaT(k: k) / 86_400
    return Int((ut + 0.5 + zone / 24).rounded(.down))
  }

  /// New moons so close to local midnight that astronomy cannot tell the
  /// day: they are taken as the published Vietnamese calendar has them.
  /// The new moon of July 1967 fell at 17:00 UT, 00:00 at UTC+7, within
  /// seconds of midnight (Meeus: 16:59:58; VSOP87/ELP: 17:00:03); the
  /// calendar begins month 6 of Đinh Mùi on 1967-07-08.
  static let publishedNewMoonDays: [Int: Int] = [834: 2_439_680]

  /// The Julian Ephemeris Day (TT) of new moon `k` counted from 2000-01-06
  /// (Meeus, Astronomical Algorithms, ch. 49, with every periodic and
  /// planetary term: within seconds over these centuries).
  static func newMoonTT(_ k: Double) -> Double {
    let t = k / 1236.85
    let t2 = t * t
    let t3 = t2 * t
    let t4 = t3 * t
    let r = Double.pi / 180
    var jde =
      2_451_550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3 + 0.00000000073 * t4
    let e = 1 - 0.002516 * t - 0.0000074 * t2
    let m = (2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3) * r
    let mp = (201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4) * r
    let f = (160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4) * r
    let omega = (124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3) * r
    let periodic: [(Double, Double)] = [
      (-0.40720, sin(mp)), (0.17241 * e, sin(m)), (0.01608, sin(2 * mp)), (0.01039, sin(2 * f)),
      (0.00739 * e, sin(mp - m)), (-0.00514 * e, sin(mp + m)), (0.00208 * e * e, sin(2 * m)),
      (-0.00111, sin(mp - 2 * f)), (-0.00057, sin(mp + 2 * f)), (0.00056 * e, sin(2 * mp + m)),
      (-0.00042, sin(3 * mp)), (0.00042 * e, sin(m + 2 * f)), (0.00038 * e, sin(m - 2 * f)),
      (-0.00024 * e, sin(2 * mp - m)), (-0.00017, sin(omega)), (-0.00007, sin(mp + 2 * m)),
      (0.00004, sin(2 * mp - 2 * f)), (0.00004, sin(3 * m)), (0.00003, sin(mp + m - 2 * f)),
      (0.00003, sin(2 * mp + 2 * f)), (-0.00003, sin(mp + m + 2 * f)),
      (0.00003, sin(mp - m + 2 * f)),
      (-0.00002, sin(mp - m - 2 * f)), (-0.00002, sin(3 * mp + m)), (0.00002, sin(4 * mp)),
    ]
    for (coefficient, value) in periodic { jde += coefficient * value }
    let planetary: [(Double, Double, Double)] = [
      (0.000325, 299.77, 0.107408), (0.000165, 251.88, 0.016321), (0.000164, 251.83, 26.651886),
      (0.000126, 349.42, 36.412478), (0.000110, 84.66, 18.206239), (0.000062, 141.74, 53.303771),
      (0.000060, 207.14, 2.453732), (0.000056, 154.84, 7.306860), (0.000047, 34.52, 27.261239),
      (0.000042, 207.19, 0.121824), (0.000040, 291.34, 1.844379), (0.000037, 161.72, 24.198154),
      (0.000035, 239.56, 25.513099), (0.000023, 331.55, 3.592518),
    ]
    for (index, (coefficient, base, rate)) in planetary.enumerated() {
      let argument = base + rate * k - (index == 0 ? 0.009173 * t2 : 0)
      jde += coefficient * sin(argument * r)
    }
    return jde
  }

  /// TT − UT in seconds (Espenak and Meeus's polynomials), at new moon `k`.
  static func deltaT(k: Int) -> Double {
    deltaT(year: 1900 + Double(k) / 12.3685)
  }

  static func deltaT(year y: Double) -> Double {
    switch y {
    case ..<1920:
      let t = y - 1900
      return -2.79 + 1.494119 * t - 0.0598939 * t * t + 0.0061966 * t * t * t - 0.000197 * t * t * t
        * t
    case ..<1941:
      let t = y - 1920
      return 21.20 + 0.84493 * t - 0.076100 * t * t + 0.0020936 * t * t * t
    case ..<1961:
      let t = y - 1950
      return 29.07 + 0.407 * t - t * t / 233 + t * t * t / 2547
    case ..<1986:
      let t = y - 1975
      return 45.45 + 1.067 * t - t * t / 260 - t * t * t / 718
    case ..<2005:
      let t = y - 2000
      return 63.86 + 0.3345 * t - 0.060374 * t * t + 0.0017275 * t * t * t + 0.000651814 * t * t * t
        * t
        + 0.00002373599 * t * t * t * t * t
    case ..<2050:
      let t = y - 2000
      return 62.92 + 0.32217 * t + 0.005589 * t * t
    case ..<2150:
      let u = (y - 1820) / 100
      return -20 + 32 * u * u - 0.5628 * (2150 - y)
    default:
      let u = (y - 1820) / 100
      return -20 + 32 * u * u
    }
  }

  /// Which 30° sector (0…11) the sun's apparent longitude is in at the start
  /// of local day `jdn` (Meeus ch. 25, with nutation and aberration: within
  /// about 0.01°, a quarter of an hour of the sun's motion).
  static func sunSector(_ jdn: Int) -> Int {
    let ut = Double(jdn) - 0.5 - zone / 24
    let t = (ut + deltaT(year: 2000 + (ut - 2_451_545) / 365.25) / 86_400 - 2_451_545.0) / 36525
    let t2 = t * t
    let r = Double.pi / 180
    let m = (357.52911 + 35999.05029 * t - 0.0001537 * t2) * r
    let l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t2
    let center =
      (1.914602 - 0.004817 * t - 0.000014 * t2) * sin(m) + (0.019993 - 0.000101 * t) * sin(2 * m)
      + 0.000289 * sin(3 * m)
    let omega = (125.04 - 1934.136 * t) * r
    var longitude = (l0 + center - 0.00569 - 0.00478 * sin(omega)).truncatingRemainder(
      dividingBy: 360)
    if longitude < 0 { longitude += 360 }
    return Int(longitude / 30)
  }
}
