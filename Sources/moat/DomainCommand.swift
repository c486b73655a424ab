import ArgumentParser
import Directory

/// `moat domain …`: the virtual domains, as Postfix Admin's domain list.
struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Manage the domains this server receives mail for.",
        subcommands: [Add.self, List.self, Delete.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a domain.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "Domain name, e.g. example.com.") var name: String
        @Flag(name: .customLong("backup-mx"), help: "Accept the domain's mail and relay it to its next MX.")
        var backupMX = false

        func run() throws {
            try DirectoryCLI.run(options) { store in
                let domain = try store.addDomain(name, backupMX: backupMX)
                say("added domain \(domain.name)\(backupMX ? " (backup MX)" : "")")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List domains.",
            discussion: "One per line, tab-separated: name, local|backup-mx, active|inactive, mailboxes, aliases.")
        @OptionGroup var options: ConfigOption

        func run() throws {
            try DirectoryCLI.run(options) { store in
                for d in try store.domains() {
                    DirectoryCLI.row(d.name, d.backupMX ? "backup-mx" : "local", d.active ? "active" : "inactive",
                                     String(d.mailboxCount), String(d.aliasCount))
                }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del",
            abstract: "Delete a domain.",
            discussion: "Refuses while it has mailboxes or aliases; --force deletes those rows too. Maildirs stay on disk.")
        @OptionGroup var options: ConfigOption
        @Argument var name: String
        @Flag(help: "Also delete the domain's mailboxes and aliases.") var force = false

        func run() throws {
            try DirectoryCLI.run(options) { store in
                try store.deleteDomain(name, force: force)
                say("deleted domain \(name.lowercased())")
            }
        }
    }
}
