import ArgumentParser
import SpamEngine

/// `moat rules lint [DIR…]`: reads rule directories as the spam engine would and reports
/// every problem with file:line, then the rules loaded by kind. Exit 1 on any error.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Inspect SpamAssassin-syntax rule sets.", subcommands: [Lint.self])

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rule files: errors and warnings with file:line, and rule counts.")

        @OptionGroup var options: ConfigOption

        @Argument(help: "Rule directories or files, read in order (default: Rules).")
        var paths: [String] = []

        func run() throws {
            // `[spam] rules` is not in MoatConfig yet; until it is, the project's Rules/.
            let directories = paths.isEmpty ? ["Rules"] : paths
            let configuration = RuleLoader.load(directories: directories, pluginsAvailable: RuleLoader.nativePlugins)
            for diagnostic in configuration.diagnostics {
                print(diagnostic.description)
            }
            let counts = configuration.countsByKind
            func count(_ kind: RuleKind) -> Int { counts[kind] ?? 0 }
            let subRules = configuration.rules.values.filter(\.isSubRule).count
            print("loaded \(configuration.rules.count) rules: header \(count(.header)), body \(count(.body)), "
                + "rawbody \(count(.rawbody)), uri \(count(.uri)), full \(count(.full)), "
                + "mimeheader \(count(.mimeheader)), meta \(count(.meta)) (\(subRules) sub-rules)")
            let errors = configuration.diagnostics.filter { $0.severity == .error }.count
            let warnings = configuration.diagnostics.count - errors
            print("\(errors) errors, \(warnings) warnings")
            if errors > 0 { throw ExitCode(1) }
        }
    }
}
