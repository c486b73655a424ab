import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process entry: sets the file-creation mask and installs the log output before any
/// subcommand runs.
@main
enum MoatMain {
    static func main() {
        // Every file and directory Moat creates (queue, quarantine files and index, the
        // directory and Bayes databases and their -wal/-shm, var/) holds mail or addresses:
        // owner only, whichever subcommand creates it. Code that wants wider modes for a
        // documented reason sets them explicitly after creating.
        umask(0o077)
        // The same escaped log lines from every subcommand.
        LogOutput.bootstrap()
        // The main thread waits here rather than in dispatch_main(), where an async main parks
        // it inside pthread_exit: glibc then skips it when `moat serve` calls setuid/setgid
        // (it applies them to every live thread), so it stayed root and /proc/PID/status said so.
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            await MoatCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}

/// `moat`: one binary, one subcommand per job, all reading the same `-c` configuration.
struct MoatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moat",
        abstract: "Mail content-filter gateway: ClamAV, banned files, spam scoring, quarantine, queue and virtual domains.",
        version: MoatVersion.text,
        subcommands: [ServeCommand.self, ReloadCommand.self, ScanCommand.self, QuarantineCommand.self, QueueCommand.self, ConfigCommand.self, RulesCommand.self,
                      LearnCommand.self, DomainCommand.self, UserCommand.self, AliasCommand.self])
}

/// The `-c FILE` option every subcommand takes.
struct ConfigOption: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "Configuration file.")
    var config = "Config/moat.toml"
}
