import ArgumentParser
import Directory

/// `moat user …`: mailboxes and their passwords, as Postfix Admin's mailbox list.
struct UserCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage mailboxes and their passwords.",
        subcommands: [Add.self, List.self, Passwd.self, Verify.self, Access.self, Delete.self])

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a mailbox in an existing domain.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "local@domain") var address: String
        @Option(help: "Maildir size limit, e.g. 500M or 2G; 0 is unlimited.") var quota = "0"
        @OptionGroup var password: PasswordOption

        func run() throws {
            let bytes = try DirectoryCLI.quota(quota)
            try DirectoryCLI.run(options) { store in
                let box = try store.addMailbox(address, password: try password.read(), quotaBytes: bytes)
                say("added mailbox \(box.address)")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List mailboxes.",
            discussion: """
                One per line, tab-separated: address, quota, active|inactive, the services the user may \
                log in to (imap,pop3 or -), and with --show-hash the password hash.
                """)
        @OptionGroup var options: ConfigOption
        @Option(help: "Only this domain's mailboxes.") var domain: String?
        // Hashes are off by default: a listing is often pasted into tickets and chats.
        @Flag(name: .customLong("show-hash"), help: "Add the password hash column.") var showHash = false

        func run() throws {
            try DirectoryCLI.run(options) { store in
                for box in try store.mailboxes(domain: domain) {
                    let services = MailAccessService.allCases.filter(box.services.contains).map(\.rawValue)
                    let columns = [box.address, DirectoryCLI.size(box.quotaBytes), box.active ? "active" : "inactive",
                                   services.isEmpty ? "-" : services.joined(separator: ",")]
                    say("\(columns: showHash ? columns + [box.passwordHash] : columns)")
                }
            }
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Set a mailbox's password.")
        @OptionGroup var options: ConfigOption
        @Argument var address: String
        @OptionGroup var password: PasswordOption

        func run() throws {
            try DirectoryCLI.run(options) { store in
                try store.setPassword(address, password: try password.read())
                say("password changed for \(address.lowercased())")
            }
        }
    }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a password as a login would (exit 0 when it matches, 1 when not).")
        @OptionGroup var options: ConfigOption
        @Argument var address: String
        @OptionGroup var password: PasswordOption

        func run() throws {
            try DirectoryCLI.run(options) { store in
                guard try store.verifyPassword(address, password: try password.read(confirm: false)) else {
                    printError("moat: password does not match for \(address.lowercased()) (or no active mailbox)")
                    throw ExitCode(1)
                }
                say("ok")
            }
        }
    }

    struct Access: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Allow or deny a mailbox's IMAP and POP3 logins (mail is still delivered).")
        @OptionGroup var options: ConfigOption
        @Argument var address: String
        @Option(help: "on or off") var imap: Switch?
        @Option(help: "on or off") var pop3: Switch?

        enum Switch: String, ExpressibleByArgument {
            case on, off
        }

        func validate() throws {
            if imap == nil && pop3 == nil { throw ValidationError("Give --imap on|off, --pop3 on|off or both.") }
        }

        func run() throws {
            try DirectoryCLI.run(options) { store in
                for (service, setting) in [(MailAccessService.imap, imap), (.pop3, pop3)] {
                    guard let setting else { continue }
                    try store.setAccess(address, service: service, allowed: setting == .on)
                    say("\(service) \(setting == .on ? "allowed" : "denied") for \(address.lowercased())")
                }
            }
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "del", abstract: "Delete a mailbox and its own aliases (its Maildir stays on disk).")
        @OptionGroup var options: ConfigOption
        @Argument var address: String

        func run() throws {
            try DirectoryCLI.run(options) { store in
                try store.deleteMailbox(address)
                say("deleted mailbox \(address.lowercased())")
            }
        }
    }
}
