/// Turns an envelope recipient into its final destinations, with Postfix's
/// `virtual_alias_maps` + `virtual_mailbox_maps` semantics over the directory.
///
/// For each address, lookups go in Postfix's order, first match wins:
/// 1. the alias `user+ext@domain`, then the mailbox `user+ext@domain`;
/// 2. the alias `user@domain` (extension stripped at the first `recipient_delimiter`
///    character; the extension is appended to each target, as Postfix's
///    `propagate_unmatched_extensions` does), then the mailbox `user@domain`;
/// 3. the catch-all alias `@domain`.
///
/// A mailbox counts as an alias of itself (Postfix Admin stores that row for every
/// mailbox), so a catch-all never swallows an existing mailbox, while an explicit alias
/// of a mailbox address overrides its delivery. Alias targets are expanded again,
/// recursively; a target equal to the address being expanded is final (the
/// self-reference rule: `alice@ → alice@, bob@` keeps alice's mailbox). A cycle, nesting
/// deeper than `recursionLimit` or more than `expansionLimit` results make the whole
/// recipient a temporary `aliasExpansion` rejection, as Postfix defers with "4.6.0 Alias
/// expansion error". Duplicate destinations are delivered once.
public struct RecipientResolver: Sendable {
    public let store: DirectoryStore
    /// Maildir root, `StorageSettings.mailRoot`.
    public var mailRoot: String
    /// Characters any of which starts an address extension (Postfix
    /// `recipient_delimiter`); empty disables extensions.
    public var recipientDelimiter: String
    /// Postfix `virtual_alias_recursion_limit`.
    public var recursionLimit: Int
    /// Postfix `virtual_alias_expansion_limit`.
    public var expansionLimit: Int

    public init(store: DirectoryStore, mailRoot: String, recipientDelimiter: String = "+",
                recursionLimit: Int = 1000, expansionLimit: Int = 1000) {
        self.store = store
        self.mailRoot = mailRoot
        self.recipientDelimiter = recipientDelimiter
        self.recursionLimit = recursionLimit
        self.expansionLimit = expansionLimit
    }

    /// The final destinations of `address`, in alias order, each once.
    /// - Throws: `DirectoryError.invalidAddress` when `address` is not `local@domain`;
    ///   `.database` when the lookup fails (a temporary failure for the caller).
    public func resolve(_ address: String) throws(DirectoryError) -> [ResolvedRecipient] {
        try resolveForDelivery(address).destinations
    }

    /// `resolve(_:)`, and what delivery needs to route the `.remote` results: the domains
    /// among them that this server is backup MX for (the others are not ours), read in
    /// the same transaction.
    public func resolveForDelivery(_ address: String) throws(DirectoryError)
        -> (destinations: [ResolvedRecipient], backupMXDomains: Set<String>) {
        let start = try DirectoryAddress.target(address)
        return try store.read("resolve \(start)") { db in
            var expansion = Expansion(settings: self, lookup: SnapshotLookup(db: db))
            do {
                try expansion.expand(start, ancestors: [], depth: 0)
            } catch is AliasExpansionFailure {
                return ([.rejected(RecipientRejection(address: start, reason: .aliasExpansion))], [])
            }
            return (expansion.results, expansion.backupMXDomains)
        }
    }
}

/// Thrown inside a resolution when expansion must stop; becomes one `aliasExpansion` rejection.
private struct AliasExpansionFailure: Error {}

/// The state of one resolution: results so far, deduplicated.
private struct Expansion<Lookup: DirectoryLookup> {
    let settings: RecipientResolver
    let lookup: Lookup
    var results: [ResolvedRecipient] = []
    var seen = Set<ResolvedRecipient>()
    /// Domains of `.remote` results that are backup-MX domains here.
    var backupMXDomains = Set<String>()
    var produced = 0

    mutating func expand(_ address: String, ancestors: Set<String>, depth: Int) throws {
        guard depth <= settings.recursionLimit else { throw AliasExpansionFailure() }
        let parts = AddressParts(address, delimiter: settings.recipientDelimiter)
        let backupMX = try lookup.isBackupMX(domain: parts.domain)
        guard backupMX == false else {
            if backupMX == true { backupMXDomains.insert(parts.domain) }
            return add(.remote(address))
        }
        guard let targets = try aliasTargets(parts) else { return try deliver(parts) }
        let ancestors = ancestors.union([address])
        produced += targets.count
        guard produced <= settings.expansionLimit else { throw AliasExpansionFailure() }
        for target in targets {
            if target == address {
                try deliver(parts)
            } else if ancestors.contains(target) {
                throw AliasExpansionFailure()
            } else {
                try expand(target, ancestors: ancestors, depth: depth + 1)
            }
        }
    }

    /// The alias targets for `parts`, or nil when it is final (a mailbox or nothing).
    private func aliasTargets(_ parts: AddressParts) throws -> [String]? {
        let exact = try lookup.aliasTargets(parts.address)
        if !exact.isEmpty { return exact }
        if try lookup.mailbox(parts.address) != nil { return nil }
        if let base = parts.baseAddress, let ext = parts.extensionWithDelimiter {
            let stripped = try lookup.aliasTargets(base)
            if !stripped.isEmpty { return stripped.map { Self.appending(ext, to: $0) } }
            if try lookup.mailbox(base) != nil { return nil }
        }
        let catchAll = try lookup.aliasTargets("@" + parts.domain)
        return catchAll.isEmpty ? nil : catchAll
    }

    /// Local delivery of a final address in a local domain, or "user unknown".
    private mutating func deliver(_ parts: AddressParts) throws {
        if let mailbox = try lookup.mailbox(parts.address) {
            return add(.mailbox(delivery(mailbox, extensionPart: nil)))
        }
        if let base = parts.baseAddress, let mailbox = try lookup.mailbox(base) {
            return add(.mailbox(delivery(mailbox, extensionPart: parts.extensionPart)))
        }
        add(.rejected(RecipientRejection(address: parts.address, reason: .unknownUser)))
    }

    private func delivery(_ mailbox: Mailbox, extensionPart: String?) -> LocalDelivery {
        LocalDelivery(address: mailbox.address, extensionPart: extensionPart,
                      maildir: mailbox.maildir(mailRoot: settings.mailRoot), quotaBytes: mailbox.quotaBytes)
    }

    private mutating func add(_ result: ResolvedRecipient) {
        if seen.insert(result).inserted { results.append(result) }
    }

    /// `bob@x` + `+news` → `bob+news@x`.
    private static func appending(_ ext: String, to target: String) -> String {
        guard let at = target.lastIndex(of: "@") else { return target }
        return String(target[..<at]) + ext + String(target[at...])
    }
}

/// A lowercase `local@domain` split at `@` and at the first delimiter character.
private struct AddressParts {
    let address: String
    let domain: String
    /// `user@domain` when the local part has an extension, else nil.
    let baseAddress: String?
    /// `+news`, the delimiter included (what Postfix propagates).
    let extensionWithDelimiter: String?

    var extensionPart: String? { extensionWithDelimiter.map { String($0.dropFirst()) } }

    init(_ address: String, delimiter: String) {
        self.address = address
        let at = address.lastIndex(of: "@") ?? address.endIndex
        let local = address[..<at]
        domain = at < address.endIndex ? String(address[address.index(after: at)...]) : ""
        // Postfix does not split when the local part would be empty ("+foo@x").
        if let cut = local.firstIndex(where: { delimiter.contains($0) }), cut > local.startIndex {
            baseAddress = "\(local[..<cut])@\(domain)"
            extensionWithDelimiter = String(local[cut...])
        } else {
            baseAddress = nil
            extensionWithDelimiter = nil
        }
    }
}
