import Foundation
import LoaCalendar
import LoaSchedule
import Testing

@testable import LoaPlanner

func day(_ text: String) -> CivilDate { CivilDate(iso: text)! }
func at(_ hour: Int, _ minute: Int) -> TimeOfDay { TimeOfDay(hour: hour, minute: minute)! }
func ref(_ path: String) -> AudioReference { AudioReference(path, at: nil) }
func ids(_ values: String...) -> [Located<String>] { values.map { Located($0, at: nil) } }

let station = Station(name: "Đài truyền thanh xã Liên Minh", audioDirectory: "/audio")
let durations: [String: Duration] = [
  "nhac-hieu.ogg": .seconds(8), "a1.ogg": .seconds(20), "a2.ogg": .seconds(21),
  "b.ogg": .seconds(30),
  "c.ogg": .seconds(15), "p.ogg": .seconds(12), "thong-bao.ogg": .seconds(40),
]

func program(
  _ id: String, _ start: TimeOfDay, campaigns: Int = 0, repetition: Repetition = .daily,
  from: CivilDate? = nil, until: CivilDate? = nil, except: [DayReference] = [],
  on: [Located<String>] = [], replaces: [Located<String>] = [], maxLength: Duration? = nil
) -> Program {
  var segments: [Segment] = [.file(ref("nhac-hieu.ogg"))]
  if campaigns > 0 { segments.append(.campaigns(campaigns)) }
  return Program(
    id: id, title: "Chương trình \(id)", start: start, repetition: repetition, from: from,
    until: until, except: except, on: on, replaces: replaces, maxLength: maxLength,
    segments: segments)
}

func campaign(
  _ id: String, files: [String], from: CivilDate? = nil, until: CivilDate? = nil,
  around: CampaignWindow.AroundHoliday? = nil, programs: [Located<String>]? = nil,
  perDay: Int? = nil, priority: Priority = .normal
) -> Campaign {
  Campaign(
    id: id, title: "Chiến dịch \(id)", planItem: Located("II.6", at: nil), files: files.map(ref),
    window: CampaignWindow(from: from, until: until, around: around), programs: programs,
    perDay: perDay, priority: priority)
}

func plan(
  _ programs: [Program], _ campaigns: [Campaign] = [], _ announcements: [Announcement] = [],
  from: String, to: String
) -> [PlannedAiring] {
  let schedule = Schedule(
    station: station, programs: programs, campaigns: campaigns, announcements: announcements)
  return Planner(schedule: schedule, durations: durations).plan(from: day(from), through: day(to))
}

/// The campaign ids of each airing's spots, in order.
func spots(_ airings: [PlannedAiring]) -> [[String]] {
  airings.map { $0.items.compactMap(\.campaign) }
}

@Suite("Which programs air")
struct ProgramDayTests {
  @Test("a daily program airs every day, at its start time in the station's zone")
  func daily() {
    let airings = plan([program("sang", at(5, 30))], from: "2025-10-01", to: "2025-10-03")
    #expect(
      airings.map(\.localStart.description) == [
        "2025-10-01 05:30", "2025-10-02 05:30", "2025-10-03 05:30",
      ])
    // 05:30 in Hà Nội is 22:30 UTC the day before.
    #expect(airings[0].start == Date(timeIntervalSince1970: 1_759_271_400))
    #expect(airings[0].end.timeIntervalSince(airings[0].start) == 8)
  }

  @Test("weekdays and weekends select the right days")
  func weekdaysAndWeekends() {
    // 2025-10-04 is a Saturday.
    let week = plan(
      [
        program("tuan", at(6, 0), repetition: .weekdays),
        program("cuoi", at(7, 0), repetition: .weekends),
      ],
      from: "2025-10-03", to: "2025-10-06")
    #expect(
      week.map { "\($0.localStart.date.day) \($0.id)" } == ["3 tuan", "4 cuoi", "5 cuoi", "6 tuan"])
  }

  @Test("from, until and except dates bound a program")
  func bounds() {
    let airings = plan(
      [
        program(
          "sang", at(5, 30), from: day("2025-10-02"), until: day("2025-10-05"),
          except: [.date(day("2025-10-03"))])
      ],
      from: "2025-10-01", to: "2025-10-07")
    #expect(airings.map(\.localStart.date.day) == [2, 4, 5])
  }

  @Test("an except holiday follows the lunar calendar: no morning program on Tết 2026")
  func exceptHoliday() {
    let airings = plan(
      [program("sang", at(5, 30), except: [.holiday(Located("tet-nguyen-dan", at: nil))])],
      from: "2026-02-16", to: "2026-02-18")
    #expect(airings.map(\.localStart.date.day) == [16, 18])
  }

  @Test("a holiday program airs on its holidays only and replaces the program it names")
  func onAndReplaces() {
    let airings = plan(
      [
        program("sang", at(5, 30)),
        program("quoc-khanh", at(6, 0), on: ids("quoc-khanh"), replaces: ids("sang")),
      ], from: "2025-09-01", to: "2025-09-03")
    #expect(
      airings.map { "\($0.localStart.date.day) \($0.id)" } == ["1 sang", "2 quoc-khanh", "3 sang"])
  }

  @Test("an RRULE program airs on the rule's days")
  func rule() throws {
    let lastSunday = try RecurrenceRule(parsing: "FREQ=MONTHLY;BYDAY=-1SU")
    let airings = plan(
      [program("cn", at(7, 0), repetition: .rule(lastSunday))], from: "2025-10-01", to: "2025-12-31"
    )
    #expect(
      airings.map(\.localStart.date) == [day("2025-10-26"), day("2025-11-30"), day("2025-12-28")])
  }

  @Test(
    "an RRULE's UNTIL with Z is UTC: a program at 02:14 in Hà Nội airs on the 15th with UNTIL=20261015T000000Z"
  )
  func untilInUTC() throws {
    // 2026-10-15 02:14 at UTC+7 is 2026-10-14T19:14Z, before UNTIL.
    let utc = try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20261015T000000Z")
    let airings = plan(
      [program("dem", TimeOfDay(hour: 2, minute: 14)!, repetition: .rule(utc))],
      from: "2026-10-13", to: "2026-10-17")
    #expect(airings.map(\.localStart.date.day) == [13, 14, 15])
    // Without Z the same text is 00:00 on the station's clock, before 02:14.
    let floating = try RecurrenceRule(parsing: "FREQ=DAILY;UNTIL=20261015T000000")
    let local = plan(
      [program("dem", TimeOfDay(hour: 2, minute: 14)!, repetition: .rule(floating))],
      from: "2026-10-13", to: "2026-10-17")
    #expect(local.map(\.localStart.date.day) == [13, 14])
  }
}

@Suite("Campaign spots")
struct CampaignSpotTests {
  @Test("priority campaigns come first, then the fewest spots today, in the window, then id")
  func order() {
    let airings = plan(
      [program("sang", at(5, 30), campaigns: 2), program("chieu", at(17, 0), campaigns: 2)],
      [
        campaign("b", files: ["b.ogg"], from: day("2025-10-01")),
        campaign("a", files: ["a1.ogg"], from: day("2025-10-01")),
        campaign("p", files: ["p.ogg"], from: day("2025-10-01"), priority: .priority),
      ], from: "2025-10-01", to: "2025-10-02")
    // Morning: p (priority) first, then a before b (equal counts, by id).
    // Evening: p again (quota 2, one per carrying program), then b, which
    // has fewer spots today than a. Day 2: a and b tie again, so a by id.
    #expect(spots(airings) == [["p", "a"], ["p", "b"], ["p", "a"], ["p", "b"]])
  }

  @Test(
    "a campaign's files rotate across its whole window, and no campaign fills two places in one segment"
  )
  func rotation() {
    let airings = plan(
      [program("sang", at(5, 30), campaigns: 3)],
      [campaign("a", files: ["a1.ogg", "a2.ogg"], from: day("2025-10-01"))],
      from: "2025-10-01", to: "2025-10-04")
    #expect(
      airings.map { $0.items.compactMap { $0.campaign == nil ? nil : $0.file } } == [
        ["a1.ogg"], ["a2.ogg"], ["a1.ogg"], ["a2.ogg"],
      ])
  }

  @Test("the default daily quota is one spot per carrying program; per_day overrides it")
  func quotas() {
    let programs = [
      program("sang", at(5, 30), campaigns: 1), program("trua", at(11, 0), campaigns: 1),
      program("chieu", at(17, 0), campaigns: 1),
    ]
    let airings = plan(
      programs,
      [
        campaign("a", files: ["a1.ogg"], from: day("2025-10-01"), perDay: 1),
        campaign("b", files: ["b.ogg"], from: day("2025-10-01")),
      ], from: "2025-10-01", to: "2025-10-01")
    #expect(spots(airings) == [["a"], ["b"], ["b"]])
  }

  @Test("programs: limits which programs carry a campaign")
  func carriers() {
    let airings = plan(
      [program("sang", at(5, 30), campaigns: 2), program("chieu", at(17, 0), campaigns: 2)],
      [
        campaign("a", files: ["a1.ogg"], from: day("2025-10-01"), programs: ids("chieu")),
        campaign("b", files: ["b.ogg"], from: day("2025-10-01")),
      ], from: "2025-10-01", to: "2025-10-01")
    #expect(spots(airings) == [["b"], ["a", "b"]])
  }

  @Test(
    "a campaign around a holiday runs its window every year, and its rotation restarts each window")
  func aroundHoliday() {
    let around = CampaignWindow.AroundHoliday(
      holiday: Located("quoc-khanh", at: nil), daysBefore: 2, daysAfter: 0)
    let airings = plan(
      [program("sang", at(5, 30), campaigns: 1)],
      [campaign("qk", files: ["a1.ogg", "a2.ogg"], around: around)],
      from: "2025-08-30", to: "2026-09-02")
    let aired = airings.filter { !$0.items.compactMap(\.campaign).isEmpty }
    #expect(
      aired.map(\.localStart.date) == [
        day("2025-08-31"), day("2025-09-01"), day("2025-09-02"),
        day("2026-08-31"), day("2026-09-01"), day("2026-09-02"),
      ])
    #expect(
      aired.compactMap { $0.items.last?.file } == [
        "a1.ogg", "a2.ogg", "a1.ogg", "a1.ogg", "a2.ogg", "a1.ogg",
      ])
  }

  @Test("a day's spots are the same whatever range it is planned in")
  func rangeIndependence() {
    let programs = [
      program("sang", at(5, 30), campaigns: 2), program("chieu", at(17, 0), campaigns: 1),
    ]
    let campaigns = [
      campaign(
        "a", files: ["a1.ogg", "a2.ogg"], from: day("2025-10-01"), until: day("2025-12-31")),
      campaign("b", files: ["b.ogg", "c.ogg"], from: day("2025-10-10"), perDay: 2),
      campaign(
        "qk", files: ["p.ogg", "a2.ogg"],
        around: .init(holiday: Located("phu-nu-viet-nam", at: nil), daysBefore: 10, daysAfter: 1)),
    ]
    let whole = plan(programs, campaigns, from: "2025-10-01", to: "2025-11-30")
    for start in ["2025-10-15", "2025-10-20", "2025-11-02"] {
      let part = plan(programs, campaigns, from: start, to: "2025-11-30")
      #expect(part == Array(whole.suffix(part.count)), "planned from \(start)")
      #expect(part.first?.localStart.date == day(start))
    }
  }
}

extension CampaignSpotTests {
  @Test("a campaign that began fifteen years ago rotates the same whatever day the plan starts")
  func longRunningCampaign() {
    let programs = [program("sang", at(5, 30), campaigns: 1)]
    let campaigns = [campaign("b", files: ["a1.ogg", "a2.ogg", "b.ogg"], from: day("2010-01-01"))]
    let files = { (from: String) in
      plan(programs, campaigns, from: from, to: "2025-10-03").compactMap { $0.items.last?.file }
    }
    #expect(files("2025-10-01").suffix(1) == files("2025-10-03")[...])
    #expect(files("2025-10-02") == Array(files("2025-10-01").suffix(2)))
  }
}

@Suite("Airings")
struct AiringTests {
  @Test("an announcement plays its file the given number of times with gaps between")
  func announcement() {
    let notice = Announcement(
      id: "hop-dan", title: "Thông báo họp dân", at: LocalDateTime(parsing: "2025-11-05 17:15")!,
      file: ref("thong-bao.ogg"), times: 3, gap: .seconds(30), priority: .priority)
    let airings = plan([], [], [notice], from: "2025-11-05", to: "2025-11-05")
    #expect(airings.count == 1)
    #expect(airings[0].priority == .priority)
    #expect(airings[0].items.map(\.kind) == [.file, .silence, .file, .silence, .file])
    #expect(airings[0].duration == .seconds(180))
  }

  @Test("max_length cuts the item that crosses it and drops what follows")
  func maxLength() {
    let airings = plan(
      [program("sang", at(5, 30), campaigns: 2, maxLength: .seconds(20))],
      [
        campaign("a", files: ["a1.ogg"], from: day("2025-10-01")),
        campaign("b", files: ["b.ogg"], from: day("2025-10-01")),
      ],
      from: "2025-10-01", to: "2025-10-01")
    #expect(airings[0].items.map(\.duration) == [.seconds(8), .seconds(12)])
    #expect(airings[0].items.map(\.isCut) == [false, true])
    #expect(airings[0].duration == .seconds(20))
  }

  @Test("a spot that would start after max_length is not placed, so its campaign keeps its turn")
  func maxLengthKeepsTurns() {
    let airings = plan(
      [program("sang", at(5, 30), campaigns: 2, maxLength: .seconds(20))],
      [
        campaign("a", files: ["a1.ogg"], from: day("2025-10-01")),
        campaign("b", files: ["b.ogg"], from: day("2025-10-01")),
      ], from: "2025-10-01", to: "2025-10-02")
    #expect(spots(airings) == [["a"], ["b"]])
  }

  @Test("airings come in start order, programs and announcements together")
  func order() {
    let notice = Announcement(
      id: "tb", title: "Thông báo", at: LocalDateTime(parsing: "2025-10-01 12:00")!,
      file: ref("thong-bao.ogg"))
    let airings = plan(
      [program("chieu", at(17, 0)), program("sang", at(5, 30))], [], [notice], from: "2025-10-01",
      to: "2025-10-01")
    #expect(airings.map(\.id) == ["sang", "tb", "chieu"])
  }
}

@Suite("Reviewing a schedule")
struct ReviewTests {
  @Test("the review reaches from an old start to a year past today, so nothing later is missed")
  func horizon() {
    let schedule = Schedule(
      station: station,
      programs: [program("sang", at(5, 30), campaigns: 1, from: day("2018-01-01"))],
      campaigns: [campaign("a", files: ["a1.ogg"], from: day("2025-10-01"))])
    let planner = Planner(schedule: schedule, durations: durations)
    let horizon = planner.reviewHorizon(today: day("2026-11-28"))
    #expect(horizon.lower == day("2018-01-01"))
    #expect(horizon.upper == day("2027-11-28"))
    #expect(planner.review(horizon: horizon).isEmpty)
  }

  @Test("overlapping programs and campaigns that never air are warned about once each")
  func warnings() {
    let schedule = Schedule(
      station: station,
      programs: [
        Program(
          id: "dai", title: "Dài", start: at(5, 30),
          segments: [.file(ref("thong-bao.ogg")), .file(ref("thong-bao.ogg"))]),
        program("chen", at(5, 31), campaigns: 1),
      ],
      campaigns: [
        campaign("a", files: ["a1.ogg"], from: day("2025-10-01")),
        campaign("never", files: ["a1.ogg"], from: day("2025-10-01"), programs: ids("dai")),
      ])
    let planner = Planner(schedule: schedule, durations: durations)
    let warnings = planner.review(
      horizon: CivilDateRange(day("2025-10-01"), through: day("2025-10-10")))
    #expect(warnings.count == 2, "\(warnings)")
    #expect(
      warnings[0].message.hasPrefix(
        "program 'chen' is due at 2025-10-01 05:31 while program 'dai' (05:30:00–05:31:20) is still on air"
      ))
    #expect(
      warnings[1].message.hasPrefix("campaign 'never' never airs between 2025-10-01 and 2025-10-10")
    )
  }
}
