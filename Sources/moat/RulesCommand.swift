import ArgumentParser
import SpamEngine

/// `moat rules lint [DIR…]`: reads rule directories as the spam engine would and reports
/// every problem with file:line, then the rules loaded by kind. Exit 1 on any error.
struct RulesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rules", abstract: "Inspect SpamAssassin-syntax rule sets.", subcommands: [Lint.self, Rescore.self])

    struct Lint: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check rule files: errors and warnings with file:line, and rule counts.",
            discussion: """
                Progress is shown on standard error when it is a terminal.

                Exit status: 0 no errors (warnings allowed), 1 errors in the rules or an invalid configuration, \
                64 usage error.
                """)

        @OptionGroup var options: ConfigOption

        @Argument(help: "Rule directories or files, read in order (default: [spam] rules of the configuration).")
        var paths: [String] = []

        @Flag(help: "Only print the names of rules Moat cannot run (unknown eval functions, refused patterns).")
        var unimplemented = false

        func run() throws {
            let directories = paths.isEmpty ? try loadConfig(options.config).spam.ruleDirectories : paths
            // Reading and compiling a full SpamAssassin set takes seconds: say which phase runs.
            let progress = TerminalProgress("rules lint")
            progress.status("reading \(directories.joined(separator: ", "))")
            let configuration = RuleLoader.load(directories: directories, pluginsAvailable: RuleLoader.nativePlugins)
            progress.status("compiling \(configuration.rules.count) rules")
            // Compile as the engine would, with every score set's rules enabled, to find
            // the rules calling eval functions Moat lacks.
            let compiled = CompiledRuleset(configuration, evals: RuleEngine.registry(configuration, network: true),
                                           scoreSet: ScoreSet(bayes: true, network: true), usePrefilter: false)
            progress.clear()
            let skipped = Set(compiled.unimplemented)
            if unimplemented {
                skipped.sorted().forEach { say("\($0)") }
                return
            }
            for diagnostic in configuration.diagnostics {
                say("\(diagnostic)")
            }
            for name in skipped.sorted() {
                guard let rule = configuration.rules[name], case .eval(let call) = rule.test else { continue }
                say("\(rule.location): warning: \(name): eval:\(call.function) is not implemented; rule skipped")
            }
            let counts = configuration.countsByKind
            func count(_ kind: RuleKind) -> Int { counts[kind] ?? 0 }
            let subRules = configuration.rules.values.filter(\.isSubRule).count
            say("""
                loaded \(configuration.rules.count) rules: header \(count(.header)), body \(count(.body)), \
                rawbody \(count(.rawbody)), uri \(count(.uri)), full \(count(.full)), \
                mimeheader \(count(.mimeheader)), meta \(count(.meta)) (\(subRules) sub-rules)
                """)
            let errors = configuration.diagnostics.filter { $0.severity == .error }.count
            let warnings = configuration.diagnostics.count - errors
                + skipped.filter { if case .eval? = configuration.rules[$0]?.test { true } else { false } }.count
            say("\(errors) errors, \(warnings) warnings")
            if errors > 0 { throw ExitCode(1) }
        }
    }
}
