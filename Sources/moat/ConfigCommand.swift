import ArgumentParser
import Logging
import MoatCore
#if canImport(Glibc)
import Glibc
#endif

/// `moat config check -c FILE`: reports every problem with file:line, the file's text and
/// everything `serve` would build from it (rules compiled, signatures loaded, access
/// tables read, directories probed), then prints each path as resolved.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a configuration file and what serve builds from it; print its resolved paths.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            let config = try loadConfig(options.config)
            // Only what stops serve; `moat rules lint` shows the rules' own warnings.
            var logger = Logger(label: "moat")
            logger.logLevel = .error
            _ = try validatedParts(config, purpose: .check, logger: logger)
            // The accounts serve switches to and gives Maildirs to. With a [service] user, as
            // if root started serve (as the service manager does), whoever runs the check;
            // without one, as serve started from this shell would judge.
            do {
                _ = try ServicePrivileges.prepare(config, startingUID: config.service.user.isEmpty ? geteuid() : 0)
            } catch {
                printError("moat: \(error.issue(in: config.origin))")
                throw ExitCode(1)
            }
            for path in config.origin.paths { say("\(path)") }
            for directory in config.spam.spamassassinDirectories { say("[spam] spamassassin_rules = \(directory)") }
            say("\(options.config): OK")
        }
    }
}

/// Loads the configuration or exits with every issue on stderr (status 1, or the
/// command's own error status, as `scan`'s 3).
func loadConfig(_ path: String, failureStatus: Int32 = 1) throws -> MoatConfig {
    do {
        return try MoatConfig.load(path: path)
    } catch {
        printError("\(lines: error.description.components(separatedBy: "\n"))")
        throw ExitCode(failureStatus)
    }
}
