// The `loa` command line: thin commands that parse their arguments and
// delegate to the libraries.

import ArgumentParser
import Foundation

struct Loa: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "loa",
    abstract: "The commune loudspeaker broadcast scheduler (Đài truyền thanh xã).",
    discussion: """
      Reads the station's schedule, shows what will air, plays it on time (loa run) and \
      logs every airing.
      Exit status: 0 success, 1 invalid input or failure, 2 wrong usage.
      """,
    subcommands: [
      ValidateCommand.self, PlanCommand.self, CalendarCommand.self, InspectCommand.self,
      RehearseCommand.self, PlayCommand.self, RunCommand.self, StatusCommand.self,
      AnnounceCommand.self, StopCommand.self, ReloadCommand.self, LogCommand.self,
      ReportCommand.self,
    ]
  )
}

@main
enum Main {
  static func main() async {
    do {
      var command = try Loa.parseAsRoot()
      if var asyncCommand = command as? AsyncParsableCommand {
        try await asyncCommand.run()
      } else {
        try command.run()
      }
    } catch {
      let code = Loa.exitCode(for: error)
      // Usage errors exit with 2, as POSIX utilities do, not sysexits' 64.
      if code == .validationFailure {
        printError(Loa.fullMessage(for: error))
        exit(2)
      }
      Loa.exit(withError: error)
    }
  }
}
