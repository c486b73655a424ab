import MoatCore

/// Turns a configured restriction list into `Restriction`s. Entries are split on
/// whitespace and commas as Postfix splits main.cf values, so `"reject_rbl_client zen.example"`
/// and `["reject_rbl_client", "zen.example"]` mean the same; an argument that does not look
/// like one (it is itself a restriction name) is reported as missing.
public struct RestrictionParser: Sendable {
    /// Loads `check_*_access` tables; the default reads the file. Tests and `moat config
    /// check` may pass another.
    public var loadTable: @Sendable (String) throws(AccessTableError) -> AccessTable

    public init(loadTable: @escaping @Sendable (String) throws(AccessTableError) -> AccessTable = { path throws(AccessTableError) in
        try AccessTable(contentsOfFile: path)
    }) {
        self.loadTable = loadTable
    }

    /// Parses one list; `stage` only labels errors.
    public func parse(_ entries: [String], stage: PolicyStage) throws(RestrictionParseError) -> [Restriction] {
        // (word, index of the entry it came from)
        var words: [(String, Int)] = []
        for (position, entry) in entries.enumerated() {
            for word in RestrictionListText.words(of: entry) {
                words.append((String(word), position))
            }
        }
        var result: [Restriction] = []
        var i = 0
        while i < words.count {
            let (word, position) = words[i]
            i += 1
            func fail(_ reason: RestrictionParseError.Reason) -> RestrictionParseError {
                RestrictionParseError(stage: stage, name: word, position: position, reason: reason)
            }
            guard let name = RestrictionName(configName: word) else { throw fail(.unknownRestriction) }
            var argument: String?
            if name.takesArgument {
                // The same test as the loader's access-table resolution, so a name there is
                // never resolved as a path and then read as one.
                guard i < words.count, !RestrictionListText.isRestrictionName(words[i].0) else {
                    throw fail(.missingArgument)
                }
                argument = words[i].0
                i += 1
            }
            result.append(try build(name, argument, fail))
        }
        return result
    }

    private func build(
        _ name: RestrictionName, _ argument: String?, _ fail: (RestrictionParseError.Reason) -> RestrictionParseError
    ) throws(RestrictionParseError) -> Restriction {
        func dnsList() throws(RestrictionParseError) -> DNSListQuery {
            do { return try DNSListQuery(argument ?? "") } catch { throw fail(.badArgument(error.description)) }
        }
        func table() throws(RestrictionParseError) -> AccessTable {
            do { return try loadTable(argument ?? "") } catch { throw fail(.badTable(error)) }
        }
        switch name {
        case .permit: return .permit
        case .reject: return .reject
        case .permitMynetworks: return .permitMynetworks
        case .permitSASLAuthenticated: return .permitSASLAuthenticated
        case .permitAuthDestination: return .permitAuthDestination
        case .rejectRBLClient: return .rejectRBLClient(try dnsList())
        case .rejectRHSBLSender: return .rejectRHSBLSender(try dnsList())
        case .rejectUnknownClientHostname: return .rejectUnknownClientHostname
        case .rejectUnknownReverseClientHostname: return .rejectUnknownReverseClientHostname
        case .rejectInvalidHeloHostname: return .rejectInvalidHeloHostname
        case .rejectNonFQDNHeloHostname: return .rejectNonFQDNHeloHostname
        case .rejectUnknownHeloHostname: return .rejectUnknownHeloHostname
        case .rejectNonFQDNSender: return .rejectNonFQDNSender
        case .rejectUnknownSenderDomain: return .rejectUnknownSenderDomain
        case .rejectNonFQDNRecipient: return .rejectNonFQDNRecipient
        case .rejectUnauthDestination: return .rejectUnauthDestination
        case .rejectUnlistedRecipient: return .rejectUnlistedRecipient
        case .rejectUnauthPipelining: return .rejectUnauthPipelining
        case .checkClientAccess: return .checkClientAccess(try table())
        case .checkSenderAccess: return .checkSenderAccess(try table())
        }
    }
}

/// A restriction list entry that cannot be used; `position` is the 0-based index of the
/// configured entry it came from.
public struct RestrictionParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unknownRestriction
        case missingArgument
        case badArgument(String)
        case badTable(AccessTableError)
    }

    public let stage: PolicyStage
    public let name: String
    public let position: Int
    public let reason: Reason

    public var description: String {
        let what = switch reason {
        case .unknownRestriction: "unknown restriction"
        case .missingArgument: "missing argument"
        case .badArgument(let why): why
        case .badTable(let error): "access table \(error)"
        }
        return "\(stage.rawValue) restrictions, entry \(position + 1) '\(name)': \(what)"
    }
}
