// swift-tools-version: 6.2
// loa: the commune loudspeaker broadcast scheduler.
//
// Targets by responsibility; dependencies point one way, from the command
// line down to the libraries. Pure logic (calendar, planner) has no I/O and
// no C. C libraries stay at the edge, each behind a `.systemLibrary` target.
import PackageDescription

let strict: [SwiftSetting] = [
  // Warnings are defects here: CI and local builds fail on them alike.
  .treatAllWarnings(as: .error)
]

let package = Package(
  name: "loa",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "loa", targets: ["loa"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
  ],
  targets: [
    // C at the edge.
    .systemLibrary(
      name: "CSndFile",
      pkgConfig: "sndfile",
      providers: [.apt(["libsndfile1-dev"])]
    ),
    .systemLibrary(
      name: "CALSA",
      pkgConfig: "alsa",
      providers: [.apt(["libasound2-dev"])]
    ),
    .systemLibrary(
      name: "CSampleRate",
      pkgConfig: "samplerate",
      providers: [.apt(["libsamplerate0-dev"])]
    ),
    .systemLibrary(
      name: "CEBUR128",
      pkgConfig: "libebur128",
      providers: [.apt(["libebur128-dev"])]
    ),

    // Solar and Vietnamese lunar dates, can-chi, holidays, recurrence rules. Pure.
    .target(name: "LoaCalendar", swiftSettings: strict),
    // The schedule format: YAML with source locations, the model, validation.
    .target(
      name: "LoaSchedule",
      dependencies: ["LoaCalendar", .product(name: "Yams", package: "Yams")],
      swiftSettings: strict
    ),
    // From a schedule and a date range to the airings that will happen. Pure.
    .target(
      name: "LoaPlanner", dependencies: ["LoaCalendar", "LoaSchedule"], swiftSettings: strict),
    // Audio: files through libsndfile, resampling through libsamplerate,
    // loudness through libebur128, output through ALSA.
    .target(
      name: "LoaAudio",
      dependencies: [
        "CALSA", "CSndFile", "CSampleRate", "CEBUR128",
        // SHA-256 of file contents, which name the loudness cache and the log.
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: strict),
    // The airing log: SQLite through GRDB, written so that nothing is lost.
    .target(
      name: "LoaLog",
      dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
      swiftSettings: strict),
    // Plan reports: what the plan asked for against what the log says aired.
    .target(
      name: "LoaReport", dependencies: ["LoaCalendar", "LoaSchedule", "LoaPlanner", "LoaLog"],
      swiftSettings: strict),
    // Playout: a planned airing's audio, the player's events as log rows
    // (one mapping) and their writer off the player's thread.
    .target(
      name: "LoaPlayout",
      dependencies: ["LoaSchedule", "LoaPlanner", "LoaAudio", "LoaLog"],
      swiftSettings: strict),
    // The process around a station: Unix signals through one mechanism,
    // parts started in order and stopped in reverse.
    .target(name: "LoaService", swiftSettings: strict),
    // The control socket: its versioned protocol, the daemon's server, the
    // command line's client. Knows nothing of schedules or of the loop.
    .target(name: "LoaControl", swiftSettings: strict),
    // The station daemon: the scheduler's decisions (a pure value), the
    // runner that carries them out, and the owner of the process.
    .target(
      name: "LoaDaemon",
      dependencies: [
        "LoaCalendar", "LoaSchedule", "LoaPlanner", "LoaAudio", "LoaLog", "LoaPlayout",
        "LoaControl", "LoaService",
      ],
      swiftSettings: strict),
    // The `loa` command line.
    .executableTarget(
      name: "loa",
      dependencies: [
        "LoaCalendar", "LoaSchedule", "LoaPlanner", "LoaAudio", "LoaLog", "LoaReport", "LoaDaemon",
        "LoaPlayout", "LoaControl", "LoaService",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        // SHA-256 of what loa announce copies to the spool, which names the copy.
        .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: strict
    ),
    // Benchmarks: run with `make bench`, never part of the tests.
    .executableTarget(
      name: "loa-bench",
      dependencies: [
        "LoaCalendar", "LoaSchedule", "LoaPlanner", "LoaLog", "LoaReport", "CSndFile",
        "LoaTesting",
      ],
      path: "Benchmarks/loa-bench",
      swiftSettings: strict
    ),

    .testTarget(name: "LoaCalendarTests", dependencies: ["LoaCalendar"], swiftSettings: strict),
    .testTarget(
      name: "LoaScheduleTests", dependencies: ["LoaSchedule"],
      // Deliberately broken schedules, read by path from the tests.
      exclude: ["Broken"], swiftSettings: strict),
    .testTarget(
      name: "LoaPlannerTests", dependencies: ["LoaPlanner", "LoaSchedule", "LoaCalendar"],
      swiftSettings: strict),
    // What tests and benchmarks share: temporary folders, a private
    // PulseAudio server, the simulated clock and player. A library beside
    // the others (as HummingbirdTesting is), never a dependency of `loa`.
    .target(
      name: "LoaTesting",
      dependencies: [
        "LoaAudio", "LoaSchedule", "LoaDaemon", "LoaLog",
        // Holds an airing log locked, to hold up its writers.
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: strict),
    .testTarget(
      name: "LoaAudioTests", dependencies: ["LoaAudio", "CSndFile", "LoaTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "LoaLogTests", dependencies: ["LoaLog", "LoaTesting"], swiftSettings: strict),
    .testTarget(
      name: "LoaPlayoutTests",
      dependencies: ["LoaPlayout", "LoaAudio", "LoaLog", "LoaTesting"], swiftSettings: strict),
    .testTarget(name: "LoaServiceTests", dependencies: ["LoaService"], swiftSettings: strict),
    .testTarget(
      name: "LoaControlTests", dependencies: ["LoaControl", "LoaTesting"],
      swiftSettings: strict),
    .testTarget(
      name: "LoaDaemonTests",
      dependencies: [
        "LoaDaemon", "LoaLog", "LoaPlanner", "LoaSchedule", "LoaAudio", "LoaCalendar",
        "LoaPlayout", "LoaControl", "LoaTesting",
      ],
      swiftSettings: strict),
    .testTarget(
      name: "LoaReportTests",
      dependencies: ["LoaReport", "LoaLog", "LoaPlanner", "LoaSchedule", "LoaCalendar"],
      swiftSettings: strict),
    // A process that writes airings until it is killed, for the log's crash test.
    .executableTarget(
      name: "loa-log-writer", dependencies: ["LoaLog"], path: "Tests/loa-log-writer",
      swiftSettings: strict),
    // End to end: runs the real `loa` binary as a process.
    .testTarget(
      name: "loaTests",
      dependencies: ["loa", "LoaTesting"], swiftSettings: strict),
  ]
)
