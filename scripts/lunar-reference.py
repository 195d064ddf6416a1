#!/usr/bin/python3
"""Regenerates Tests/LoaCalendarTests/LunarReferenceTable.swift.

An independent reference for the Vietnamese lunar calendar, lunar years
1900-2199, from pyephem's astronomy (VSOP87 for the sun, libastro's lunar
theory for the moon; Debian's python3-ephem) rather than from loa's code:

- a month begins on the local (UTC+7) day of a new moon (the moon's and the
  sun's apparent geocentric longitudes equal);
- month 11 is the month holding the December solstice (apparent solar
  longitude 270 degrees);
- between two months 11 that are 13 months apart, the leap month is the
  first month holding no principal term (apparent solar longitude a multiple
  of 30 degrees), and takes the number of the month before it.

Only one convention is shared with loa: Delta T (TT - UT) after 2025, which
nobody can know in advance and which moves every instant by a minute or more
by 2100. pyephem's own extrapolation is swapped for the one loa documents
(observed values to 2025, then Morrison and Stephenson's parabola joined to
them), so that the two differ only by their astronomy. Before 2025 both use
observed values and agree within a second.

Each line of the table is one lunar year: the year, its Tet (first day of
month 1), its leap month (0 for none), and one digit per month from Tet,
1 for 30 days and 0 for 29. Events within a minute of local midnight are
listed in comments: there the day hangs on the last seconds of precision.

Usage: scripts/lunar-reference.py   (needs python3-ephem; about a minute)
"""
import datetime
import math
import os
import sys

import ephem
from ephem import _libastro

ZONE_HOURS = 7
FIRST_YEAR, LAST_YEAR = 1900, 2199
SECOND = 1 / 86400
DUBLIN_TO_JD = 2415020.0  # ephem.Date counts days from 1899-12-31 12:00 UT

# Delta T in seconds at the start of 1900, 1905, ..., 2025 (IERS).
OBSERVED_DELTA_T = [
    -2.72, 3.86, 10.46, 17.20, 21.16, 23.62, 24.02, 23.93, 24.33, 26.77, 29.15, 31.07, 33.15,
    35.73, 40.18, 45.48, 50.54, 54.34, 56.86, 60.78, 63.83, 64.69, 66.07, 67.64, 69.36, 69.20,
]


def delta_t(year):
    """TT - UT in seconds at a decimal year: the convention loa uses."""
    if year < 1900:
        return OBSERVED_DELTA_T[0]
    if year < 2025:
        position = (year - 1900) / 5
        index = min(int(position), len(OBSERVED_DELTA_T) - 2)
        fraction = position - index
        return OBSERVED_DELTA_T[index] + (OBSERVED_DELTA_T[index + 1] - OBSERVED_DELTA_T[index]) * fraction
    u = (year - 1820) / 100
    parabola = -20 + 32 * u * u
    return parabola - 0.36224 * (2150 - year) if year < 2150 else parabola


def decimal_year(when):
    return 2000 + (float(when) + DUBLIN_TO_JD - 2451545.0) / 365.2425


def to_model_ut(when):
    """An instant found by pyephem (UT by pyephem's Delta T) as UT by loa's."""
    return ephem.Date(when + (ephem.delta_t(when) - delta_t(decimal_year(when))) * SECOND)


def local_day(when):
    """The UTC+7 calendar day of an instant, and its seconds from local midnight (signed, nearest)."""
    local = ephem.Date(when).datetime() + datetime.timedelta(hours=ZONE_HOURS)
    seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
    return local.date(), seconds if seconds < 43200 else seconds - 86400


_sun = ephem.Sun()
_moon = ephem.Moon()


def sun_longitude(when):
    """Apparent geocentric longitude of the sun, true equinox of date, radians."""
    _sun.compute(when)
    return _libastro.eq_ecl(when, _sun.g_ra, _sun.g_dec)[0]


def elongation(when):
    """Moon minus sun in apparent longitude, radians in (-pi, pi]."""
    _moon.compute(when)
    moon = _libastro.eq_ecl(when, _moon.g_ra, _moon.g_dec)[0]
    return (moon - sun_longitude(when) + math.pi) % (2 * math.pi) - math.pi


def root(f, a, b):
    """The instant in [a, b] where f changes sign from negative to non-negative, to 1 ms."""
    fa = f(a)
    while b - a > 0.001 * SECOND:
        middle = (a + b) / 2
        fm = f(middle)
        if (fm < 0) == (fa < 0):
            a, fa = middle, fm
        else:
            b = middle
    return ephem.Date((a + b) / 2)


def new_moons(start, end):
    """Every new moon in [start, end): its local day and its distance from midnight."""
    found = []
    t = ephem.Date(start)
    while True:
        guess = ephem.next_new_moon(t)
        if guess >= end:
            return found
        instant = root(elongation, guess - 600 * SECOND, guess + 600 * SECOND)
        found.append(local_day(to_model_ut(instant)))
        t = ephem.Date(guess + 1)


def principal_terms(start, end):
    """Every crossing of a multiple of 30 degrees: (local day, seconds from midnight, degrees)."""
    found = []
    t = ephem.Date(start)
    arc = int(math.degrees(sun_longitude(t)) // 30)
    while t < end:
        t2 = ephem.Date(t + 1)
        arc2 = int(math.degrees(sun_longitude(t2)) // 30)
        if arc2 != arc:
            target = math.radians(arc2 * 30)

            def past(when):
                return (sun_longitude(when) - target + math.pi) % (2 * math.pi) - math.pi

            instant = root(past, t, t2)
            day, seconds = local_day(to_model_ut(instant))
            found.append((day, seconds, arc2 * 30))
            arc = arc2
        t = t2
    return found


def main():
    start, end = ephem.Date("1898/10/01"), ephem.Date("2201/03/01")
    moons = new_moons(start, end)
    terms = principal_terms(start, end)
    starts = [day for day, _ in moons]
    term_days = sorted(day for day, _, _ in terms)
    solstices = [day for day, _, degrees in terms if degrees == 270]

    def month_holding(day):
        return max(i for i, s in enumerate(starts[:-1]) if s <= day)

    def holds_term(i):
        return any(starts[i] <= d < starts[i + 1] for d in term_days)

    # Number every month from the first month 11 to the last.
    labels = {}
    elevens = [month_holding(day) for day in solstices]
    for a, b in zip(elevens, elevens[1:]):
        leap = None
        if b - a == 13:
            leap = next(i for i in range(a + 1, b) if not holds_term(i))
        number = 11
        for i in range(a, b):
            if i > a and i != leap:
                number = number % 12 + 1
            labels[i] = (number, i == leap)

    lines = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        tet = next(i for i in sorted(labels) if labels[i] == (1, False) and starts[i].year == year)
        following = next(i for i in sorted(labels) if i > tet and labels[i] == (1, False))
        leap = next((labels[i][0] for i in range(tet, following) if labels[i][1]), 0)
        lengths = "".join(
            "1" if (starts[i + 1] - starts[i]).days == 30 else "0" for i in range(tet, following))
        lines.append(f'  "{year} {starts[tet].isoformat()} {leap} {lengths}",')

    close = [f"//   new moon {day} {seconds:+.1f} s from local midnight"
             for day, seconds in moons if abs(seconds) < 60 and FIRST_YEAR <= day.year <= LAST_YEAR + 1]
    close += [f"//   solar term {degrees:3d} deg on {day} {seconds:+.1f} s from local midnight"
              for day, seconds, degrees in terms
              if abs(seconds) < 60 and FIRST_YEAR <= day.year <= LAST_YEAR + 1]

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "LoaCalendarTests",
                       "LunarReferenceTable.swift")
    with open(out, "w") as f:
        f.write("// Generated by scripts/lunar-reference.py from pyephem's astronomy; do not edit.\n")
        f.write("// Each line: lunar year, its Tết, its leap month (0: none), and one digit\n")
        f.write("// per month from Tết, 1 for 30 days and 0 for 29.\n")
        f.write("//\n// Events within a minute of local (UTC+7) midnight, where the day they fall\n")
        f.write("// on depends on the last seconds of precision (and, after 2025, on ΔT):\n")
        f.write("\n".join(close) + "\n\n")
        f.write("let lunarReferenceTable: [String] = [\n")
        f.write("\n".join(lines) + "\n")
        f.write("]\n")
    print(f"wrote {len(lines)} years to {os.path.relpath(out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
