import CUnbound
import Foundation
import Logging
import MoatCore

/// A `Resolver` over libunbound (Debian `libunbound8`): one `ub_ctx` per resolver, queries
/// issued with `ub_resolve_async`, answers harvested by one background thread that waits on
/// `ub_fd` and calls `ub_process`, which runs the C callback that resumes the waiting task.
///
/// Every lookup is bounded by `Configuration.timeout` (on expiry the query is cancelled in
/// libunbound and `DNSError.timeout` thrown) and honours task cancellation. Answers go
/// through a small TTL-bounded cache in front of libunbound's own.
///
/// Share one instance: creating a context is costly (it reads resolv.conf and starts a
/// worker thread inside libunbound on first use).
public final class UnboundResolver: Resolver {
    public struct Configuration: Sendable {
        /// Forwarders as `host`, `host:port`, `[v6]:port` or unbound's `host@port`;
        /// empty = the system's resolv.conf.
        public var servers: [String]
        /// Bound on one lookup, cache miss included.
        public var timeout: Duration
        /// Cached answers live for their TTL, at most this long; `.zero` disables the cache.
        public var maxCacheTTL: Duration
        public var cacheCapacity: Int
        /// Query over IPv6 too (off by default: a gateway without v6 routes otherwise waits
        /// for v6 timeouts before falling back).
        public var useIPv6: Bool
        /// Zones libunbound answers itself by default (RFC 6303 reverse zones of private and
        /// documentation networks such as `10.in-addr.arpa`, `2.0.192.in-addr.arpa`) that
        /// should go to the forwarders instead: a site whose internal DNS serves PTR records
        /// for its own 10/8 clients needs it, and so do tests on TEST-NET addresses.
        public var forwardedDefaultZones: [String]

        public init(
            servers: [String] = [], timeout: Duration = .seconds(5), maxCacheTTL: Duration = .seconds(3600),
            cacheCapacity: Int = 10_000, useIPv6: Bool = false, forwardedDefaultZones: [String] = []
        ) {
            self.servers = servers
            self.timeout = timeout
            self.maxCacheTTL = maxCacheTTL
            self.cacheCapacity = cacheCapacity
            self.useIPv6 = useIPv6
            self.forwardedDefaultZones = forwardedDefaultZones
        }

        /// From the `[dns]` section of `moat.toml`.
        public init(_ settings: DNSSettings) {
            self.init(servers: settings.servers, timeout: settings.timeout)
        }
    }

    /// Counters for tests and `moat` status output.
    public struct Statistics: Sendable, Equatable {
        /// Lookups answered from the cache.
        public var cacheHits = 0
        /// Lookups sent to libunbound.
        public var queries = 0
        public var timeouts = 0
    }

    public let configuration: Configuration
    private let core: UnboundCore
    private let cache: Locked<DNSCache>
    private let stats = Locked(Statistics())
    private let logger: Logger

    /// Creates the context and starts the harvesting thread; throws `DNSError.other` when a
    /// server address is not usable or resolv.conf cannot be read.
    public init(_ configuration: Configuration = Configuration(), logger: Logger = Logger(label: "moat.dns")) throws {
        self.configuration = configuration
        self.logger = logger
        self.cache = Locked(DNSCache(capacity: configuration.cacheCapacity, maxTTL: configuration.maxCacheTTL))
        guard let ctx = ub_ctx_create() else { throw DNSError.other(code: Int(UB_NOMEM.rawValue), text: "ub_ctx_create failed") }
        func check(_ rc: Int32, _ what: String) throws {
            guard rc == 0 else {
                ub_ctx_delete(ctx)
                throw DNSError.other(code: Int(rc), text: "\(what): \(String(cString: ub_strerror(rc)))")
            }
        }
        // Answers are harvested on our own thread; libunbound does the work in a thread
        // of its own instead of a forked process.
        try check(ub_ctx_async(ctx, 1), "ub_ctx_async")
        if !configuration.useIPv6 { try check(ub_ctx_set_option(ctx, "do-ip6:", "no"), "do-ip6") }
        for zone in configuration.forwardedDefaultZones {
            // "transparent" with no local data: questions go to the forwarders (unbound.conf(5)).
            try check(ub_ctx_set_option(ctx, "local-zone:", "\(zone) transparent"), "local-zone \(zone)")
        }
        if configuration.servers.isEmpty {
            try check(ub_ctx_resolvconf(ctx, nil), "ub_ctx_resolvconf")
        } else {
            // A forwarder on loopback (a local dnsmasq/unbound) is the common case; the
            // default do-not-query-localhost would refuse it.
            try check(ub_ctx_set_option(ctx, "do-not-query-localhost:", "no"), "do-not-query-localhost")
            for server in configuration.servers {
                guard let address = Self.unboundAddress(server) else {
                    ub_ctx_delete(ctx)
                    throw DNSError.other(code: Int(UB_SYNTAX.rawValue), text: "invalid DNS server '\(server)'")
                }
                try check(ub_ctx_set_fwd(ctx, address), "server \(server)")
            }
        }
        core = UnboundCore(ctx: ctx)
        core.start()
    }

    deinit { core.stop() }

    public func lookupA(_ name: String) async throws -> [String] { try await resolve(name, .a) }
    public func lookupAAAA(_ name: String) async throws -> [String] { try await resolve(name, .aaaa) }
    public func lookupTXT(_ name: String) async throws -> [String] { try await resolve(name, .txt) }
    public func lookupMX(_ name: String) async throws -> [MXRecord] {
        // Cached in master-file form; every string was written by MXRecord.description.
        try await resolve(name, .mx).compactMap(MXRecord.init(presentation:))
    }
    public func lookupPTR(_ address: IPAddress) async throws -> [String] {
        try await resolve(address.reverseName, .ptr)
    }

    public var statistics: Statistics { stats.withLock { $0 } }

    /// Forgets every cached answer (libunbound's own cache is kept).
    public func flushCache() { cache.withLock { $0.removeAll() } }

    /// `host:port` / `[v6]:port` / `host` / `host@port` → unbound's `host@port`.
    static func unboundAddress(_ server: String) -> String? {
        let s = server.trimmingCharacters(in: .whitespaces)
        guard !s.isEmpty else { return nil }
        var host = s
        var port: String?
        if let at = s.firstIndex(of: "@") {
            host = String(s[..<at])
            port = String(s[s.index(after: at)...])
        } else if s.hasPrefix("["), let close = s.firstIndex(of: "]") {
            host = String(s[s.index(after: s.startIndex)..<close])
            let rest = s[s.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":") else { return nil }
                port = String(rest.dropFirst())
            }
        } else if s.filter({ $0 == ":" }).count == 1, let colon = s.firstIndex(of: ":") {
            host = String(s[..<colon])
            port = String(s[s.index(after: colon)...])
        }
        guard isIPAddress(host) else { return nil }
        guard let port else { return host }
        guard let n = Int(port), (1...65535).contains(n) else { return nil }
        return "\(host)@\(n)"
    }

    static func isIPAddress(_ s: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, s, &v4) == 1 || inet_pton(AF_INET6, s, &v6) == 1
    }

    private func resolve(_ rawName: String, _ type: DNSRecordType) async throws -> [String] {
        var name = rawName.lowercased()
        while name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty, name.utf8.count <= 253 else {
            throw DNSError.other(code: Int(UB_SYNTAX.rawValue), text: "invalid name '\(rawName)'")
        }
        let key = DNSCache.Key(name: name, type: type)
        let now = ContinuousClock.now
        if let cached = cache.withLock({ $0.get(key, now: now) }) {
            stats.withLock { $0.cacheHits += 1 }
            return cached
        }
        stats.withLock { $0.queries += 1 }
        let answer: UnboundAnswer
        do {
            answer = try await core.query(name, type: type, timeout: configuration.timeout)
        } catch let error as DNSError {
            if case .timeout = error { stats.withLock { $0.timeouts += 1 } }
            logger.debug("dns: \(type.rawValue) \(name): \(error)")
            throw error
        }
        switch answer.rcode {
        case 0, 3:  // NOERROR (maybe NODATA), NXDOMAIN
            let records: [String] = switch type {
            case .a: answer.records.compactMap { RData.ipv4($0) }
            case .aaaa: answer.records.compactMap { RData.ipv6($0) }
            case .txt: answer.records.map { RData.txt($0) }
            case .ptr: answer.records.compactMap { RData.name($0[...]) }
            case .mx: answer.records.compactMap { RData.mx($0)?.description }
            }
            cache.withLock { $0.put(key, records: records, ttl: answer.ttl, now: ContinuousClock.now) }
            return records
        case 2:
            throw DNSError.servfail(name)
        default:
            throw DNSError.other(code: answer.rcode, text: DNSError.rcodeName(answer.rcode))
        }
    }
}

/// What libunbound returned for one question, copied out of the `ub_result`.
struct UnboundAnswer: Sendable {
    var rcode: Int
    var records: [[UInt8]]
    var ttl: Int
}

/// Owns the `ub_ctx` and the thread that harvests answers. Freed (and the context deleted)
/// when the resolver and every in-flight lookup have let go of it.
final class UnboundCore: @unchecked Sendable {
    // `ub_ctx` is internally locked: ub_resolve_async, ub_cancel and ub_process may be
    // called from different threads (unbound.h, "Application threaded").
    private let ctx: OpaquePointer
    private let stopping = Locked(false)

    init(ctx: OpaquePointer) { self.ctx = ctx }

    deinit { ub_ctx_delete(ctx) }

    func start() {
        let thread = Thread { [self] in harvest() }
        thread.name = "moat.dns.unbound"
        thread.start()
    }

    func stop() { stopping.withLock { $0 = true } }

    /// The harvesting loop: wait until libunbound's result pipe is readable, then let
    /// `ub_process` run the callbacks. The 100 ms poll bound only delays shutdown.
    private func harvest() {
        let fd = ub_fd(ctx)
        while !stopping.withLock({ $0 }) {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&pfd, 1, 100)
            if ready > 0 { _ = ub_process(ctx) }
        }
        PendingQueries.shared.failAll(owner: ObjectIdentifier(self), DNSError.other(code: -1, text: "resolver shut down"))
    }

    func query(_ name: String, type: DNSRecordType, timeout: Duration) async throws -> UnboundAnswer {
        let token = PendingQueries.shared.newToken()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<UnboundAnswer, Error>) in
                PendingQueries.shared.insert(token, owner: ObjectIdentifier(self), continuation)
                if Task.isCancelled {
                    PendingQueries.shared.complete(token, with: .failure(CancellationError()))
                    return
                }
                var asyncID: Int32 = 0
                let rc = ub_resolve_async(
                    ctx, name, type.code, 1 /* IN */, UnsafeMutableRawPointer(bitPattern: token),
                    unboundCallback, &asyncID)
                guard rc == 0 else {
                    let error = DNSError.other(code: Int(rc), text: String(cString: ub_strerror(rc)))
                    PendingQueries.shared.complete(token, with: .failure(error))
                    return
                }
                let id = asyncID
                let timer = Task { [self] in
                    try? await Task.sleep(for: timeout)
                    guard !Task.isCancelled else { return }
                    if PendingQueries.shared.complete(token, with: .failure(DNSError.timeout(name))) {
                        cancel(id)
                    }
                }
                PendingQueries.shared.attach(token, asyncID: id, timer: timer)
            }
        } onCancel: {
            if let asyncID = PendingQueries.shared.asyncID(token),
                PendingQueries.shared.complete(token, with: .failure(CancellationError()))
            {
                cancel(asyncID)
            } else {
                PendingQueries.shared.complete(token, with: .failure(CancellationError()))
            }
        }
    }

    /// Drops a query libunbound is still working on; its callback will not run.
    private func cancel(_ asyncID: Int32) {
        guard !stopping.withLock({ $0 }) else { return }
        _ = ub_cancel(ctx, asyncID)
    }
}

/// The C callback: runs on the harvesting thread inside `ub_process`. `mydata` carries the
/// query's token (an integer, never a pointer) so a late answer for a timed-out query finds
/// nothing to resume and is just freed.
private let unboundCallback: ub_callback_type = { mydata, err, result in
    let token = Int(bitPattern: mydata)
    defer { if let result { ub_resolve_free(result) } }
    guard err == 0, let result else {
        let error = DNSError.other(code: Int(err), text: String(cString: ub_strerror(err)))
        PendingQueries.shared.complete(token, with: .failure(error))
        return
    }
    let r = result.pointee
    var records: [[UInt8]] = []
    if r.havedata != 0, let data = r.data, let lengths = r.len {
        var i = 0
        while let item = data[i] {
            let n = Int(lengths[i])
            records.append(item.withMemoryRebound(to: UInt8.self, capacity: n) { Array(UnsafeBufferPointer(start: $0, count: n)) })
            i += 1
        }
    }
    let answer = UnboundAnswer(rcode: Int(r.rcode), records: records, ttl: Int(r.ttl))
    PendingQueries.shared.complete(token, with: .success(answer))
}

/// Continuations waiting for libunbound, by token. The one place a query completes: the
/// first of answer, timeout, cancellation or shutdown wins; the others find nothing.
final class PendingQueries: Sendable {
    static let shared = PendingQueries()

    private struct Entry {
        let owner: ObjectIdentifier
        let continuation: CheckedContinuation<UnboundAnswer, Error>
        var asyncID: Int32?
        var timer: Task<Void, Never>?
    }

    private struct State {
        var nextToken = 1
        var entries: [Int: Entry] = [:]
    }

    private let state = Locked(State())

    func newToken() -> Int {
        state.withLock { s in
            let token = s.nextToken
            s.nextToken = token == Int.max ? 1 : token + 1
            return token
        }
    }

    func insert(_ token: Int, owner: ObjectIdentifier, _ continuation: CheckedContinuation<UnboundAnswer, Error>) {
        state.withLock { $0.entries[token] = Entry(owner: owner, continuation: continuation) }
    }

    func attach(_ token: Int, asyncID: Int32, timer: Task<Void, Never>) {
        let attached = state.withLock { s -> Bool in
            guard s.entries[token] != nil else { return false }
            s.entries[token]?.asyncID = asyncID
            s.entries[token]?.timer = timer
            return true
        }
        if !attached { timer.cancel() }
    }

    func asyncID(_ token: Int) -> Int32? { state.withLock { $0.entries[token]?.asyncID } }

    /// Resumes the query's task; false when it had already completed.
    @discardableResult
    func complete(_ token: Int, with result: Result<UnboundAnswer, Error>) -> Bool {
        guard let entry = state.withLock({ $0.entries.removeValue(forKey: token) }) else { return false }
        entry.timer?.cancel()
        entry.continuation.resume(with: result)
        return true
    }

    func failAll(owner: ObjectIdentifier, _ error: Error) {
        let mine = state.withLock { s -> [Entry] in
            let tokens = s.entries.filter { $0.value.owner == owner }.map(\.key)
            return tokens.compactMap { s.entries.removeValue(forKey: $0) }
        }
        for entry in mine {
            entry.timer?.cancel()
            entry.continuation.resume(throwing: error)
        }
    }
}
