import ArgumentParser

/// `moat`: one binary, one subcommand per job, all reading the same `-c` configuration.
@main
struct MoatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "moat",
        abstract: "Mail content-filter gateway: ClamAV, banned files, spam scoring, quarantine, queue and virtual domains.",
        subcommands: [ServeCommand.self, ScanCommand.self, QuarantineCommand.self, QueueCommand.self, ConfigCommand.self, RulesCommand.self,
                      LearnCommand.self, DomainCommand.self, UserCommand.self, AliasCommand.self])

    /// ArgumentParser's own entry point, with the log output installed first: the same
    /// escaped lines from every subcommand.
    static func main() async {
        LogOutput.bootstrap()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

/// The `-c FILE` option every subcommand takes.
struct ConfigOption: ParsableArguments {
    @Option(name: [.customShort("c"), .long], help: "Configuration file.")
    var config = "Config/moat.toml"
}
