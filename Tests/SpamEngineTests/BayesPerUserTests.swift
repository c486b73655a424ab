import Foundation
import MIME
import MoatCore
import XCTest
@testable import SpamEngine

/// `[bayes] per_user`: which database classifies a message (and learns from it), over real
/// SQLite files; the file names users get; the bounded cache of open databases.
final class BayesPerUserTests: XCTestCase {
    static let rules = """
        body   BAYES_00   eval:check_bayes('0.00', '0.01')
        tflags BAYES_00   nice learn
        score  BAYES_00   0 0 -1.9 -1.9
        body   BAYES_99   eval:check_bayes('0.99', '1.00')
        tflags BAYES_99   learn
        score  BAYES_99   0 0 3.5 3.5
        header BIG_HEAD   Subject =~ /Special Offer/
        score  BIG_HEAD   3.5
        body   BIG_BODY   /buy viagra today/
        score  BIG_BODY   3.5
        """

    private var rulesDir: EngineRulesDirectory!
    private var directory: String!

    override func setUpWithError() throws {
        rulesDir = try EngineRulesDirectory(Self.rules)
        directory = NSTemporaryDirectory() + "moat-bayes-users-\(UUID().uuidString)"
    }

    override func tearDown() {
        rulesDir?.remove()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func settings(perUser: Bool = true, autolearn: Bool = false) -> BayesSettings {
        var s = BayesSettings()
        s.database = directory + "/bayes.sqlite"
        s.minSpam = 5
        s.minHam = 5
        s.perUser = perUser
        s.autolearn = autolearn
        s.autolearnThresholdSpam = 6.0
        return s
    }

    private func engine(_ bayes: BayesSettings) -> RuleEngine {
        RuleEngine(directories: [rulesDir.path], settings: RuleEngineSettings(useNetwork: false, bayes: bayes))
    }

    /// Teaches `filter` that pill words are spam and meeting words ham (or, `inverted`, the opposite).
    private func train(_ filter: BayesFilter, inverted: Bool = false, count: Int = 6) throws {
        // Bodies repeat every 5 seeds: the serial keeps each message distinct (learned once each).
        for i in 0..<count {
            let pills = EngineMessages.message(subject: "Deal \(i)", body: EngineTests.text(EngineTests.spamWords, seed: i) + "serial\(i)\n")
            let meeting = EngineMessages.message(subject: "Meeting \(i)", body: EngineTests.text(EngineTests.hamWords, seed: i) + "serial\(i)\n")
            try filter.learn(pills.bytes, isSpam: !inverted)
            try filter.learn(meeting.bytes, isSpam: inverted)
        }
    }

    private var pills: MIMEMessage {
        EngineMessages.message(subject: "Hello", body: EngineTests.text(EngineTests.spamWords, seed: 99))
    }

    // MARK: the selection, as a value

    func testSelectionFallsBackToTheSiteUnlessOneTrainedUser() {
        let selection = BayesDatabaseSelection(perUser: true, minSpam: 5, minHam: 5)
        let trained: (String) throws -> (nspam: Int, nham: Int)? = { $0 == "alice@example.com" ? (5, 7) : nil }
        XCTAssertEqual(selection.choose(users: ["alice@example.com"], counts: trained), .user("alice@example.com"))
        // One user however often and however spelled.
        XCTAssertEqual(selection.choose(users: ["alice@example.com", "ALICE@Example.COM"], counts: trained),
                       .user("alice@example.com"))
        XCTAssertEqual(selection.choose(users: [], counts: trained), .site(.noRecipient))
        XCTAssertEqual(selection.choose(users: ["alice@example.com", "bob@example.com"], counts: trained),
                       .site(.severalRecipients(2)))
        XCTAssertEqual(selection.choose(users: ["bob@example.com"], counts: trained), .site(.userUntrained("bob@example.com")))
        // One short of min_ham: not yet.
        XCTAssertEqual(selection.choose(users: ["carol@example.com"]) { _ in (9, 4) }, .site(.userUntrained("carol@example.com")))
        struct Broken: Error, CustomStringConvertible { var description: String { "disk I/O error" } }
        XCTAssertEqual(selection.choose(users: ["dave@example.com"]) { _ in throw Broken() },
                       .site(.userUnavailable("dave@example.com", reason: "disk I/O error")))
        let off = BayesDatabaseSelection(perUser: false, minSpam: 5, minHam: 5)
        XCTAssertEqual(off.choose(users: ["alice@example.com"], counts: trained), .site(.perUserOff))
    }

    // MARK: the engine over real databases

    func testOneTrainedUserIsClassifiedWithHerDatabaseOthersWithTheSites() async throws {
        let engine = engine(settings())
        let users = try XCTUnwrap(engine.userBayes)
        // The site learned the opposite of alice: whichever answers shows in the band.
        try train(try XCTUnwrap(engine.bayes), inverted: true)
        try train(try users.filter(for: "alice@example.com"))

        let alice = await engine.scan(pills, users: ["alice@example.com"])
        XCTAssertEqual(alice.scoreSet, ScoreSet(bayes: true, network: false))
        XCTAssertEqual(alice.verdict.hits.map(\.name), ["BAYES_99", BayesDatabaseChoice.userRule])
        XCTAssertEqual(alice.verdict.hits.last?.score, 0)

        // bob has no database (none is created by classifying): the site's answers.
        let bob = await engine.scan(pills, users: ["bob@example.com"])
        XCTAssertEqual(bob.verdict.hits.map(\.name), ["BAYES_00"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: try users.path(for: "bob@example.com")))

        // One verdict for alice and bob together: the site's.
        let both = await engine.scan(pills, users: ["alice@example.com", "bob@example.com"])
        XCTAssertEqual(both.verdict.hits.map(\.name), ["BAYES_00"])
        let nobody = await engine.scan(pills)
        XCTAssertEqual(nobody.verdict.hits.map(\.name), ["BAYES_00"])
    }

    func testAUserBelowMinimumsFallsBackToTheSite() async throws {
        let engine = engine(settings())
        try train(try XCTUnwrap(engine.bayes), inverted: true)
        try train(try XCTUnwrap(engine.userBayes).filter(for: "alice@example.com"), count: 4)  // 4 < min 5
        let alice = await engine.scan(pills, users: ["alice@example.com"])
        XCTAssertEqual(alice.verdict.hits.map(\.name), ["BAYES_00"])
    }

    func testPerUserOffIgnoresUserDatabases() async throws {
        let on = engine(settings())
        try train(try XCTUnwrap(on.userBayes).filter(for: "alice@example.com"))
        let off = engine(settings(perUser: false))
        XCTAssertNil(off.userBayes)
        let alice = await off.scan(pills, users: ["alice@example.com"])
        XCTAssertEqual(alice.scoreSet, ScoreSet(bayes: false, network: false), "the site's database is empty")
        XCTAssertTrue(alice.verdict.hits.isEmpty)
    }

    func testAutolearnGoesToTheDatabaseThatClassified() async throws {
        let engine = engine(settings(autolearn: true))
        let site = try XCTUnwrap(engine.bayes)
        let alice = try XCTUnwrap(engine.userBayes).filter(for: "alice@example.com")
        try train(alice)
        XCTAssertEqual(try alice.store.messageCounts().nspam, 6)
        // 3.5 header + 3.5 body points ≥ 6: autolearned as spam.
        let offer = EngineMessages.message(subject: "Special Offer", body: "buy viagra today " + EngineTests.text(EngineTests.spamWords, seed: 7))
        let forAlice = await engine.scan(offer, users: ["alice@example.com"])
        XCTAssertEqual(forAlice.verdict.autolearn, "spam")
        XCTAssertTrue(forAlice.verdict.hits.map(\.name).contains(BayesDatabaseChoice.userRule))
        await engine.waitForAutolearn()
        XCTAssertEqual(try alice.store.messageCounts().nspam, 7)
        XCTAssertEqual(try site.store.messageCounts().nspam, 0)

        // bob is untrained: the site classified, the site learns.
        let other = EngineMessages.message(subject: "Special Offer", body: "buy viagra today\n")
        let forBob = await engine.scan(other, users: ["bob@example.com"])
        XCTAssertEqual(forBob.verdict.autolearn, "spam")
        await engine.waitForAutolearn()
        XCTAssertEqual(try site.store.messageCounts().nspam, 1)
        XCTAssertEqual(try alice.store.messageCounts().nspam, 7)
    }

    // MARK: files and handles

    func testUserDatabasesAreOwnerOnlyFilesNamedSafely() throws {
        let users = BayesUserDatabases(settings: settings())
        XCTAssertNil(try users.existingFilter(for: "alice@example.com"))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/bayes-users"), "nothing created by looking")
        try users.filter(for: "Alice@Example.com").learn(EngineMessages.message().bytes, isSpam: true)
        let path = directory + "/bayes-users/alice@example.com.sqlite"
        XCTAssertEqual(try users.path(for: "alice@example.com"), path)
        XCTAssertEqual(try mode(path), 0o600)
        XCTAssertEqual(try mode(directory + "/bayes-users"), 0o700)
        XCTAssertNotNil(try users.existingFilter(for: "alice@example.com"))

        // Hostile names never leave the directory: they are hashed.
        for hostile in ["../../etc/passwd", "../x@example.com", "a/b@example.com", ".hidden@example.com",
                        "alice@..", "x@y/../../z", "alice\u{0}@example.com", "ålice@example.com",
                        String(repeating: "a", count: 300) + "@example.com"] {
            let name = try XCTUnwrap(BayesUserFileName.of(hostile), hostile)
            XCTAssertTrue(name.hasPrefix("sha1-") && name.hasSuffix(".sqlite") && !name.contains("/"), "\(hostile) -> \(name)")
            XCTAssertEqual((try users.path(for: hostile) as NSString).deletingLastPathComponent, directory + "/bayes-users")
        }
        XCTAssertNotEqual(BayesUserFileName.of("../a@b"), BayesUserFileName.of("../a@c"), "two hashed users, two files")
        // A readable name keeps its '@', a hashed one has none: the two forms never name one file.
        XCTAssertEqual(BayesUserFileName.of("alice@example.com"), "alice@example.com.sqlite")
        XCTAssertFalse(try XCTUnwrap(BayesUserFileName.of("../a@b")).contains("@"))
        XCTAssertEqual(BayesUserFileName.of("../a@b"), BayesUserFileName.of("../A@B"), "case does not make another user")
        XCTAssertThrowsError(try users.path(for: "")) { XCTAssertEqual($0 as? BayesUserDatabaseError, .noUser) }
    }

    func testAtMostCapacityDatabasesStayOpen() throws {
        let users = BayesUserDatabases(settings: settings(), capacity: 2)
        for name in ["a@example.com", "b@example.com", "c@example.com"] {
            try users.filter(for: name).learn(EngineMessages.message().bytes, isSpam: false)
        }
        XCTAssertEqual(users.openCount, 2)
        // An evicted database opens again with what it learned.
        XCTAssertEqual(try XCTUnwrap(users.existingFilter(for: "a@example.com")).store.messageCounts().nham, 1)
        XCTAssertEqual(users.openCount, 2)
    }

    func testLRUCacheDropsTheLeastRecentlyUsed() {
        var cache = LRUCache<String, Int>(capacity: 2)
        cache.insert(1, for: "a")
        cache.insert(2, for: "b")
        XCTAssertEqual(cache.value(for: "a"), 1)  // a is now newer than b
        let evicted = cache.insert(3, for: "c")
        XCTAssertEqual(evicted?.key, "b")
        XCTAssertTrue(cache.contains("a") && cache.contains("c") && !cache.contains("b"))
        XCTAssertNil(cache.insert(4, for: "c"), "replacing evicts nothing")
        XCTAssertEqual(cache.value(for: "c"), 4)
    }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }
}
