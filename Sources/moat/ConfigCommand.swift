import ArgumentParser
import MoatCore

/// `moat config check -c FILE`: reports every problem with file:line.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config", abstract: "Inspect the configuration.", subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a configuration file.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            _ = try loadConfig(options.config)
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
