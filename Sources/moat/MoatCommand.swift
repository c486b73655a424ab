import ArgumentParser
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process entry: sets the file-creation mask and installs the log output before any
/// subcommand runs.
@main
enum MoatMain {
    static func main() async {
        // Every file and directory Moat creates (queue, quarantine files and index, the
        // directory and Bayes databases and their -wal/-shm, var/) holds mail or addresses:
        // owner only, whichever subcommand creates it. Code that wants wider modes for a
        // documented reason sets them explicitly after creating.
        umask(0o077)
        // The same escaped log lines from every subcommand.
        LogOutput.bootstrap()
        await MoatCommand.main()
    }
}

/// `moat`: one binary, one subcommand per job, all reading the same `-c` configuration.
struct MoatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moat",
        abstract: "Mail content-filter gateway: ClamAV, banned files, spam scoring, quarantine, queue and virtual domains.",
        subcommands: [ServeCommand.self, ScanCommand.self, QuarantineCommand.self, QueueCommand.self, ConfigCommand.self, RulesCommand.self,
                      LearnCommand.self, DomainCommand.self, UserCommand.self, AliasCommand.self])
}

/// The `-c FILE` option every subcommand takes.
struct ConfigOption: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "Configuration file.")
    var config = "Config/moat.toml"
}
