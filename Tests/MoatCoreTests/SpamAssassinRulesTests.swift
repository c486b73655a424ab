import Foundation
import XCTest
@testable import MoatCore

/// Finding SpamAssassin's rules as SpamAssassin does, in a tree of temporary directories.
final class SpamAssassinRulesTests: XCTestCase {
    private var root = ""

    override func setUp() {
        root = NSTemporaryDirectory() + "sa-rules-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: root)
    }

    private func rules(in directory: String) throws {
        try FileManager.default.createDirectory(atPath: "\(root)/\(directory)", withIntermediateDirectories: true)
        try "header T Subject =~ /x/\n".write(toFile: "\(root)/\(directory)/50_x.cf", atomically: true, encoding: .utf8)
    }

    private var places: SpamAssassinRules.Places {
        var places = SpamAssassinRules.Places()
        places.updates = "\(root)/var/lib/spamassassin"
        places.packaged = "\(root)/usr/share/spamassassin"
        places.site = "\(root)/etc/spamassassin"
        return places
    }

    func testPackagedRulesThenSiteRules() throws {
        try rules(in: "usr/share/spamassassin")
        try rules(in: "etc/spamassassin")
        XCTAssertEqual(SpamAssassinRules(places).directories, [places.packaged, places.site])
    }

    /// sa-update's newest version wins over the package, numerically (4.000010 > 4.000009),
    /// and a version directory without rules (an interrupted update) is passed over.
    func testNewestUpdateReplacesThePackagedRules() throws {
        try rules(in: "usr/share/spamassassin")
        try rules(in: "var/lib/spamassassin/4.000009")
        try rules(in: "var/lib/spamassassin/4.000010")
        try FileManager.default.createDirectory(atPath: "\(root)/var/lib/spamassassin/4.000011",
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(root)/var/lib/spamassassin/compiled",
                                                withIntermediateDirectories: true)
        XCTAssertEqual(SpamAssassinRules(places).directories, ["\(places.updates)/4.000010"])
    }

    /// Site rules alone are not a rule set: they tune rules that are not there.
    func testNothingWithoutDefaultRules() throws {
        try rules(in: "etc/spamassassin")
        XCTAssertEqual(SpamAssassinRules(places).directories, [])
    }
}
