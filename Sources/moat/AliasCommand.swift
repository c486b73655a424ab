import ArgumentParser
import Directory

/// `moat alias …`: virtual aliases and catch-alls, as Postfix Admin's alias list.
struct AliasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "alias", abstract: "Manage aliases (local@domain or catch-all @domain).",
        subcommands: [Add.self, List.self, Delete.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Forward an address to one or more targets.",
            discussion: "Name the address itself among the targets to keep its own mailbox delivery.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "local@domain or @domain") var address: String
        @Argument(help: "Target addresses, in any domain.") var targets: [String]

        func run() throws {
            try DirectoryCLI.run(options) { store in
                for entry in try store.addAlias(address, targets: targets) {
                    say("added alias \(entry.address) -> \(entry.target)")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List aliases.",
            discussion: "One row per target, tab-separated: address, target, active|inactive.")
        @OptionGroup var options: ConfigOption
        @Option(help: "Only this domain's aliases.") var domain: String?

        func run() throws {
            try DirectoryCLI.run(options) { store in
                for a in try store.aliases(domain: domain) {
                    DirectoryCLI.row(a.address, a.target, a.active ? "active" : "inactive")
                }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Delete an alias, or only its row to TARGET.")
        @OptionGroup var options: ConfigOption
        @Argument var address: String
        @Argument var target: String?

        func run() throws {
            try DirectoryCLI.run(options) { store in
                let removed = try store.deleteAlias(address, target: target)
                say("deleted \(removed) alias row\(removed == 1 ? "" : "s") of \(address.lowercased())")
            }
        }
    }
}
