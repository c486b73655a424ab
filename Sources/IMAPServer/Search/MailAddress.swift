/// One mailbox of an address header (RFC 5322 §3.4): `Name <local@domain>`. The parts are
/// kept as written (display name RFC 2047-decoded), never validated: search and sort must
/// work on whatever a message carries.
struct MailboxAddress: Hashable, Sendable {
    /// The phrase before `<…>`, or the comment after a bare address (`a@b (Name)`), as
    /// Dovecot's address parser takes it; empty when there is none.
    var displayName: String
    var localPart: String
    /// Empty for an address without `@` (`From: d`).
    var domain: String

    /// `local@domain`, or just the local part when there is no domain.
    var addressText: String { domain.isEmpty ? localPart : localPart + "@" + domain }
}

/// One entry of an address list: a mailbox, or a named group of mailboxes (`undisclosed:;`).
enum AddressListItem: Hashable, Sendable {
    case mailbox(MailboxAddress)
    case group(name: String, members: [MailboxAddress])

    /// The text SEARCH FROM/TO/CC/BCC match against, as Dovecot's `message_address_write`
    /// renders a parsed address: `Name <local@domain>`, `local@domain`, `group: a@b, c@d;`.
    var searchText: String {
        switch self {
        case .mailbox(let mailbox): return Self.render(mailbox)
        case .group(let name, let members): return name + ": " + members.map(Self.render).joined(separator: ", ") + ";"
        }
    }

    /// RFC 5256 SORT FROM/TO/CC key: the addr-mailbox (local part). A group stands for its
    /// name, as Dovecot's parser returns a group start as a mailbox named after the group.
    var sortMailbox: String {
        switch self {
        case .mailbox(let mailbox): return mailbox.localPart
        case .group(let name, _): return name
        }
    }

    /// RFC 5957 DISPLAYFROM/DISPLAYTO key: the display name, else the address; a group's name.
    var displayText: String {
        switch self {
        case .mailbox(let mailbox): return mailbox.displayName.isEmpty ? mailbox.addressText : mailbox.displayName
        case .group(let name, _): return name
        }
    }

    private static func render(_ mailbox: MailboxAddress) -> String {
        mailbox.displayName.isEmpty ? mailbox.addressText : mailbox.displayName + " <" + mailbox.addressText + ">"
    }
}
