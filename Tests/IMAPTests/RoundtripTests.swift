import MoatCore
import XCTest
@testable import IMAP

/// What the encoder writes, the parser reads back unchanged: strings in each form, date-times,
/// number sets, section specifiers and flags (swift-nio-imap's RoundtripTests, on the pieces
/// both directions share).
final class RoundtripTests: XCTestCase {
    /// What `write` puts out; as text for the tests that need only ASCII.
    private func written(_ write: (inout ResponseWriter) -> Void, options: ResponseEncoder.Options = .init()) -> String {
        String(decoding: writtenBytes(write, options: options), as: UTF8.self)
    }

    private func writtenBytes(_ write: (inout ResponseWriter) -> Void, options: ResponseEncoder.Options = .init()) -> [UInt8] {
        var writer = ResponseWriter(options: options)
        write(&writer)
        return writer.bytes
    }

    private func parsed(_ command: String, line: UInt = #line) -> Command? { parsed(bytes(command), line: line) }

    private func parsed(_ command: [UInt8], line: UInt = #line) -> Command? {
        let events = ParserDriver.commandEvents(command + bytes("\r\n"), chunking: .byteAtATime)
        guard events.count == 1, case .command(let tagged) = events[0] else {
            XCTFail("\(command): \(events)", line: line)
            return nil
        }
        return tagged.command
    }

    func testStrings() {
        let values: [(String, UInt)] = [
            ("", #line), ("plain", #line), (#"quote " and \ backslash"#, #line), ("line\r\nbreak", #line), ("NIL", #line),
            ("{5}", #line), ("caf\u{E9} \u{1F600}", #line), (String(repeating: "long ", count: 300), #line), ("tab\there", #line),
        ]
        for (value, line) in values {
            for options in [ResponseEncoder.Options(), ResponseEncoder.Options(utf8Accepted: true)] {
                let string = writtenBytes({ $0.writeString(bytes(value)) }, options: options)
                let astring = writtenBytes({ $0.writeAString(bytes(value)) }, options: options)
                XCTAssertEqual(
                    parsed(bytes("a LOGIN ") + astring + bytes(" ") + string, line: line),
                    .login(username: bytes(value), password: bytes(value)), line: line)
            }
        }
    }

    func testRandomStrings() {
        var rng = SplitMix64(seed: 7)
        for _ in 0..<300 {
            let value = (0..<Int(rng.next() % 40)).map { _ in UInt8(1 + rng.next() % 255) }
            let string = writtenBytes { $0.writeString(value) }
            XCTAssertEqual(parsed(bytes("a LOGIN x ") + string), .login(username: bytes("x"), password: value), "\(value)")
        }
    }

    func testDateTimes() {
        let values = [
            IMAPDateTime(date: IMAPDate(day: 1, month: 1, year: 2024), hour: 0, minute: 0, second: 0, zoneMinutes: 0),
            IMAPDateTime(date: IMAPDate(day: 31, month: 12, year: 1999), hour: 23, minute: 59, second: 60, zoneMinutes: -570),
            IMAPDateTime(date: IMAPDate(day: 7, month: 7, year: 2026), hour: 9, minute: 5, second: 1, zoneMinutes: 345),
        ]
        for value in values {
            let date = written { $0.write(value) }
            let events = ParserDriver.commandEvents(bytes("a APPEND box \(date) {1+}\r\nx\r\n"), chunking: .byteAtATime)
            XCTAssertEqual(events.dropFirst().first, .appendMessageStarted(AppendMessageStart(internalDate: value, size: 1)), date)
        }
    }

    func testNumberSets() {
        let sets = [NumberSet([1]), NumberSet([1, 2, 3, 7, 9, 10]), NumberSet([4_294_967_295]), NumberSet(ranges: [5...9, 1...2])]
        for set in sets {
            let text = written { $0.write(set) }
            let expected = SequenceSet.ranges(set.ranges.map { SequenceRange(.number($0.lowerBound), .number($0.upperBound)) })
            XCTAssertEqual(parsed("a UID EXPUNGE \(text)"), .uidExpunge(expected), text)
        }
    }

    func testSectionSpecifiers() {
        let sections = [
            SectionSpecifier(), SectionSpecifier(kind: .header), SectionSpecifier(kind: .text), SectionSpecifier(part: [1]),
            SectionSpecifier(part: [1, 2, 3], kind: .mime), SectionSpecifier(part: [4], kind: .header),
            SectionSpecifier(kind: .headerFields([bytes("From"), bytes("X Y"), bytes("nil")])),
            SectionSpecifier(part: [2], kind: .headerFieldsNot([bytes("Received")])),
        ]
        for section in sections {
            let text = written { $0.write(section) }
            XCTAssertEqual(
                parsed("a FETCH 1 BODY.PEEK[\(text)]"),
                .fetch(FetchCommand(set: .ranges([.init(.number(1))]), attributes: [.bodySection(section, partial: nil, peek: true)])), text)
        }
    }

    func testFlags() {
        let flags: [Flag] = [.answered, .flagged, .deleted, .seen, .draft, .keyword("$Junk"), .keyword("NonJunk"), .extension("Custom")]
        let text = written { $0.writeList(flags) { writer, flag in writer.write(flag.wire) } }
        XCTAssertEqual(parsed("a STORE 1 FLAGS \(text)"), .store(StoreCommand(set: .ranges([.init(.number(1))]), operation: .replace, flags: flags)))
    }
}
