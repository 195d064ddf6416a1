// swift-tools-version: 6.2
// loa: the commune loudspeaker broadcast scheduler.
import PackageDescription

let strict: [SwiftSetting] = [
  // Warnings are defects here: CI and local builds fail on them alike.
  .treatAllWarnings(as: .error)
]

let package = Package(
  name: "loa",
  targets: [
    // Solar and Vietnamese lunar dates, can-chi, holidays, recurrence rules. Pure.
    .target(name: "LoaCalendar", swiftSettings: strict),
    .testTarget(name: "LoaCalendarTests", dependencies: ["LoaCalendar"], swiftSettings: strict),
  ]
)
