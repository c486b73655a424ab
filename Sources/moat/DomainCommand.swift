import ArgumentParser
import Directory
import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
        @Option(help: """
            Where postmaster@DOMAIN goes (RFC 5321 §4.5.1: every domain has one; the MX sends \
            its virus and banned notices to the first domain's). Asked for on a terminal when \
            not given.
            """)
        var postmaster: String?

        func run() throws {
            try DirectoryCLI.run(options) { store in
                let domain = try store.addDomain(name, backupMX: backupMX)
                say("added domain \(domain.name)\(backupMX ? " (backup MX)" : "")")
                guard !backupMX else { return }
                let address = "postmaster@\(domain.name)"
                if let target = postmaster ?? askForPostmaster(address), !target.isEmpty {
                    for entry in try store.addAlias(address, targets: [target]) {
                        say("added alias \(entry.address) -> \(entry.target)")
                    }
                } else {
                    printError("moat: warning: \(address) has no mailbox or alias yet; mail to it (and the MX's notices) bounces until: moat alias add \(address) <mailbox>")
                }
            }
        }

        /// The target typed at the terminal (empty: decide later); nil without a terminal.
        private func askForPostmaster(_ address: String) -> String? {
            guard isatty(0) == 1 else { return nil }
            TerminalOutput.write(Array("\(address) goes to (an address; empty to decide later): ".utf8), fd: 2)
            return readLine()?.trimmingCharacters(in: .whitespaces)
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
