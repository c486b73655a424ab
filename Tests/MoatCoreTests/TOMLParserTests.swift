import XCTest
@testable import MoatCore

final class TOMLParserTests: XCTestCase {
    private func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TOMLTable {
        do {
            return try TOMLParser.parse(text)
        } catch {
            XCTFail("unexpected error: \(error)", file: file, line: line)
            return TOMLTable()
        }
    }

    private func value(_ table: TOMLTable, _ path: String...) -> TOMLValue? {
        var current = table
        for (i, key) in path.enumerated() {
            guard let entry = current[key] else { return nil }
            if i == path.count - 1 { return entry.value }
            guard case .table(let t) = entry.value else { return nil }
            current = t
        }
        return nil
    }

    private func error(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> TOMLError? {
        do {
            _ = try TOMLParser.parse(text)
            XCTFail("expected a parse error", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }

    // MARK: structure

    func testEmptyDocument() {
        let t = parse("")
        XCTAssertTrue(t.keys.isEmpty)
        XCTAssertTrue(parse("\n# only a comment\n\n").keys.isEmpty)
    }

    func testTablesAndKeyOrderAndLines() {
        let t = parse("""
            top = 1
            [filter]
            listen = "x"   # comment
            b = 2

            [spam]
            a = 3
            """)
        XCTAssertEqual(t.keys, ["top", "filter", "spam"])
        XCTAssertEqual(value(t, "top"), .integer(1))
        XCTAssertEqual(value(t, "filter", "listen"), .string("x"))
        XCTAssertEqual(value(t, "spam", "a"), .integer(3))
        XCTAssertEqual(t["filter"]?.line, 2)
        XCTAssertEqual(t["spam"]?.line, 6)
        guard case .table(let filter)? = t["filter"]?.value else { return XCTFail("not a table") }
        XCTAssertEqual(filter.line, 2)
        XCTAssertEqual(filter.keys, ["listen", "b"])
        XCTAssertEqual(filter["listen"]?.line, 3)
        XCTAssertEqual(filter["b"]?.line, 4)
    }

    func testNestedTableHeadersAndDottedKeys() {
        let t = parse("""
            [a.b]
            c = 1
            [a]
            d.e.f = "deep"
            "quoted key" = true
            'lit.key' = false
            x . y = 2
            """)
        XCTAssertEqual(value(t, "a", "b", "c"), .integer(1))
        XCTAssertEqual(value(t, "a", "d", "e", "f"), .string("deep"))
        XCTAssertEqual(value(t, "a", "quoted key"), .boolean(true))
        XCTAssertEqual(value(t, "a", "lit.key"), .boolean(false))
        XCTAssertEqual(value(t, "a", "x", "y"), .integer(2))
    }

    func testCRLFLineEndings() {
        let t = parse("[s]\r\na = 1\r\nb = 'x'\r\n")
        XCTAssertEqual(value(t, "s", "a"), .integer(1))
        XCTAssertEqual(value(t, "s", "b"), .string("x"))
    }

    // MARK: strings

    func testBasicStringEscapes() {
        let t = parse(#"""
            s = "tab\there \"q\" back\\slash\nnl \u00E9 \U0001F600 \b\f\r"
            """#)
        XCTAssertEqual(value(t, "s"), .string("tab\there \"q\" back\\slash\nnl é 😀 \u{08}\u{0C}\r"))
    }

    func testLiteralStringKeepsBackslashes() {
        let t = parse(#"re = '(?i)\.(exe|scr)$'"#)
        XCTAssertEqual(value(t, "re"), .string(#"(?i)\.(exe|scr)$"#))
    }

    func testEmptyStrings() {
        let t = parse("a = \"\"\nb = ''")
        XCTAssertEqual(value(t, "a"), .string(""))
        XCTAssertEqual(value(t, "b"), .string(""))
    }

    func testMultilineBasicString() {
        let t = parse("s = \"\"\"\nline one\nline \\\"two\\\"\"\"\"\nafter = 1\n")
        XCTAssertEqual(value(t, "s"), .string("line one\nline \"two\""))
        XCTAssertEqual(t["after"]?.line, 4)
    }

    func testMultilineBasicLineEndingBackslash() {
        let t = parse("s = \"\"\"\nThe quick \\\n\n   brown fox\"\"\"\nn = 2\n")
        XCTAssertEqual(value(t, "s"), .string("The quick brown fox"))
        XCTAssertEqual(t["n"]?.line, 5)
    }

    func testMultilineLiteralString() {
        let t = parse("s = '''\nraw \\n text\nsecond'''\nn = 1\n")
        XCTAssertEqual(value(t, "s"), .string("raw \\n text\nsecond"))
        XCTAssertEqual(t["n"]?.line, 4)
    }

    // MARK: numbers and booleans

    func testIntegers() {
        let t = parse("""
            a = 42
            b = -17
            c = +5
            d = 1_000_000
            e = 0xDEAD_beef
            f = 0o755
            g = 0b1010
            h = 0
            """)
        XCTAssertEqual(value(t, "a"), .integer(42))
        XCTAssertEqual(value(t, "b"), .integer(-17))
        XCTAssertEqual(value(t, "c"), .integer(5))
        XCTAssertEqual(value(t, "d"), .integer(1_000_000))
        XCTAssertEqual(value(t, "e"), .integer(0xDEADBEEF))
        XCTAssertEqual(value(t, "f"), .integer(0o755))
        XCTAssertEqual(value(t, "g"), .integer(10))
        XCTAssertEqual(value(t, "h"), .integer(0))
    }

    func testFloats() {
        let t = parse("""
            a = 6.31
            b = -9999.0
            c = 1e3
            d = 6.626E-34
            e = 1_000.5
            f = inf
            g = -inf
            h = nan
            """)
        XCTAssertEqual(value(t, "a"), .float(6.31))
        XCTAssertEqual(value(t, "b"), .float(-9999))
        XCTAssertEqual(value(t, "c"), .float(1000))
        XCTAssertEqual(value(t, "d"), .float(6.626e-34))
        XCTAssertEqual(value(t, "e"), .float(1000.5))
        XCTAssertEqual(value(t, "f"), .float(.infinity))
        XCTAssertEqual(value(t, "g"), .float(-.infinity))
        guard case .float(let nan)? = value(t, "h") else { return XCTFail("nan is not a float") }
        XCTAssertTrue(nan.isNaN)
    }

    func testBooleans() {
        let t = parse("yes = true\nno = false # comment")
        XCTAssertEqual(value(t, "yes"), .boolean(true))
        XCTAssertEqual(value(t, "no"), .boolean(false))
    }

    // MARK: arrays and inline tables

    func testArrays() {
        let t = parse("""
            empty = []
            ints = [1, 2, 3]
            mixed = [ "a", 'b', 1.5, true, [1, [2]] ]
            """)
        XCTAssertEqual(value(t, "empty"), .array([]))
        XCTAssertEqual(value(t, "ints"), .array([.integer(1), .integer(2), .integer(3)]))
        XCTAssertEqual(value(t, "mixed"), .array([.string("a"), .string("b"), .float(1.5), .boolean(true),
                                                  .array([.integer(1), .array([.integer(2)])])]))
    }

    func testMultilineArrayWithTrailingCommaAndComments() {
        let t = parse("""
            list = [  # opening comment
              "/var/lib/clamav",   # first
              # a whole comment line
              "Rules/clamav",
            ]
            next = 1
            """)
        XCTAssertEqual(value(t, "list"), .array([.string("/var/lib/clamav"), .string("Rules/clamav")]))
        XCTAssertEqual(t["list"]?.line, 1)
        XCTAssertEqual(t["next"]?.line, 6)
    }

    func testInlineTables() {
        let t = parse(#"point = { x = 1, y = "two", z.w = [3], inner = { a = true } }"# + "\nempty = {}\n")
        XCTAssertEqual(value(t, "point", "x"), .integer(1))
        XCTAssertEqual(value(t, "point", "y"), .string("two"))
        XCTAssertEqual(value(t, "point", "z", "w"), .array([.integer(3)]))
        XCTAssertEqual(value(t, "point", "inner", "a"), .boolean(true))
        guard case .table(let empty)? = value(t, "empty") else { return XCTFail("not a table") }
        XCTAssertTrue(empty.keys.isEmpty)
    }

    // MARK: errors with lines

    func testDuplicateKey() {
        let e = error("a = 1\n\n# c\na = 2\n")
        XCTAssertEqual(e?.line, 4)
        XCTAssertEqual(e?.message, "key 'a' is defined twice")
    }

    func testDuplicateKeyInTable() {
        let e = error("[s]\nk = 1\n[t]\n[s]\n")
        XCTAssertEqual(e?.line, 4)
        XCTAssertEqual(e?.message, "table [s] is defined twice")
    }

    func testDuplicateDottedKey() {
        XCTAssertEqual(error("[s]\na.b = 1\na.b = 2\n")?.line, 3)
        XCTAssertEqual(error("inline = { a = 1, a = 2 }")?.line, 1)
    }

    func testDuplicateTable() {
        let e = error("[filter]\nlisten = \"x\"\n\n[filter]\n")
        XCTAssertEqual(e?.line, 4)
        XCTAssertEqual(e?.message, "table [filter] is defined twice")
        XCTAssertEqual(error("[a.b]\n[a.b]")?.line, 2)
    }

    func testTableOverValue() {
        let e = error("a = 1\n[a]\n")
        XCTAssertEqual(e?.line, 2)
        XCTAssertEqual(e?.message, "key 'a' is already a value, not a table")
        XCTAssertEqual(error("a = 1\na.b = 2\n")?.line, 2)
    }

    func testUnterminatedStrings() {
        let basic = error("ok = 1\ns = \"abc\nt = 2\n")
        XCTAssertEqual(basic?.line, 2)
        XCTAssertEqual(basic?.message, "unterminated string")
        XCTAssertEqual(error("ok = 1\n\ns = 'abc\n")?.line, 3)
        XCTAssertEqual(error("s = 'abc")?.message, "unterminated string")
        XCTAssertEqual(error("s = \"abc")?.message, "unterminated string")
        let multi = error("a = 1\ns = \"\"\"\nx\ny\n")
        XCTAssertEqual(multi?.message, "unterminated multi-line string")
        XCTAssertEqual(error("s = '''\nx\n")?.message, "unterminated multi-line string")
    }

    func testGarbageAfterValue() {
        let e = error("a = 1\nb = 2 3\n")
        XCTAssertEqual(e?.line, 2)
        XCTAssertEqual(e?.message, "unexpected text after value")
        XCTAssertEqual(error("s = \"x\" y")?.message, "unexpected text after value")
        XCTAssertEqual(error("[t] x\n")?.message, "unexpected text after value")
        XCTAssertEqual(error("a = truex")?.line, 1)
    }

    func testDatesAreRejected() {
        let e = error("[x]\n\nd = 1979-05-27\n")
        XCTAssertEqual(e?.line, 3)
        XCTAssertEqual(e?.message, "dates and times are not supported ('1979-05-27')")
        XCTAssertEqual(error("t = 07:32:00")?.message, "dates and times are not supported ('07:32:00')")
        XCTAssertEqual(error("dt = 1979-05-27T07:32:00Z")?.message.hasPrefix("dates and times are not supported"), true)
    }

    func testOtherErrors() {
        XCTAssertEqual(error("a = bare")?.message, "invalid value 'bare' (strings need quotes)")
        XCTAssertEqual(error("a = 0xZZ")?.message, "invalid number '0xZZ'")
        XCTAssertEqual(error("a =")?.message, "expected a value")
        XCTAssertEqual(error("a 1")?.message, "expected '=', found '1'")
        XCTAssertEqual(error("[[t]]")?.message, "arrays of tables ([[...]]) are not supported")
        XCTAssertEqual(error("a = [1, 2")?.message, "expected ']', found end of file")
        XCTAssertEqual(error("a = { b = 1")?.message, "expected '}', found end of file")
        XCTAssertEqual(error(#"a = "\q""#)?.message, "invalid escape '\\q' (use single quotes for regexes)")
        XCTAssertEqual(error(#"a = "\uZZZZ""#)?.message, "invalid unicode escape")
        XCTAssertEqual(error("= 1")?.message, "expected a key")
    }

    func testErrorLineAfterMultilineArray() {
        let e = error("a = [\n1,\n2,\n]\nb = 1 2\n")
        XCTAssertEqual(e?.line, 5)
    }

    func testErrorDescription() {
        XCTAssertEqual(TOMLError(line: 7, message: "boom").description, "line 7: boom")
    }
}
