import Foundation
import LoaCalendar
import Testing

@testable import LoaSchedule

@Suite("Reading schedules")
struct ScheduleLoaderTests {
  @Test("a complete schedule is read with every field")
  func readsEveryField() throws {
    let folder = try StationFolder()
    try folder.write(
      "schedule.yaml",
      """
      station:
        name: Đài truyền thanh xã Liên Minh
        timezone: Asia/Ho_Chi_Minh
        output: default
        audio_dir: audio
        sample_rate: 44100
        channels: 1
        loudness: -16
        catch_up: 10m
        amplifier:
          on:  [/usr/bin/gpioset, gpiochip0, "17=1"]
          off: [/usr/bin/gpioset, gpiochip0, "17=0"]
          warmup: 5s
          cooldown: 1m
      plan:
        id: KH-TTDN-2025
        title: Kế hoạch Thông tin đối ngoại năm 2025
        report_to: UBND xã (qua Phòng Văn hóa - Xã hội)
        report_due: 2025-12-10
        items:
          - { id: II.6, title: Tuyên truyền các ngày lễ lớn }
      holidays:
        - { id: dai-hoi-tinh, name: Đại hội Đảng bộ tỉnh, date: 2025-10-01 }
        - { id: hoi-lang, name: Hội làng, lunar: "01-10" }
        - { id: ngay-xa, name: Ngày thành lập xã, solar: "07-01", since: 2025 }
      programs:
        - id: sang
          title: Chương trình buổi sáng
          start: 05:30
          repeat: weekdays
          except: [tet-nguyen-dan, 2025-12-25]
          max_length: 1h30m
          segments:
            - file: nhac-hieu.ogg
            - campaigns: 3
            - silence: 2.5s
        - id: chu-nhat
          title: Chương trình chủ nhật
          start: "07:00:30"
          repeat: "FREQ=MONTHLY;BYDAY=-1SU"
          on: [hoi-lang]
          replaces: [sang]
          segments: [ { file: nhac-hieu.ogg } ]
      campaigns:
        - id: xiv
          title: Đại hội XIV
          plan_item: II.6
          files: [chien-dich/a.ogg, chien-dich/b.ogg]
          from: 2025-10-01
          until: 2026-01-25
          programs: [sang]
          per_day: 2
          priority: priority
        - id: quoc-khanh
          title: Chào mừng Quốc khánh
          files: [chien-dich/a.ogg]
          around: { holiday: quoc-khanh, before: 14d, after: 0d }
      announcements:
        - id: hop-dan
          title: Thông báo họp dân
          at: 2025-11-05 17:15
          file: thong-bao.ogg
          times: 3
          gap: 30s
          priority: emergency
      """)
    let loaded = folder.load()
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    let schedule = try #require(loaded.schedule)
    #expect(schedule.station.sampleRate == 44_100)
    #expect(schedule.station.channels == 1)
    #expect(schedule.station.loudness == -16)
    #expect(schedule.station.catchUp == .seconds(600))
    #expect(schedule.station.amplifier?.on == ["/usr/bin/gpioset", "gpiochip0", "17=1"])
    #expect(schedule.station.amplifier?.cooldown == .seconds(60))
    #expect(
      schedule.station.audioDirectory
        == folder.root.appendingPathComponent("audio").standardizedFileURL.path)
    #expect(schedule.plan?.reportDue == CivilDate(year: 2025, month: 12, day: 10))
    #expect(schedule.holidays.map(\.id) == ["dai-hoi-tinh", "hoi-lang", "ngay-xa"])
    #expect(schedule.holidays[1].rule == .lunar(month: 1, day: 10, isLeapMonth: false))
    #expect(schedule.holidays[2].foundingYear == 2025)
    let sang = try #require(schedule.program(id: "sang"))
    #expect(sang.start == TimeOfDay(hour: 5, minute: 30))
    #expect(sang.repetition == .weekdays)
    #expect(sang.maxLength == .seconds(5400))
    #expect(sang.segments.count == 3)
    #expect(sang.segments[2] == .silence(.milliseconds(2500)))
    #expect(sang.except.count == 2)
    let sunday = try #require(schedule.program(id: "chu-nhat"))
    #expect(sunday.start == TimeOfDay(hour: 7, minute: 0, second: 30))
    #expect(sunday.repetition.description == "FREQ=MONTHLY;BYDAY=-1SU")
    let xiv = try #require(schedule.campaign(id: "xiv"))
    #expect(xiv.files.map(\.path) == ["chien-dich/a.ogg", "chien-dich/b.ogg"])
    #expect(xiv.perDay == 2)
    #expect(xiv.priority == .priority)
    #expect(schedule.campaign(id: "quoc-khanh")?.window.around?.daysBefore == 14)
    let notice = try #require(schedule.announcements.first)
    #expect(notice.at == LocalDateTime(parsing: "2025-11-05 17:15"))
    #expect(notice.times == 3 && notice.gap == .seconds(30) && notice.priority == .emergency)
    #expect(loaded.audio["chien-dich/b.ogg"]?.duration == .seconds(10))
  }

  @Test("every problem in a file is reported at once, in file order")
  func reportsEveryProblem() throws {
    let folder = try StationFolder()
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - id: sang
            title: Sáng
            start: "5:61"
            segments: [ { file: khong-co.ogg } ]
          - id: chieu
            titel: Chiều
            start: "17:00"
            segments: [ { campaigns: many } ]
        """)
    let loaded = folder.load()
    #expect(!loaded.isValid)
    let messages = loaded.diagnostics.map(\.description)
    let file = folder.root.appendingPathComponent("schedule.yaml").path
    try #require(messages.count == 5, "\(messages)")
    #expect(
      messages[0].hasPrefix("\(file):7:12: error: 'start' of program 'sang' '5:61' is not a time"))
    #expect(messages[1].hasPrefix("\(file):8:25: error: audio file 'khong-co.ogg' not found"))
    #expect(messages[2].hasPrefix("\(file):9:5: error: missing 'title' in program 'chieu'"))
    #expect(
      messages[3]
        == "\(file):10:5: error: unknown key 'titel' in program 'chieu' (did you mean 'title'?)")
    #expect(
      messages[4].hasPrefix(
        "\(file):12:30: error: 'campaigns' in a segment of program 'chieu' must be a whole number"))
  }

  @Test("an entry with an error still has its references checked, and is not itself called unknown")
  func referencesOfBrokenEntries() throws {
    let folder = try StationFolder()
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - { id: a, title: A, start: "5:3", on: [quoc-khanhh], segments: [ { campaigns: 1 } ] }
        campaigns:
          - { id: c, title: C, files: [chien-dich/a.ogg], from: 2025-10-01, programs: [a] }
        """)
    let messages = folder.load().diagnostics.map(\.message)
    #expect(messages.count == 2, "\(messages)")
    #expect(messages.first?.hasPrefix("'start' of program 'a' '5:3' is not a time") == true)
    #expect(
      messages.last
        == "unknown holiday 'quoc-khanhh' in 'on' of program 'a' (did you mean 'quoc-khanh'?)")
  }

  @Test(
    "a folder that cannot be listed is reported with the system's reason, not as a file not found")
  func unreadableFolder() throws {
    let folder = try StationFolder()
    func messages(playing file: String) throws -> [String] {
      try folder.write(
        "schedule.yaml",
        minimalStation + """
          programs:
            - id: sang
              title: Sáng
              start: "05:30"
              segments: [ { file: \(file) } ]
          """)
      return folder.load().diagnostics.map(\.description)
    }
    // Not a folder: what any user, root too, gets from listing it.
    let notAFolder = try messages(playing: "nhac-hieu.ogg/a.ogg")
    #expect(
      notAFolder.contains {
        $0.hasSuffix(
          "error: audio file 'nhac-hieu.ogg/a.ogg' cannot be read: folder 'nhac-hieu.ogg' "
            + "cannot be listed: Not a directory (can the user loa runs as read it?)")
      }, "\(notAFolder)")
    // Permission denied, for a user root's rights do not override.
    if geteuid() != 0 {
      let locked = folder.root.appendingPathComponent("audio/chien-dich").path
      #expect(chmod(locked, 0) == 0)
      defer { chmod(locked, 0o755) }
      #expect(
        try messages(playing: "chien-dich/a.ogg").contains { $0.contains("Permission denied") })
    }
  }

  @Test("a file named in NFD on disk is found by its NFC name in the schedule, and the reverse")
  func unicodeNormalization() throws {
    let nfc = "tin-tức.ogg".precomposedStringWithCanonicalMapping
    let nfd = "bản-tin.ogg".decomposedStringWithCanonicalMapping
    let folder = try StationFolder(audio: [nfd.decomposedStringWithCanonicalMapping, nfc])
    // The schedule names them the other way round.
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - id: sang
            title: Sáng
            start: "05:30"
            segments:
              - file: \("bản-tin.ogg".precomposedStringWithCanonicalMapping)
              - file: \(nfc.decomposedStringWithCanonicalMapping)
        """)
    let loaded = folder.load()
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(loaded.audio.count == 2)
  }

  @Test("two files whose names differ only in normalization make a reference ambiguous")
  func ambiguousNormalization() throws {
    let name = "tin-tức.ogg"
    let folder = try StationFolder(audio: [
      name.precomposedStringWithCanonicalMapping, name.decomposedStringWithCanonicalMapping,
    ])
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - { id: sang, title: Sáng, start: "05:30", segments: [ { file: \(name) } ] }
        """)
    let loaded = folder.load()
    #expect(loaded.diagnostics.count == 1)
    #expect(
      loaded.diagnostics.first?.message.contains("differ only in Unicode normalization") == true)
  }

  @Test("a symbolic link that leads out of audio_dir is refused, one that stays inside is followed")
  func symlinkEscape() throws {
    let folder = try StationFolder()
    let outside = folder.root.appendingPathComponent("outside.ogg")
    _ = FileManager.default.createFile(atPath: outside.path, contents: Data())
    try FileManager.default.createSymbolicLink(
      atPath: folder.root.appendingPathComponent("audio/escape.ogg").path,
      withDestinationPath: outside.path)
    try FileManager.default.createSymbolicLink(
      atPath: folder.root.appendingPathComponent("audio/alias.ogg").path,
      withDestinationPath: "nhac-hieu.ogg")
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - { id: sang, title: Sáng, start: "05:30", segments: [ { file: escape.ogg }, { file: alias.ogg } ] }
        """)
    let loaded = folder.load()
    #expect(loaded.diagnostics.count == 1)
    #expect(
      loaded.diagnostics.first?.message.contains("symbolic link that leads outside audio_dir")
        == true)
    #expect(loaded.diagnostics.first?.location?.column == 66)
  }

  @Test("an audio file that cannot be decoded is an error at its reference")
  func undecodableAudio() throws {
    let folder = try StationFolder(audio: ["broken.mp3"])
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - { id: sang, title: Sáng, start: "05:30", segments: [ { file: broken.mp3 } ] }
        """)
    let loaded = folder.load()
    #expect(
      loaded.diagnostics.map(\.message) == ["audio file 'broken.mp3' cannot be decoded: not audio"])
  }

  @Test("a folder of schedules is merged, with ids unique across its files")
  func mergesAFolder() throws {
    let folder = try StationFolder()
    try folder.write(
      "station/00-station.yaml",
      minimalStation.replacingOccurrences(of: "audio_dir: audio", with: "audio_dir: ../audio"))
    try folder.write(
      "station/10-programs.yaml",
      """
      programs:
        - { id: sang, title: Sáng, start: "05:30", segments: [ { file: nhac-hieu.ogg }, { campaigns: 1 } ] }
      """)
    try folder.write(
      "station/20-campaigns.yaml",
      """
      campaigns:
        - { id: a, title: A, files: [chien-dich/a.ogg], from: 2025-10-01 }
      """)
    try folder.write("station/notes.txt", "not a schedule")
    let loaded = folder.load("station")
    #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics)")
    #expect(loaded.schedule?.programs.count == 1)
    #expect(loaded.schedule?.campaigns.count == 1)
    #expect(loaded.schedule?.sourceFiles.count == 3)

    try folder.write(
      "station/30-more.yaml",
      """
      campaigns:
        - { id: a, title: A again, files: [chien-dich/b.ogg], from: 2025-11-01 }
      """ + "\n" + minimalStation)
    let twice = folder.load("station")
    let messages = twice.diagnostics.map(\.description)
    #expect(messages.count == 2, "\(messages)")
    #expect(
      messages.contains {
        $0.contains("30-more.yaml:2:11: error: campaign 'a' is defined twice (first at ")
          && $0.contains("20-campaigns.yaml:2:11)")
      })
    #expect(messages.contains { $0.contains("30-more.yaml:3:1: error: 'station' is given twice") })
  }

  @Test("a schedule holiday may not take a built-in id")
  func builtInHolidayIDs() throws {
    let folder = try StationFolder()
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        holidays:
          - { id: quoc-khanh, name: Quốc khánh, solar: "09-02" }
        """)
    let loaded = folder.load()
    #expect(
      loaded.diagnostics.first?.message.hasPrefix(
        "holiday 'quoc-khanh' is already in the built-in catalog") == true)
  }

  @Test("a campaign carried by a program without a campaigns segment is warned about, not refused")
  func carrierWithoutSegment() throws {
    let folder = try StationFolder()
    try folder.write(
      "schedule.yaml",
      minimalStation + """
        programs:
          - { id: sang, title: Sáng, start: "05:30", segments: [ { file: nhac-hieu.ogg } ] }
        campaigns:
          - { id: a, title: A, files: [chien-dich/a.ogg], from: 2025-10-01, programs: [sang] }
        """)
    let loaded = folder.load()
    #expect(loaded.isValid)
    #expect(loaded.diagnostics.map(\.severity) == [.warning])
  }

  @Test("a missing schedule path says so")
  func missingPath() {
    let loaded = ScheduleLoader(probe: nil).load(path: "/nonexistent/loa/schedule.yaml")
    #expect(
      loaded.diagnostics.map(\.description) == [
        "error: no schedule at '/nonexistent/loa/schedule.yaml': no such file or folder"
      ])
  }
}
