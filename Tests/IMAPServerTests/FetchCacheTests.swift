import IMAP
import IMAPServer
import Mailstore
import XCTest

/// The index keeps ENVELOPE and BODYSTRUCTURE as bytes; they must come back equal, and a
/// damaged entry must be an error, never a crash or a wrong answer passed off as right.
final class FetchCacheTests: XCTestCase {
    private static let samples: [[UInt8]] = FetchSamples.brokenMIME.map(\.bytes) + FetchSamples.imaptestMessages()
        + FetchSamples.corpusSample(every: 100)

    func testRoundTripOfEverySample() throws {
        XCTAssertGreaterThan(Self.samples.count, 20)
        for bytes in Self.samples {
            let sections = MessageSections(FetchSamples.withCRLF(bytes))
            let entry = FetchCache.entry(for: sections)
            let envelope = try FetchCache.decodeEnvelope(try XCTUnwrap(entry.envelope))
            let structure = try FetchCache.decodeBodyStructure(try XCTUnwrap(entry.bodyStructure))
            XCTAssertEqual(envelope, sections.envelope)
            XCTAssertEqual(structure, sections.bodyStructure(extensible: true))
            // BODY comes from the cached BODYSTRUCTURE.
            XCTAssertEqual(structure.withoutExtensionData, sections.bodyStructure(extensible: false))
        }
    }

    /// Every field filled, odd bytes included (NUL, 8-bit, empty strings vs absent).
    func testRoundTripOfEveryField() throws {
        let address = EnvelopeAddress(name: [0, 0xFF], route: [], mailbox: Array("m".utf8), host: nil)
        let envelope = Envelope(date: [], subject: Array("s".utf8), from: [address, .groupStart(Array("g".utf8)), .groupEnd],
                                sender: [address], replyTo: [], to: [address], cc: [], bcc: [address],
                                inReplyTo: nil, messageID: Array("<id>".utf8))
        let leaf = BodyStructure.singlePart(SinglePartBody(
            type: "application", subtype: "x", fields: BodyFields(parameters: [BodyParameter("a", "")], id: [], description: nil,
                                                                  encoding: "base64", octets: UInt64.max),
            kind: .basic, extensionData: SinglePartExtension(md5: Array("m".utf8), disposition: BodyDisposition(type: Array("d".utf8)),
                                                             language: [], location: Array("l".utf8))))
        let message = BodyStructure.singlePart(SinglePartBody(
            type: "message", subtype: "rfc822", fields: BodyFields(octets: 9), kind: .message(envelope, leaf, lines: 3)))
        let structure = BodyStructure.multipart(MultipartBody(
            parts: [leaf, message, .singlePart(SinglePartBody(type: "text", subtype: "plain", fields: BodyFields(octets: 0), kind: .text(lines: 0)))],
            subtype: "mixed", extensionData: MultipartExtension(parameters: [], disposition: nil, language: [Array("en".utf8)], location: nil)))
        XCTAssertEqual(try FetchCache.decodeEnvelope(FetchCache.encode(envelope)), envelope)
        XCTAssertEqual(try FetchCache.decodeBodyStructure(FetchCache.encode(structure)), structure)
    }

    /// Every truncation and a sweep of single-byte changes of a real entry: an error or a
    /// value, never a trap (and a truncated entry is always an error).
    func testDamagedEntriesAreErrors() throws {
        let sample = try XCTUnwrap(FetchSamples.brokenMIME.first { $0.name == "encoded message/rfc822" })
        let sections = MessageSections(FetchSamples.withCRLF(sample.bytes))
        let encoded = FetchCache.encode(sections.bodyStructure(extensible: true))
        for length in 0..<encoded.count {
            XCTAssertThrowsError(try FetchCache.decodeBodyStructure(Array(encoded[..<length])), "cut at \(length)")
        }
        XCTAssertThrowsError(try FetchCache.decodeBodyStructure(encoded + [0]))
        for index in encoded.indices {
            for value: UInt8 in [0, 1, 0x7F, 0x80, 0xFF] {
                var damaged = encoded
                damaged[index] = value
                _ = try? FetchCache.decodeBodyStructure(damaged)
            }
        }
        var otherVersion = FetchCache.encode(sections.envelope)
        otherVersion[0] = 1
        XCTAssertThrowsError(try FetchCache.decodeEnvelope(otherVersion)) { error in
            XCTAssertEqual(error as? FetchCacheError, .unsupportedVersion(1), "entries of the first format are recomputed")
        }
        // A count claiming more items than bytes left must not allocate for them.
        let version = FetchCache.encode(Envelope())[0]
        XCTAssertThrowsError(try FetchCache.decodeEnvelope([version, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])) { error in
            guard case .malformed? = error as? FetchCacheError else { return XCTFail("\(error)") }
        }
    }

    /// A damaged entry nesting deeper than any parse can must stop, not exhaust the stack.
    func testDeepNestingInACacheEntryIsRefused() {
        var structure = BodyStructure.singlePart(SinglePartBody(type: "text", subtype: "plain", fields: BodyFields(octets: 0), kind: .text(lines: 0)))
        for _ in 0..<300 { structure = .multipart(MultipartBody(parts: [structure], subtype: "mixed")) }
        XCTAssertThrowsError(try FetchCache.decodeBodyStructure(FetchCache.encode(structure)))
    }
}
