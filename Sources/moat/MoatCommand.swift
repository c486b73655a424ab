import ArgumentParser

/// `moat`: one binary, one subcommand per job, all reading the same `-c` configuration.
@main
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
