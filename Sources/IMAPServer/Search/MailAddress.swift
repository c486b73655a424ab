import MIME

/// One mailbox of an address header (RFC 5322 §3.4): `Name <local@domain>`. The parts are
/// kept as written (display name RFC 2047-decoded), never validated: search and sort must
/// work on whatever a message carries.
struct MailboxAddress: Hashable, Sendable {
    /// The phrase before `<…>`, or the comment after a bare address (`a@b (Name)`), as
    /// Dovecot's address parser takes it; empty when there is none.
    var displayName: String
    /// The display name as written, encoded-words not decoded: SEARCH renders this.
    var rawDisplayName: String
    var localPart: String
    /// `MISSING_DOMAIN` for an address without `@` (`From: d`), as Dovecot fills it.
    var domain: String

    var addressText: String { localPart + "@" + domain }

    /// This address with the display name `raw` (as written; decoded for ``displayName``).
    func named(_ raw: String) -> MailboxAddress {
        var copy = self
        copy.rawDisplayName = raw
        copy.displayName = RFC2047.decode(raw)
        return copy
    }
}

/// One entry of an address list: a mailbox, or a named group of mailboxes (`undisclosed:;`).
enum AddressListItem: Hashable, Sendable {
    case mailbox(MailboxAddress)
    case group(name: String, members: [MailboxAddress])

    /// The entries of a raw header value, read by the parser FETCH ENVELOPE uses (Dovecot's
    /// one parser serves both): its group start and end markers become groups.
    static func parse(_ value: ArraySlice<UInt8>) -> [AddressListItem] {
        var items: [AddressListItem] = []
        var group: (name: String, members: [MailboxAddress])?
        func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }
        for address in AddressListParser.parse(Array(value), namesAsWritten: true) {
            switch (address.mailbox, address.host) {
            case (nil, nil):
                if let open = group { items.append(.group(name: open.name, members: open.members)) }
                group = nil
            case (let name?, nil):
                group = (text(name), [])
            default:
                let raw = text(address.name)
                let mailbox = MailboxAddress(displayName: RFC2047.decode(raw), rawDisplayName: raw,
                                             localPart: text(address.mailbox), domain: text(address.host))
                if group != nil { group?.members.append(mailbox) } else { items.append(.mailbox(mailbox)) }
            }
        }
        if let open = group { items.append(.group(name: open.name, members: open.members)) }
        return items
    }

    /// The text SEARCH FROM/TO/CC/BCC match against, as Dovecot 2.3 renders a parsed
    /// address list before decoding it (checked with `doveadm search`): `<a@b>`,
    /// `Name <a@b>`, `"John Doe" <a@b>` (a name that is not all atext is quoted, a comment
    /// name too), `group: <a@b>, <c@d>;`. A name with encoded-words is never quoted; they are
    /// decoded after rendering.
    static func searchText(_ items: [AddressListItem]) -> String {
        let rendered = items.map { item in
            switch item {
            case .mailbox(let mailbox): render(mailbox)
            case .group(let name, let members): name + ":" + (members.isEmpty ? "" : " ") + members.map(render).joined(separator: ", ") + ";"
            }
        }
        return RFC2047.decode(rendered.joined(separator: ", "))
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
        let address = "<" + mailbox.addressText + ">"
        let name = mailbox.rawDisplayName
        if name.isEmpty { return address }
        // A name with encoded-words is written as it is, so decoding can see them.
        guard !name.contains("=?"), name.unicodeScalars.contains(where: { !isAtext($0) }) else { return name + " " + address }
        return "\"" + name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\" " + address
    }

    /// RFC 5322 `atext`; 8-bit text counts as atext (RFC 6532).
    private static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value >= 0x80 || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
    }
}
