import IMAP

/// What FETCH sends of one message (RFC 3501 §6.4.5, RFC 9051, RFC 3516): ENVELOPE,
/// BODY/BODYSTRUCTURE, BODY[section] and BINARY[part], computed from the message bytes
/// as the index gives them (CRLF line ends). Built once per message and FETCH command;
/// pure: no storage, no I/O. Broken MIME never fails: it gives what Dovecot gives.
public struct MessageSections: Sendable {
    /// The message as stored (`RFC822.SIZE` octets), NUL included: what the parts index.
    public let bytes: [UInt8]
    private let parts: [MessagePart]

    /// Parses `bytes` (the whole message with CRLF line ends).
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
        self.parts = MessagePartParser.parse(bytes)
    }

    /// ENVELOPE of the message.
    public var envelope: Envelope { EnvelopeBuilder.envelope(of: parts[0].fields, in: bytes) }

    /// BODYSTRUCTURE (`extensible`) or BODY (without extension data).
    public func bodyStructure(extensible: Bool) -> BodyStructure {
        let structure = BodyStructureBuilder(bytes: bytes, parts: parts).structure(of: 0)
        return extensible ? structure : structure.withoutExtensionData
    }

    /// BODY[section]: the bytes the section names, NUL sent as 0x80 (literals cannot
    /// hold NUL; Dovecot does the same); empty when the part does not exist or the
    /// section does not apply to it (`HEADER` of a part that is not a message), as
    /// Dovecot answers. Apply `Partial.slice` to this for `<origin.length>`.
    public func section(_ specifier: SectionSpecifier) -> [UInt8] {
        var data = rawSection(specifier)
        if data.contains(0) {
            for index in data.indices where data[index] == 0 { data[index] = 0x80 }
        }
        return data
    }

    private func rawSection(_ specifier: SectionSpecifier) -> [UInt8] {
        guard let index = PartLocator.find(specifier.part, in: parts) else { return [] }
        let part = parts[index]
        let isPart = !specifier.part.isEmpty
        switch specifier.kind {
        case .complete:
            return isPart ? Array(bytes[part.bodyRange]) : bytes
        case .mime:
            return isPart ? Array(bytes[part.headerRange]) : []
        case .header, .text, .headerFields, .headerFieldsNot:
            // On a part, these address the message a message/rfc822 part encloses.
            guard let enclosed = isPart ? (part.isMessage ? part.children.first.map({ parts[$0] }) : nil) : part else { return [] }
            switch specifier.kind {
            case .header: return Array(bytes[enclosed.headerRange])
            case .text: return Array(bytes[enclosed.bodyRange])
            case .headerFields(let names): return HeaderFieldSelection.select(enclosed, names: names, keep: true, in: bytes)
            case .headerFieldsNot(let names): return HeaderFieldSelection.select(enclosed, names: names, keep: false, in: bytes)
            case .complete, .mime: return []
            }
        }
    }

    /// RFC822 (= BODY[]): the message with NUL sent as 0x80 (use this, not `bytes`, on the wire).
    public var rfc822: [UInt8] { section(SectionSpecifier()) }

    /// RFC822.HEADER (= BODY[HEADER]).
    public var header: [UInt8] { section(SectionSpecifier(kind: .header)) }

    /// RFC822.TEXT (= BODY[TEXT]).
    public var text: [UInt8] { section(SectionSpecifier(kind: .text)) }

    /// BINARY[part]: the part's body with its Content-Transfer-Encoding undone; for a
    /// multipart, a message/rfc822 part or the whole message (empty `part`), the bytes
    /// with every encoded part inside decoded. Empty for a part that does not exist.
    /// - Throws: `BinaryFetchError` for an unknown encoding or undecodable data.
    public func binary(part path: [Int]) throws(BinaryFetchError) -> [UInt8] {
        guard let index = PartLocator.find(path, in: parts) else { return [] }
        var converter = BinaryConverter(bytes: bytes, parts: parts, path: path)
        return try converter.convert(index, includeHeader: path.isEmpty)
    }

    /// BINARY.SIZE[part]: the size of what BINARY[part] sends.
    public func binarySize(part path: [Int]) throws(BinaryFetchError) -> UInt64 {
        UInt64(try binary(part: path).count)
    }
}

extension Partial {
    /// The `<origin.length>` slice of `data`: empty when the origin is past the end,
    /// shorter when the data ends first.
    public func slice(_ data: [UInt8]) -> [UInt8] {
        let start = Int(offset)
        guard start < data.count else { return [] }
        return Array(data[start..<(start + min(Int(length), data.count - start))])
    }
}
