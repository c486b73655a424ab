import DNS

/// Whether a name exists in the DNS the way Postfix's dns_lookup_l asks: the record types
/// in order, stopping at the first that has an answer.
enum HostLookup: Equatable {
    case found
    /// A single MX with exchange `.` (RFC 7505).
    case nullMX
    case notFound
    /// No type answered and at least one failed (timeout, SERVFAIL): Postfix's DNS_RETRY.
    case temporaryFailure

    /// reject_unknown_helo_hostname: A, AAAA, then MX (a null MX still names a host).
    static func host(_ name: String, _ resolver: any Resolver) async -> HostLookup {
        await lookup(name, [.a, .aaaa, .mx], resolver)
    }

    /// reject_unknown_sender_domain: MX, then A, AAAA; a null MX stops the search.
    static func mailDomain(_ name: String, _ resolver: any Resolver) async -> HostLookup {
        await lookup(name, [.mx, .a, .aaaa], resolver)
    }

    private static func lookup(_ name: String, _ types: [DNSRecordType], _ resolver: any Resolver) async -> HostLookup {
        var failed = false
        for type in types {
            do {
                if type == .mx {
                    let mx = try await resolver.lookupMX(name)
                    if MXRecord.isNullMX(mx) { return types.first == .mx ? .nullMX : .found }
                    if !mx.isEmpty { return .found }
                } else if try await !resolver.lookup(name, type: type).isEmpty {
                    return .found
                }
            } catch {
                failed = true
            }
        }
        return failed ? .temporaryFailure : .notFound
    }
}
