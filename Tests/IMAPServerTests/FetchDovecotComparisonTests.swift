import Foundation
import IMAP
import IMAPServer
import XCTest

/// Moat's ENVELOPE, BODY, BODYSTRUCTURE, BODY[section] and BINARY against the real
/// Dovecot's for the same bytes: every message of imaptest's mboxes, a sample of the spam
/// corpora and hand-made broken MIME. Skips when Dovecot is not installed.
final class FetchDovecotComparisonTests: XCTestCase {
    func testFetchDataMatchesDovecot() throws {
        // One corpus message in 40 keeps this near 5 s; MOAT_FETCH_CORPUS_STRIDE=1 compares them all.
        let stride = ProcessInfo.processInfo.environment["MOAT_FETCH_CORPUS_STRIDE"].flatMap(Int.init) ?? 40
        let shared = FetchSamples.imaptestMessages() + FetchSamples.corpusSample(every: max(1, stride))
        if shared.isEmpty { print("note: \(FetchSamples.imaptestDirectory) and \(FetchSamples.corpusDirectory) are absent: hand-made samples only") }
        let messages = shared + FetchSamples.brokenMIME.map(\.bytes)
        let oracle = try FetchDovecotOracle(messages: messages)
        defer { oracle.remove() }

        var commands: [String] = []
        var expected: [Int: [String: FetchResponseTree]] = [:]
        var cachedForms: [Int: [String: FetchResponseTree]] = [:]
        var binaryCommands: [(command: Int, uid: Int, failed: Bool)] = []
        for (index, message) in messages.enumerated() {
            let uid = index + 1
            let sections = MessageSections(FetchSamples.withCRLF(message))
            var request = FetchRequest(sections: sections)
            request.addStandardItems()
            commands.append("UID FETCH \(uid) (\(request.items.joined(separator: " ")))")
            // One command for the data (it fails as a whole, in both servers, when a part
            // inside cannot be decoded), one for the sizes.
            var binaryAttributes: [MessageAttribute] = []
            var failed = false
            let paths = FetchSamples.partPaths(sections.bodyStructure(extensible: true)).prefix(6).map(\.0) + [[]]
            for path in paths {
                do {
                    binaryAttributes += [.binary(part: path, origin: nil, data: try sections.binary(part: path)),
                                         .binarySize(part: path, size: try sections.binarySize(part: path))]
                } catch {
                    failed = true
                }
            }
            let names = paths.map { $0.map(String.init).joined(separator: ".") }
            binaryCommands.append((commands.count, uid, failed))
            commands.append("UID FETCH \(uid) (\(names.map { "BINARY.PEEK[\($0)]" }.joined(separator: " ")))")
            commands.append("UID FETCH \(uid) (\(names.map { "BINARY.SIZE[\($0)]" }.joined(separator: " ")))")
            expected[uid] = FetchResponseTree.items(of: request.attributes + binaryAttributes)
            if let canned = sections.bodyStructure(extensible: true).dovecotCachedPlainText {
                cachedForms[uid] = FetchResponseTree.items(of: [.bodyStructure(canned), .body(canned.withoutExtensionData)])
            }
        }
        let (output, dropped) = try oracle.run(commands)
        if !dropped.isEmpty { print("note: Dovecot dropped the connection on commands \(dropped.sorted()); not compared") }
        let dovecot = FetchResponseTree.fetchItems(in: output)
        let refused = FetchDovecotOracle.refusedTags(in: output)

        var mismatches: [String] = []
        for uid in 1...messages.count {
            guard let theirs = dovecot[uid] else {
                mismatches.append("message \(uid): Dovecot sent no FETCH data")
                continue
            }
            for (name, value) in theirs where name != "UID" && name != "FLAGS" && !Self.isDovecotSizeSlip(name, value, in: theirs) {
                let ours = expected[uid]?[name]
                if ours != value && cachedForms[uid]?[name] != value {
                    mismatches.append("message \(uid) \(name):\n  dovecot \(value.description.prefix(400))\n  moat    \(ours?.description.prefix(400) ?? "-")")
                }
            }
        }
        for (command, uid, failed) in binaryCommands where !dropped.contains(command) {
            let dovecotFailed = refused.contains(command)
            if dovecotFailed != failed {
                mismatches.append("message \(uid) BINARY: dovecot failed \(dovecotFailed), moat failed \(failed)")
            }
        }
        XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) differences from Dovecot:\n" + mismatches.prefix(400).joined(separator: "\n"))
    }

    /// Dovecot 2.3 sometimes reports a BINARY.SIZE that is not the length of its own
    /// BINARY data (even a negative one, for base64 with blank lines); RFC 3516 defines
    /// it as that length, so those answers are not compared.
    private static func isDovecotSizeSlip(_ name: String, _ value: FetchResponseTree, in items: [String: FetchResponseTree]) -> Bool {
        guard name.hasPrefix("BINARY.SIZE["), case .atom(let size) = value,
              case .string(let data)? = items["BINARY[" + name.dropFirst("BINARY.SIZE[".count)] else { return false }
        return size != String(data.count)
    }
}

/// The FETCH items one message is asked for, as command text for Dovecot and as Moat's
/// answer for the same items.
struct FetchRequest {
    let sections: MessageSections
    var items: [String] = []
    var attributes: [MessageAttribute] = []

    init(sections: MessageSections) { self.sections = sections }

    mutating func addStandardItems() {
        items += ["ENVELOPE", "BODYSTRUCTURE", "BODY", "BODY.PEEK[HEADER]", "BODY.PEEK[TEXT]",
                  "BODY.PEEK[HEADER.FIELDS (From Subject X-Missing)]", "BODY.PEEK[HEADER.FIELDS.NOT (Received Date)]",
                  "BODY.PEEK[]<5.20>", "BODY.PEEK[9.9]", "BODY.PEEK[1.1]"]
        let structure = sections.bodyStructure(extensible: true)
        attributes += [.envelope(sections.envelope), .bodyStructure(structure), .body(sections.bodyStructure(extensible: false))]
        for specifier in [SectionSpecifier(kind: .header), SectionSpecifier(kind: .text),
                          SectionSpecifier(kind: .headerFields([Array("From".utf8), Array("Subject".utf8), Array("X-Missing".utf8)])),
                          SectionSpecifier(kind: .headerFieldsNot([Array("Received".utf8), Array("Date".utf8)])),
                          SectionSpecifier(part: [9, 9]), SectionSpecifier(part: [1, 1])] {
            attributes.append(.bodySection(specifier, origin: nil, data: sections.section(specifier)))
        }
        attributes.append(.bodySection(SectionSpecifier(), origin: 5, data: Partial(offset: 5, length: 20).slice(sections.section(SectionSpecifier()))))
        for (path, isMessage) in FetchSamples.partPaths(structure).prefix(8) {
            let name = path.map(String.init).joined(separator: ".")
            var kinds: [SectionSpecifier.Kind] = [.complete, .mime]
            if isMessage { kinds += [.header, .text] }
            for kind in kinds {
                let specifier = SectionSpecifier(part: path, kind: kind)
                let suffix = kind == .complete ? "" : kind == .mime ? ".MIME" : kind == .header ? ".HEADER" : ".TEXT"
                items.append("BODY.PEEK[\(name)\(suffix)]")
                attributes.append(.bodySection(specifier, origin: nil, data: sections.section(specifier)))
            }
        }
    }
}

extension BodyStructure {
    /// Once Dovecot has cached that a message is plain 7-bit text (text/plain,
    /// charset=us-ascii as the only parameter or none, 7bit, no other field), it answers
    /// the next BODY or BODYSTRUCTURE with a canned lowercase string, whatever case the
    /// header used; its first answer keeps the header's case, as Moat always does. The
    /// comparison accepts the canned form for such messages.
    var dovecotCachedPlainText: BodyStructure? {
        guard case .singlePart(let part) = self, case .text = part.kind,
              part.type.lowercased() == "text", ["plain", ""].contains(part.subtype.lowercased()),
              part.fields.id == nil, part.fields.description == nil, part.fields.encoding.lowercased() == "7bit",
              part.extensionData.map({ $0 == SinglePartExtension() }) ?? true else { return nil }
        let parameters = part.fields.parameters
        guard parameters.count == 1, String(decoding: parameters[0].name, as: UTF8.self).lowercased() == "charset",
              String(decoding: parameters[0].value, as: UTF8.self).lowercased() == "us-ascii" else { return nil }
        var canonical = part
        canonical.type = "text"
        canonical.subtype = "plain"
        canonical.fields.parameters = [BodyParameter("charset", "us-ascii")]
        canonical.fields.encoding = "7bit"
        return .singlePart(canonical)
    }
}
