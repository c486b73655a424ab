import MoatCore
import Policy
import XCTest

final class RestrictionParserTests: XCTestCase {
    private let parser = RestrictionParser(loadTable: { path throws(AccessTableError) in
        try AccessTable(text: "spam.example REJECT\n", path: path)
    })

    func testParsesPostfixNamesAndArguments() throws {
        let list = try parser.parse(
            ["permit_mynetworks", "reject_unauth_destination", "reject_rbl_client zen.example=127.0.0.[2..11]",
             "check_client_access /etc/moat/client_access", "PERMIT"],
            stage: .recipient)
        XCTAssertEqual(list.count, 5)
        XCTAssertEqual(list[0], .permitMynetworks)
        XCTAssertEqual(list[1], .rejectUnauthDestination)
        guard case .rejectRBLClient(let query) = list[2], case .checkClientAccess(let table) = list[3] else {
            return XCTFail("\(list)")
        }
        XCTAssertEqual(query.zone, "zen.example")
        XCTAssertEqual(query.description, "zen.example=127.0.0.[2..11]")
        XCTAssertEqual(table.path, "/etc/moat/client_access")
        XCTAssertEqual(list[4], .permit)
    }

    func testMainCfStyleSplitting() throws {
        // Postfix splits on whitespace and commas: the argument may be the next entry.
        let a = try parser.parse(["reject_rhsbl_sender", "dbl.example,", "permit"], stage: .sender)
        let b = try parser.parse(["reject_rhsbl_sender dbl.example, permit"], stage: .sender)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.count, 2)
    }

    func testOldNamesAreAccepted() throws {
        XCTAssertEqual(try parser.parse(["reject_unknown_client", "reject_invalid_hostname"], stage: .client),
                       [.rejectUnknownClientHostname, .rejectInvalidHeloHostname])
    }

    func testUnknownNameReportsNameAndPosition() {
        XCTAssertThrowsError(try parser.parse(["permit_mynetworks", "reject_unauth_destinaton"], stage: .recipient)) { error in
            let e = error as? RestrictionParseError
            XCTAssertEqual(e?.name, "reject_unauth_destinaton")
            XCTAssertEqual(e?.position, 1)
            XCTAssertEqual(e?.reason, .unknownRestriction)
            XCTAssertEqual(e?.stage, .recipient)
            XCTAssertEqual("\(error)", "recipient restrictions, entry 2 'reject_unauth_destinaton': unknown restriction")
        }
    }

    func testMissingAndBadArguments() {
        XCTAssertThrowsError(try parser.parse(["reject_rbl_client"], stage: .client)) {
            XCTAssertEqual(($0 as? RestrictionParseError)?.reason, .missingArgument)
        }
        // The next word is a restriction name, not a zone.
        XCTAssertThrowsError(try parser.parse(["reject_rbl_client", "permit"], stage: .client)) {
            XCTAssertEqual(($0 as? RestrictionParseError)?.reason, .missingArgument)
        }
        for bad in ["zen.example=127.0.0", "zen.example=127.0.0.[2..]", "zen.example=127.0.0.[11..2]", "zen.example=300.0.0.1", "nodot"] {
            XCTAssertThrowsError(try parser.parse(["reject_rbl_client \(bad)"], stage: .client), bad) {
                guard case .badArgument = ($0 as? RestrictionParseError)?.reason else { return XCTFail("\($0)") }
            }
        }
    }

    func testUnreadableTableIsAParseError() {
        let real = RestrictionParser()
        XCTAssertThrowsError(try real.parse(["check_sender_access /nonexistent/moat/table"], stage: .sender)) { error in
            guard case .badTable(let tableError) = (error as? RestrictionParseError)?.reason else { return XCTFail("\(error)") }
            XCTAssertEqual(tableError.path, "/nonexistent/moat/table")
            XCTAssertEqual((error as? RestrictionParseError)?.position, 0)
        }
    }

    /// The loader resolves a table path only where the parser will read one: a restriction
    /// name after `check_client_access` is a missing argument, not a relative table path.
    func testARestrictionNameWhereTheTableShouldBeIsAMissingArgument() throws {
        let config = try MoatConfig.parse("[mx.restrictions]\nclient = [\"check_client_access permit_mynetworks\"]\n",
                                          file: "/etc/moat/moat.toml", baseDirectory: "/etc/moat")
        XCTAssertEqual(config.mx.restrictions.client, ["check_client_access permit_mynetworks"])
        XCTAssertThrowsError(try parser.parse(config.mx.restrictions.client, stage: .client)) { error in
            let e = error as? RestrictionParseError
            XCTAssertEqual(e?.reason, .missingArgument)
            XCTAssertEqual(e?.name, "check_client_access")
            XCTAssertEqual(e?.position, 0)
        }
    }

    /// The names the loader takes for restrictions are exactly those the parser accepts.
    func testTheLoadersRestrictionNamesAreTheParsers() throws {
        for name in RestrictionName.allCases {
            XCTAssertTrue(RestrictionListText.isRestrictionName(name.rawValue), name.rawValue)
        }
        for name in RestrictionListText.restrictionNames {
            do {
                _ = try parser.parse([name, "zen.example"], stage: .client)
            } catch {
                // The zone after a name that takes no argument is the unknown one, not the name.
                XCTAssertFalse(error.reason == .unknownRestriction && error.name == name, name)
            }
        }
    }

    func testDNSListFilter() throws {
        let q = try DNSListQuery("zen.example=127.0.[0..1].[2;4;9..11]")
        XCTAssertTrue(q.matches("127.0.0.2"))
        XCTAssertTrue(q.matches("127.0.1.10"))
        XCTAssertFalse(q.matches("127.0.0.3"))
        XCTAssertFalse(q.matches("127.0.2.2"))
        XCTAssertFalse(q.matches("127.0.0.12"))
        XCTAssertTrue(try DNSListQuery("zen.example.").matches("127.0.0.255"))
        XCTAssertEqual(try DNSListQuery("ZEN.Example.").zone, "zen.example")
    }
}
