import IMAP

/// The `Content-*` header fields of one MIME part as BODYSTRUCTURE reports them: raw
/// values (not RFC 2047 decoded), type and subtype as written, parameters in order. The
/// first occurrence of each field counts (the first readable one for the transfer
/// encoding and language, the first with parameters for the disposition, as Dovecot
/// reads them). In a header that is not MIME (a message header
/// without MIME-Version or Content-Type) Dovecot ignores `Content-*` fields, and so does this.
struct PartContentHeaders {
    var type: [UInt8]?
    var subtype: [UInt8]?
    var typeParameters: [BodyParameter] = []
    var transferEncoding: [UInt8]?
    var id: [UInt8]?
    var description: [UInt8]?
    var md5: [UInt8]?
    var disposition: BodyDisposition?
    var language: [[UInt8]]?
    var location: [UInt8]?

    init() {}

    /// Reads the fields of `part`.
    init(_ part: MessagePart, in bytes: [UInt8]) {
        guard part.kind.contains(.mime) else { return }
        var seen: Set<String> = []
        for field in part.fields {
            let name = String(decoding: field.name(in: bytes), as: UTF8.self).lowercased()
            guard name.hasPrefix("content-"), !seen.contains(name) else { continue }
            let value = field.value(in: bytes)
            switch name {
            case "content-type": readType(value)
            case "content-transfer-encoding": if !readTransferEncoding(value) { continue }
            case "content-id": id = value
            case "content-description": description = value
            case "content-md5": md5 = value
            case "content-disposition": if !readDisposition(value) { continue }
            case "content-language": if !readLanguage(value) { continue }
            case "content-location": location = value
            default: continue
            }
            seen.insert(name)
        }
    }

    private mutating func readType(_ value: [UInt8]) {
        var scanner = HeaderValueScanner(value)
        var typeAndSubtype: [UInt8] = []
        let outcome = scanner.parseContentType(into: &typeAndSubtype)
        if let slash = typeAndSubtype.firstIndex(of: UInt8(ascii: "/")) {
            type = Array(typeAndSubtype[..<slash])
            subtype = Array(typeAndSubtype[(slash + 1)...])
        } else {
            // Dovecot sends a type without subtype (or an unreadable one) with subtype "".
            type = typeAndSubtype
            subtype = []
        }
        // A broken type keeps what was read but no parameters (Dovecot's choice, so the
        // part's text-ness matches its type).
        guard outcome != .broken else { return }
        typeParameters = ContentParameters.parse(&scanner)
    }

    /// False when the value is not one token (the field then does not count).
    private mutating func readTransferEncoding(_ value: [UInt8]) -> Bool {
        var scanner = HeaderValueScanner(value)
        _ = scanner.skipWhitespace()
        var token: [UInt8] = []
        let outcome = scanner.parseToken(into: &token)
        guard outcome != .broken, scanner.skipWhitespace() == .end, !token.isEmpty else { return false }
        transferEncoding = token
        return true
    }

    /// False when the value has no disposition token (the field then does not count).
    private mutating func readDisposition(_ value: [UInt8]) -> Bool {
        var scanner = HeaderValueScanner(value)
        _ = scanner.skipWhitespace()
        var token: [UInt8] = []
        guard scanner.parseToken(into: &token) != .broken else { return false }
        disposition = BodyDisposition(type: token, parameters: ContentParameters.parse(&scanner))
        return !disposition!.parameters.isEmpty
    }

    /// `Content-Language: 1#Language-tag`; false when there is none (the field then does
    /// not count).
    private mutating func readLanguage(_ value: [UInt8]) -> Bool {
        var scanner = HeaderValueScanner(value)
        _ = scanner.skipWhitespace()
        var languages: [[UInt8]] = []
        while true {
            var tag: [UInt8] = []
            guard scanner.parseAtom(into: &tag) != .broken else { break }
            languages.append(tag)
            guard scanner.current == UInt8(ascii: ",") else { break }
            scanner.position += 1
            _ = scanner.skipWhitespace()
        }
        if !languages.isEmpty { language = languages }
        return !languages.isEmpty
    }
}
