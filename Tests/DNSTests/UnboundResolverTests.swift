import MoatTestSupport
import XCTest
@testable import DNS
@testable import MoatCore

/// `UnboundResolver` against a real dnsmasq on a loopback port.
final class UnboundResolverTests: XCTestCase {
    static let records = [
        "--host-record=2.0.0.127.zen.moattest,127.0.0.2",
        "--host-record=multi.moattest,127.0.0.10",
        "--txt-record=2.0.0.127.zen.moattest,listed see http://zen.moattest/q?ip=127.0.0.2",
        "--txt-record=split.moattest,abc,def",
        // AAAA, MX and PTR (UnboundResolverTests+RecordTypes.swift)
        "--local=/example/", "--local=/2.0.192.in-addr.arpa/",
        "--host-record=v6.moat.example,2001:db8::25",
        "--host-record=both.moat.example,192.0.2.7,2001:db8::7",
        "--mx-host=mail.moat.example,mx2.moat.example,20",
        "--mx-host=mail.moat.example,mx1.moat.example,10",
        "--ptr-record=10.2.0.192.in-addr.arpa,host10.moat.example",
    ]

    var dnsmasq: DNSMasq!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: DNSMasq.binary), "dnsmasq-base not installed")
        dnsmasq = try DNSMasq(records: Self.records)
    }

    override func tearDown() {
        dnsmasq?.stop()
        dnsmasq = nil
    }

    func resolver(timeout: Duration = .seconds(2), forwarding zones: [String] = ["2.0.192.in-addr.arpa"]) throws
        -> UnboundResolver
    {
        try UnboundResolver(.init(servers: [dnsmasq.server], timeout: timeout, forwardedDefaultZones: zones))
    }

    func testARecord() async throws {
        let r = try resolver()
        let started = ContinuousClock.now
        let answer = try await r.lookupA("2.0.0.127.zen.moattest")
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(answer, ["127.0.0.2"])
        print("latency: first A lookup against dnsmasq \(elapsed)")
    }

    func testNXDOMAINIsEmpty() async throws {
        let r = try resolver()
        let a = try await r.lookupA("3.0.0.127.zen.moattest")
        XCTAssertEqual(a, [])
        let txt = try await r.lookupTXT("nothing.moattest")
        XCTAssertEqual(txt, [])
    }

    func testNODATAIsEmpty() async throws {
        let r = try resolver()
        let txt = try await r.lookupTXT("multi.moattest")
        XCTAssertEqual(txt, [])
    }

    func testTXTRecords() async throws {
        let r = try resolver()
        let txt = try await r.lookupTXT("2.0.0.127.zen.moattest")
        XCTAssertEqual(txt, ["listed see http://zen.moattest/q?ip=127.0.0.2"])
        // Two <character-string>s in one record are concatenated, as SpamAssassin does.
        let split = try await r.lookupTXT("split.moattest")
        XCTAssertEqual(split, ["abcdef"])
        let viaType = try await r.lookup("2.0.0.127.zen.moattest", type: .txt)
        XCTAssertEqual(viaType, txt)
    }

    func testCacheHit() async throws {
        let r = try resolver()
        let first = try await r.lookupA("2.0.0.127.zen.moattest")
        XCTAssertEqual(r.statistics.queries, 1)
        XCTAssertEqual(r.statistics.cacheHits, 0)
        // Case and a trailing dot do not matter.
        let started = ContinuousClock.now
        let second = try await r.lookupA("2.0.0.127.ZEN.moattest.")
        let cachedLatency = ContinuousClock.now - started
        XCTAssertEqual(first, second)
        XCTAssertEqual(r.statistics, .init(cacheHits: 1, queries: 1, timeouts: 0))
        // The cache answers even when the server is gone.
        dnsmasq.stop()
        let third = try await r.lookupA("2.0.0.127.zen.moattest")
        XCTAssertEqual(third, ["127.0.0.2"])
        XCTAssertEqual(r.statistics.cacheHits, 2)
        r.flushCache()
        print("latency: cached A lookup \(cachedLatency)")
    }

    func testTimeoutAgainstSilentServer() async throws {
        let silent = try UDPSocket()  // bound, never read: no answer ever comes
        let r = try UnboundResolver(.init(servers: ["127.0.0.1:\(silent.port)"], timeout: .milliseconds(300)))
        let started = ContinuousClock.now
        do {
            let answer = try await r.lookupA("2.0.0.127.zen.moattest")
            XCTFail("expected a timeout, got \(answer)")
        } catch let error as DNSError {
            XCTAssertEqual(error, .timeout("2.0.0.127.zen.moattest"))
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(290))
        XCTAssertLessThan(elapsed, .milliseconds(1500))
        XCTAssertEqual(r.statistics.timeouts, 1)
        withExtendedLifetime(silent) {}
    }

    func testRefusedIsAnError() async throws {
        // dnsmasq has no upstream: names outside .moattest are REFUSED, which is "could not ask".
        let r = try resolver()
        do {
            _ = try await r.lookupA("example.com")
            XCTFail("expected an error")
        } catch let error as DNSError {
            switch error {
            case .other(code: 5, _), .servfail: break
            default: XCTFail("unexpected \(error)")
            }
        }
    }

    func testCancellationEndsLookup() async throws {
        let silent = try UDPSocket()
        let r = try UnboundResolver(.init(servers: ["127.0.0.1:\(silent.port)"], timeout: .seconds(30)))
        let task = Task { try await r.lookupA("slow.moattest") }
        try await Task.sleep(for: .milliseconds(50))
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        XCTAssertThrowsError(try result.get()) { XCTAssertTrue($0 is CancellationError) }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
        withExtendedLifetime(silent) {}
    }

    func testConcurrentLookupsAndLatency() async throws {
        let r = try resolver()
        let names = (0..<200).map { "n\($0).moattest" } + ["2.0.0.127.zen.moattest"]
        let started = ContinuousClock.now
        let results = try await withThrowingTaskGroup(of: (String, [String]).self) { group in
            for name in names { group.addTask { (name, try await r.lookupA(name)) } }
            var out: [String: [String]] = [:]
            for try await (name, answer) in group { out[name] = answer }
            return out
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(results.count, names.count)
        XCTAssertEqual(results["2.0.0.127.zen.moattest"], ["127.0.0.2"])
        XCTAssertEqual(results["n7.moattest"], [])
        print("latency: \(names.count) concurrent uncached A lookups in \(elapsed)")
    }

    func testServerAddressSyntax() {
        XCTAssertEqual(UnboundResolver.unboundAddress("127.0.0.1:5353"), "127.0.0.1@5353")
        XCTAssertEqual(UnboundResolver.unboundAddress("127.0.0.1"), "127.0.0.1")
        XCTAssertEqual(UnboundResolver.unboundAddress("[::1]:53"), "::1@53")
        XCTAssertEqual(UnboundResolver.unboundAddress("::1"), "::1")
        XCTAssertEqual(UnboundResolver.unboundAddress("10.0.0.1@5300"), "10.0.0.1@5300")
        XCTAssertNil(UnboundResolver.unboundAddress("dns.example:53"))
        XCTAssertNil(UnboundResolver.unboundAddress("127.0.0.1:0"))
        XCTAssertNil(UnboundResolver.unboundAddress("127.0.0.1:99999"))
        XCTAssertThrowsError(try UnboundResolver(.init(servers: ["nonsense"])))
    }

    func testRData() {
        XCTAssertEqual(RData.ipv4([127, 0, 0, 2]), "127.0.0.2")
        XCTAssertNil(RData.ipv4([127, 0, 0]))
        XCTAssertEqual(RData.txt([3] + Array("abc".utf8) + [0] + [2] + Array("de".utf8)), "abcde")
        XCTAssertEqual(RData.txt([5] + Array("ab".utf8)), "ab")  // truncated: keep what is there
        XCTAssertEqual(RData.txt([]), "")
    }

    func testConfigSection() throws {
        let config = try MoatConfig.parse("[dns]\nservers = [\"127.0.0.1:5353\", \"[::1]:53\"]\ntimeout = \"2s\"\n", file: "t.toml")
        XCTAssertEqual(config.dns.servers, ["127.0.0.1:5353", "[::1]:53"])
        XCTAssertEqual(config.dns.timeout, .seconds(2))
        XCTAssertEqual(MoatConfig().dns.servers, [])
        XCTAssertEqual(MoatConfig().dns.timeout, .seconds(5))
        XCTAssertThrowsError(try MoatConfig.parse("[dns]\nservers = [\"dns.example\"]\n", file: "t.toml")) { error in
            XCTAssertTrue("\(error)".contains("servers"), "\(error)")
        }
        XCTAssertThrowsError(try MoatConfig.parse("[dns]\ntimout = \"2s\"\n", file: "t.toml"))
        let resolverConfig = UnboundResolver.Configuration(config.dns)
        XCTAssertEqual(resolverConfig.servers, config.dns.servers)
        XCTAssertEqual(resolverConfig.timeout, .seconds(2))
    }

    func testCacheBounds() {
        var cache = DNSCache(capacity: 2, maxTTL: .seconds(10))
        let now = ContinuousClock.now
        let k = { DNSCache.Key(name: $0, type: .a) }
        cache.put(k("a"), records: ["1"], ttl: 300, now: now)
        cache.put(k("zero"), records: [], ttl: 0, now: now)  // TTL 0: not cached
        XCTAssertNil(cache.get(k("zero"), now: now))
        XCTAssertEqual(cache.get(k("a"), now: now + .seconds(9)), ["1"])
        XCTAssertNil(cache.get(k("a"), now: now + .seconds(11)))  // capped at maxTTL
        cache.put(k("b"), records: [], ttl: 60, now: now)
        cache.put(k("c"), records: ["3"], ttl: 60, now: now)
        cache.put(k("d"), records: ["4"], ttl: 60, now: now)
        XCTAssertLessThanOrEqual(cache.count, 2)
        XCTAssertEqual(cache.get(k("d"), now: now), ["4"])
    }
}
