import LoaCalendar

/// A value as written in a schedule, with where it was written, so that a
/// later check can point at it.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
  public let value: Value
  public let location: SourceLocation?

  public init(_ value: Value, at location: SourceLocation?) {
    self.value = value
    self.location = location
  }
}

/// A whole station's schedule: one YAML file or a directory of them, merged.
public struct Schedule: Sendable {
  public var station: Station
  public var plan: Plan?
  /// The schedule's own holidays; the built-in catalog is not repeated here.
  public var holidays: [Holiday]
  public var programs: [Program]
  public var campaigns: [Campaign]
  public var announcements: [Announcement]
  /// The files it was read from, in reading order.
  public var sourceFiles: [String]
  /// Where each top-level id and holiday was defined.
  public var definitions: [String: SourceLocation]

  public init(
    station: Station, plan: Plan? = nil, holidays: [Holiday] = [], programs: [Program] = [],
    campaigns: [Campaign] = [], announcements: [Announcement] = [], sourceFiles: [String] = [],
    definitions: [String: SourceLocation] = [:]
  ) {
    self.station = station
    self.plan = plan
    self.holidays = holidays
    self.programs = programs
    self.campaigns = campaigns
    self.announcements = announcements
    self.sourceFiles = sourceFiles
    self.definitions = definitions
  }

  /// Built-in holidays and the schedule's own, by id.
  public var allHolidays: [String: Holiday] {
    var all: [String: Holiday] = [:]
    for holiday in HolidayCatalog.builtIn { all[holiday.id] = holiday }
    for holiday in holidays { all[holiday.id] = holiday }
    return all
  }

  public func program(id: String) -> Program? { programs.first { $0.id == id } }
  public func campaign(id: String) -> Campaign? { campaigns.first { $0.id == id } }
}

/// The station itself: where it is, what it plays into, how loud.
public struct Station: Sendable {
  public var name: String
  /// IANA time zone name; programs start at wall-clock times in it.
  public var timeZone: String
  /// ALSA PCM name.
  public var output: String
  /// Absolute path of the folder every audio file lives under.
  public var audioDirectory: String
  public var sampleRate: Int
  public var channels: Int
  /// Target integrated loudness in LUFS; nil plays files as recorded.
  public var loudness: Double?
  /// How late a program may still start.
  public var catchUp: Duration
  public var amplifier: Amplifier?
  /// Where `audio_dir` was written, for messages about it.
  public var audioDirectoryLocation: SourceLocation?

  public init(
    name: String, timeZone: String = "Asia/Ho_Chi_Minh", output: String = "default",
    audioDirectory: String, sampleRate: Int = 48_000, channels: Int = 2, loudness: Double? = nil,
    catchUp: Duration = .seconds(600), amplifier: Amplifier? = nil
  ) {
    self.name = name
    self.timeZone = timeZone
    self.output = output
    self.audioDirectory = audioDirectory
    self.sampleRate = sampleRate
    self.channels = channels
    self.loudness = loudness
    self.catchUp = catchUp
    self.amplifier = amplifier
  }
}

/// The relay that powers the amplifier: commands are argv lists, never a shell.
public struct Amplifier: Hashable, Sendable {
  public var on: [String]
  public var off: [String]
  public var warmup: Duration
  public var cooldown: Duration

  public init(on: [String], off: [String], warmup: Duration, cooldown: Duration) {
    self.on = on
    self.off = off
    self.warmup = warmup
    self.cooldown = cooldown
  }
}

/// The commune plan that campaigns report against.
public struct Plan: Hashable, Sendable {
  public var id: String
  public var title: String
  public var reportTo: String?
  public var reportDue: CivilDate?
  public var items: [PlanItem]

  public init(
    id: String, title: String, reportTo: String? = nil, reportDue: CivilDate? = nil,
    items: [PlanItem]
  ) {
    self.id = id
    self.title = title
    self.reportTo = reportTo
    self.reportDue = reportDue
    self.items = items
  }

  public func item(id: String) -> PlanItem? { items.first { $0.id == id } }
}

public struct PlanItem: Hashable, Sendable {
  public var id: String
  public var title: String

  public init(id: String, title: String) {
    self.id = id
    self.title = title
  }
}

/// emergency > priority > normal (PRODUCT §3.4).
public enum Priority: String, CaseIterable, Comparable, Sendable {
  case normal, priority, emergency

  public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }

  private var rank: Int {
    switch self {
    case .normal: 0
    case .priority: 1
    case .emergency: 2
    }
  }
}

/// Which days a program airs on, before `from`/`until`/`except`/`on` apply.
public enum Repetition: Hashable, Sendable, CustomStringConvertible {
  case daily, weekdays, weekends
  case rule(RecurrenceRule)

  public var description: String {
    switch self {
    case .daily: "daily"
    case .weekdays: "weekdays"
    case .weekends: "weekends"
    case .rule(let rule): rule.description
    }
  }
}

/// A path under `audio_dir`, NFC-normalized, as the schedule names it.
public struct AudioReference: Hashable, Sendable, CustomStringConvertible {
  public let path: String
  public let location: SourceLocation?

  public init(_ path: String, at location: SourceLocation?) {
    self.path = path
    self.location = location
  }

  public var description: String { path }

  public static func == (lhs: AudioReference, rhs: AudioReference) -> Bool { lhs.path == rhs.path }
  public func hash(into hasher: inout Hasher) { hasher.combine(path) }
}

/// One part of a program, played back to back with the next.
public enum Segment: Hashable, Sendable {
  case file(AudioReference)
  /// Up to this many campaign spots (PRODUCT §3.2).
  case campaigns(Int)
  case silence(Duration)
}

/// A date or a holiday id, as `except` lists them.
public enum DayReference: Hashable, Sendable {
  case date(CivilDate)
  case holiday(Located<String>)
}

/// A broadcast session that airs at a fixed time on the days its rules select.
public struct Program: Hashable, Sendable, Identifiable {
  public var id: String
  public var title: String
  public var start: TimeOfDay
  public var repetition: Repetition
  public var from: CivilDate?
  public var until: CivilDate?
  public var except: [DayReference]
  /// Holiday ids; when not empty the program airs on these holidays only.
  public var on: [Located<String>]
  /// Program ids that do not air on the days this one airs.
  public var replaces: [Located<String>]
  public var maxLength: Duration?
  public var segments: [Segment]
  public var location: SourceLocation?

  public init(
    id: String, title: String, start: TimeOfDay, repetition: Repetition = .daily,
    from: CivilDate? = nil,
    until: CivilDate? = nil, except: [DayReference] = [], on: [Located<String>] = [],
    replaces: [Located<String>] = [], maxLength: Duration? = nil, segments: [Segment],
    location: SourceLocation? = nil
  ) {
    self.id = id
    self.title = title
    self.start = start
    self.repetition = repetition
    self.from = from
    self.until = until
    self.except = except
    self.on = on
    self.replaces = replaces
    self.maxLength = maxLength
    self.segments = segments
    self.location = location
  }

  public var hasCampaignSegment: Bool {
    segments.contains { if case .campaigns = $0 { true } else { false } }
  }
}

/// When a campaign runs.
public struct CampaignWindow: Hashable, Sendable {
  /// Every year, the days around a holiday: `before` days before it through `after` after.
  public struct AroundHoliday: Hashable, Sendable {
    public var holiday: Located<String>
    public var daysBefore: Int
    public var daysAfter: Int

    public init(holiday: Located<String>, daysBefore: Int, daysAfter: Int) {
      self.holiday = holiday
      self.daysBefore = daysBefore
      self.daysAfter = daysAfter
    }
  }

  public var from: CivilDate?
  /// Inclusive.
  public var until: CivilDate?
  public var around: AroundHoliday?

  public init(from: CivilDate? = nil, until: CivilDate? = nil, around: AroundHoliday? = nil) {
    self.from = from
    self.until = until
    self.around = around
  }
}

/// Campaign messages (tuyên truyền chuyên đề) aired as spots in programs.
public struct Campaign: Hashable, Sendable, Identifiable {
  public var id: String
  public var title: String
  public var planItem: Located<String>?
  /// Played in rotation across the campaign's whole window.
  public var files: [AudioReference]
  public var window: CampaignWindow
  /// Program ids that carry it; nil means every program with a campaigns segment.
  public var programs: [Located<String>]?
  /// Spots a day; nil means one per carrying program that airs that day.
  public var perDay: Int?
  public var priority: Priority
  public var location: SourceLocation?

  public init(
    id: String, title: String, planItem: Located<String>? = nil, files: [AudioReference],
    window: CampaignWindow, programs: [Located<String>]? = nil, perDay: Int? = nil,
    priority: Priority = .normal, location: SourceLocation? = nil
  ) {
    self.id = id
    self.title = title
    self.planItem = planItem
    self.files = files
    self.window = window
    self.programs = programs
    self.perDay = perDay
    self.priority = priority
    self.location = location
  }
}

/// A one-off notice played at a set moment, possibly several times.
public struct Announcement: Hashable, Sendable, Identifiable {
  public var id: String
  public var title: String
  public var at: LocalDateTime
  public var file: AudioReference
  public var times: Int
  public var gap: Duration
  public var priority: Priority
  public var location: SourceLocation?

  public init(
    id: String, title: String, at: LocalDateTime, file: AudioReference, times: Int = 1,
    gap: Duration = .zero, priority: Priority = .normal, location: SourceLocation? = nil
  ) {
    self.id = id
    self.title = title
    self.at = at
    self.file = file
    self.times = times
    self.gap = gap
    self.priority = priority
    self.location = location
  }
}
