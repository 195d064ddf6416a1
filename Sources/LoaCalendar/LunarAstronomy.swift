// The astronomy behind the lunar calendar: when the moon is new, where the
// sun is, and how far Earth's rotation (UT) lags uniform time (TT). Pure
// Swift, trigonometry included, so that the calendar needs no C library.

/// Mean new moons, the sun's apparent longitude, ΔT and the trigonometry they need.
enum Astronomy {
  /// Julian Ephemeris Day of J2000.0.
  static let j2000 = 2_451_545.0

  // MARK: New moons

  /// The instant (Julian Ephemeris Day, TT) of new moon number `k`, counted
  /// from the new moon of 2000-01-06.
  ///
  /// Meeus, *Astronomical Algorithms* (2nd ed.), ch. 49, with every periodic
  /// and planetary term. Checked against DE431 (Swiss Ephemeris) for every new
  /// moon 1898–2201: within 18 s, standard deviation 4.5 s.
  static func newMoonTT(_ k: Int) -> Double {
    let k = Double(k)
    let t = k / 1236.85
    let t2 = t * t
    let t3 = t2 * t
    let t4 = t3 * t
    var jde =
      2_451_550.09766 + 29.530588861 * k + 0.00015437 * t2 - 0.000000150 * t3
      + 0.00000000073 * t4
    let e = 1 - 0.002516 * t - 0.0000074 * t2
    // The arguments in degrees: the sun's and moon's mean anomalies, the
    // moon's argument of latitude and the longitude of its ascending node.
    let m = 2.5534 + 29.10535670 * k - 0.0000014 * t2 - 0.00000011 * t3
    let mp = 201.5643 + 385.81693528 * k + 0.0107582 * t2 + 0.00001238 * t3 - 0.000000058 * t4
    let f = 160.7108 + 390.67050284 * k - 0.0016118 * t2 - 0.00000227 * t3 + 0.000000011 * t4
    let omega = 124.7746 - 1.56375588 * k + 0.0020672 * t2 + 0.00000215 * t3
    let periodic: [(Double, Double)] = [
      (-0.40720, mp), (0.17241 * e, m), (0.01608, 2 * mp), (0.01039, 2 * f),
      (0.00739 * e, mp - m), (-0.00514 * e, mp + m), (0.00208 * e * e, 2 * m),
      (-0.00111, mp - 2 * f), (-0.00057, mp + 2 * f), (0.00056 * e, 2 * mp + m),
      (-0.00042, 3 * mp), (0.00042 * e, m + 2 * f), (0.00038 * e, m - 2 * f),
      (-0.00024 * e, 2 * mp - m), (-0.00017, omega), (-0.00007, mp + 2 * m),
      (0.00004, 2 * mp - 2 * f), (0.00004, 3 * m), (0.00003, mp + m - 2 * f),
      (0.00003, 2 * mp + 2 * f), (-0.00003, mp + m + 2 * f), (0.00003, mp - m + 2 * f),
      (-0.00002, mp - m - 2 * f), (-0.00002, 3 * mp + m), (0.00002, 4 * mp),
    ]
    for (coefficient, argument) in periodic { jde += coefficient * sine(degrees: argument) }
    let planetary: [(Double, Double)] = [
      (0.000325, 299.77 + 0.107408 * k - 0.009173 * t2), (0.000165, 251.88 + 0.016321 * k),
      (0.000164, 251.83 + 26.651886 * k), (0.000126, 349.42 + 36.412478 * k),
      (0.000110, 84.66 + 18.206239 * k), (0.000062, 141.74 + 53.303771 * k),
      (0.000060, 207.14 + 2.453732 * k), (0.000056, 154.84 + 7.306860 * k),
      (0.000047, 34.52 + 27.261239 * k), (0.000042, 207.19 + 0.121824 * k),
      (0.000040, 291.34 + 1.844379 * k), (0.000037, 161.72 + 24.198154 * k),
      (0.000035, 239.56 + 25.513099 * k), (0.000023, 331.55 + 3.592518 * k),
    ]
    for (coefficient, argument) in planetary { jde += coefficient * sine(degrees: argument) }
    return jde
  }

  /// The new moon number whose mean instant is nearest `julianDay`.
  static func nearestNewMoon(to julianDay: Double) -> Int {
    nearestInteger((julianDay - 2_451_550.09766) / 29.530588861)
  }

  // MARK: The sun

  /// The sun's apparent geocentric longitude in degrees (0..<360), referred
  /// to the true equinox of date, at Julian Ephemeris Day `jde` (TT).
  ///
  /// VSOP87D for the Earth (`earthLongitudeSeries`), turned geocentric,
  /// converted to FK5 (Meeus ch. 32), with the IAU 2000 correction to the
  /// precession rate (−0.29965″ a century: VSOP87D's equinox of date follows
  /// the IAU 1976 precession), the nutation in longitude and the annual
  /// aberration. Within about 0.3″ of DE431 over 1900–2200.
  static func apparentSolarLongitude(tt jde: Double) -> Double {
    let tau = (jde - j2000) / 365_250
    let t = tau * 10
    var heliocentric = 0.0
    var power = 1.0
    for terms in earthLongitudeSeries {
      var sum = 0.0
      var index = 0
      while index + 2 < terms.count {
        sum += terms[index] * cosine(radians: terms[index + 1] + terms[index + 2] * tau)
        index += 3
      }
      heliocentric += sum * power
      power *= tau
    }
    // The Earth–sun distance, in AU, only scales the aberration (20.5″): its
    // three largest terms are plenty.
    let distance =
      1.00013988799 + 0.01670699626 * cosine(radians: 3.09846350771 + 6283.0758499914 * tau)
      + 0.00013956023 * cosine(radians: 3.05524609620 + 12566.1516999828 * tau)
    let arcsecond = 1.0 / 3600
    var longitude = heliocentric * 180 / Double.pi + 180
    longitude += (-0.09033 - 0.29965 * t) * arcsecond
    longitude += nutationInLongitude(t: t)
    longitude -= 20.4898 * arcsecond / distance
    return normalized(degrees: longitude)
  }

  /// Δψ in degrees, `t` Julian centuries from J2000 (TT): the 13 largest
  /// terms of the IAU 1980 series (Meeus table 22.A), within about 0.02″.
  static func nutationInLongitude(t: Double) -> Double {
    let t2 = t * t
    let t3 = t2 * t
    let d = 297.85036 + 445267.111480 * t - 0.0019142 * t2 + t3 / 189474
    let m = 357.52772 + 35999.050340 * t - 0.0001603 * t2 - t3 / 300000
    let mp = 134.96298 + 477198.867398 * t + 0.0086972 * t2 + t3 / 56250
    let f = 93.27191 + 483202.017538 * t - 0.0036825 * t2 + t3 / 327270
    let omega = 125.04452 - 1934.136261 * t + 0.0020708 * t2 + t3 / 450000
    // Multiples of (D, M, M′, F, Ω), then the coefficient in 0.0001″ and its change per century.
    let terms: [(Double, Double, Double, Double, Double, Double, Double)] = [
      (0, 0, 0, 0, 1, -171996, -174.2), (-2, 0, 0, 2, 2, -13187, -1.6),
      (0, 0, 0, 2, 2, -2274, -0.2), (0, 0, 0, 0, 2, 2062, 0.2), (0, 1, 0, 0, 0, 1426, -3.4),
      (0, 0, 1, 0, 0, 712, 0.1), (-2, 1, 0, 2, 2, -517, 1.2), (0, 0, 0, 2, 1, -386, -0.4),
      (0, 0, 1, 2, 2, -301, 0), (-2, -1, 0, 2, 2, 217, -0.5), (-2, 0, 1, 0, 0, -158, 0),
      (-2, 0, 0, 2, 1, 129, 0.1), (0, 0, -1, 2, 2, 123, 0),
    ]
    var sum = 0.0
    for (cd, cm, cmp, cf, co, coefficient, rate) in terms {
      let argument = cd * d + cm * m + cmp * mp + cf * f + co * omega
      sum += (coefficient + rate * t) * sine(degrees: argument)
    }
    return sum / 10_000 / 3600
  }

  // MARK: ΔT

  /// ΔT = TT − UT in seconds at the start of each fifth year 1900, 1905, …,
  /// 2025: the observed values (IERS; 2025 from the IERS bulletins).
  static let observedDeltaT: [Double] = [
    -2.72, 3.86, 10.46, 17.20, 21.16, 23.62, 24.02, 23.93, 24.33, 26.77, 29.15, 31.07, 33.15,
    35.73, 40.18, 45.48, 50.54, 54.34, 56.86, 60.78, 63.83, 64.69, 66.07, 67.64, 69.36, 69.20,
  ]

  /// TT − UT in seconds at decimal year `year`.
  ///
  /// Observed values (interpolated) up to 2025. Later, Earth's rotation is
  /// unknown: Morrison and Stephenson's long-term parabola −20 + 32u² (u in
  /// centuries from 1820), joined to the 2025 value by a linear term that
  /// vanishes in 2150, as Espenak and Meeus join theirs. Events within a
  /// minute or two of local midnight after 2025 depend on this choice; the
  /// reference table (scripts/lunar-reference.py) makes the same one.
  static func deltaT(year: Double) -> Double {
    guard year >= 1900 else { return observedDeltaT[0] }
    if year < 2025 {
      let position = (year - 1900) / 5
      let index = min(Int(position), observedDeltaT.count - 2)
      let fraction = position - Double(index)
      return observedDeltaT[index] + (observedDeltaT[index + 1] - observedDeltaT[index]) * fraction
    }
    let u = (year - 1820) / 100
    let parabola = -20 + 32 * u * u
    return year < 2150 ? parabola - 0.36224 * (2150 - year) : parabola
  }

  /// The decimal year of a Julian Day.
  static func year(ofJulianDay julianDay: Double) -> Double {
    2000 + (julianDay - j2000) / 365.2425
  }

  // MARK: Arithmetic
  //
  // Written out rather than taken from the C library (`floor`, `round`,
  // `fmod`, `sin`), which a pure-Swift target cannot rely on being linked.

  /// ⌊x⌋ for |x| < 2⁶³.
  static func largestInteger(notAbove x: Double) -> Int {
    let truncated = Int(x)  // rounds toward zero, a single instruction
    return Double(truncated) > x ? truncated - 1 : truncated
  }

  /// x rounded to the nearest integer, halves away from zero.
  static func nearestInteger(_ x: Double) -> Int {
    x < 0 ? -largestInteger(notAbove: -x + 0.5) : largestInteger(notAbove: x + 0.5)
  }

  /// `degrees` brought into 0..<360.
  static func normalized(degrees: Double) -> Double {
    let reduced = degrees - 360 * Double(largestInteger(notAbove: degrees / 360))
    // Rounding can leave exactly 360 (or a hair below 0) for tiny negatives.
    return reduced >= 360 || reduced < 0 ? 0 : reduced
  }

  static func sine(degrees: Double) -> Double {
    // Reducing in degrees first is exact, and keeps large arguments accurate.
    sine(radians: normalized(degrees: degrees) * Double.pi / 180)
  }

  static func sine(radians x: Double) -> Double {
    let (quadrant, r) = reduced(x)
    switch quadrant {
    case 0: return sinePolynomial(r)
    case 1: return cosinePolynomial(r)
    case 2: return -sinePolynomial(r)
    default: return -cosinePolynomial(r)
    }
  }

  static func cosine(radians x: Double) -> Double {
    let (quadrant, r) = reduced(x)
    switch quadrant {
    case 0: return cosinePolynomial(r)
    case 1: return -sinePolynomial(r)
    case 2: return -cosinePolynomial(r)
    default: return sinePolynomial(r)
    }
  }

  /// `x` as q·π/2 + r with |r| ≤ π/4, q taken modulo 4. π/2 is split in two
  /// parts (Cody and Waite) so that r keeps full precision for the
  /// arguments used here (|x| < 10⁵).
  private static func reduced(_ x: Double) -> (Int, Double) {
    let halfPiHigh = 1.5707963267341256  // the first 33 bits of π/2
    let halfPiLow = 6.077100506506192e-11  // π/2 − halfPiHigh
    let quarterTurns = nearestInteger(x * (2 / Double.pi))
    let q = Double(quarterTurns)
    let r = (x - q * halfPiHigh) - q * halfPiLow
    return ((quarterTurns % 4 + 4) % 4, r)
  }

  /// sin r for |r| ≤ π/4: the Taylor series to r¹⁷, exact to double precision.
  private static func sinePolynomial(_ r: Double) -> Double {
    let r2 = r * r
    var sum = 0.0
    for coefficient in sineCoefficients { sum = sum * r2 + coefficient }
    return sum * r
  }

  /// cos r for |r| ≤ π/4: the Taylor series to r¹⁸.
  private static func cosinePolynomial(_ r: Double) -> Double {
    let r2 = r * r
    var sum = 0.0
    for coefficient in cosineCoefficients { sum = sum * r2 + coefficient }
    return sum
  }

  /// ±1/(2n+1)!, highest order first, for Horner's rule.
  private static let sineCoefficients: [Double] = taylorCoefficients(firstPower: 1)
  /// ±1/(2n)!, highest order first.
  private static let cosineCoefficients: [Double] = taylorCoefficients(firstPower: 0)

  private static func taylorCoefficients(firstPower: Int) -> [Double] {
    var coefficients: [Double] = []
    var factorial = 1.0
    for power in 0...18 {
      if power > 0 { factorial *= Double(power) }
      guard power >= firstPower, (power - firstPower) % 2 == 0 else { continue }
      let sign = (power - firstPower) % 4 == 0 ? 1.0 : -1.0
      coefficients.append(sign / factorial)
    }
    return coefficients.reversed()
  }
}
