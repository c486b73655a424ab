import IMAP

/// BODY and BODYSTRUCTURE (RFC 3501 §7.4.2) of a parsed message, with Dovecot's defaults:
/// a part without Content-Type is `"text" "plain"`, a text part without charset gets
/// `"charset" "us-ascii"`, a multipart with no parts holds one empty text/plain part.
/// Sizes are octets of the part's body as sent (CRLF line ends); lines count LFs.
struct BodyStructureBuilder {
    let bytes: [UInt8]
    let parts: [MessagePart]
    /// Offsets of every LF, so a part's line count costs a binary search, not a scan
    /// (nested message/rfc822 parts would otherwise rescan the message at every level).
    private let lineFeeds: [Int]

    init(bytes: [UInt8], parts: [MessagePart]) {
        self.bytes = bytes
        self.parts = parts
        self.lineFeeds = bytes.indices.filter { bytes[$0] == UInt8(ascii: "\n") }
    }

    private static let defaultCharset = BodyParameter("charset", "us-ascii")

    func structure(of index: Int) -> BodyStructure {
        let part = parts[index]
        let headers = PartContentHeaders(part, in: bytes)
        if part.isMultipart { return .multipart(multipart(part, headers: headers)) }
        return .singlePart(singlePart(part, headers: headers))
    }

    private func multipart(_ part: MessagePart, headers: PartContentHeaders) -> MultipartBody {
        var children = part.children.map(structure(of:))
        if children.isEmpty {
            // "no parts in multipart message, that's not allowed": one empty text part.
            children = [.singlePart(SinglePartBody(
                type: "text", subtype: "plain", fields: BodyFields(parameters: [Self.defaultCharset], encoding: "7bit", octets: 0),
                kind: .text(lines: 0), extensionData: SinglePartExtension()))]
        }
        return MultipartBody(
            parts: children, subtype: headers.subtype.map(Self.string) ?? "x-unknown",
            extensionData: MultipartExtension(
                parameters: headers.typeParameters, disposition: headers.disposition, language: headers.language,
                location: headers.location.map(HeaderValue.withoutLineBreaks)))
    }

    private func singlePart(_ part: MessagePart, headers: PartContentHeaders) -> SinglePartBody {
        var type = "text"
        var subtype = "plain"
        var isText = true
        var parameters = headers.typeParameters
        if part.isMessage {
            (type, subtype, isText) = ("message", "rfc822", false)
        } else if isTruncated(part, headers: headers) {
            // A container the part caps kept closed: Dovecot calls it what it now is, bytes.
            (type, subtype, isText) = ("application", "octet-stream", false)
        } else if let declared = headers.type {
            type = Self.string(declared)
            isText = declared.equalsIgnoringASCIICase(Array("text".utf8))
            subtype = headers.subtype.map(Self.string) ?? ""
        }
        if isText && !parameters.contains(where: { $0.name.equalsIgnoringASCIICase(Array("charset".utf8)) }) {
            parameters.append(Self.defaultCharset)
        }
        let body = part.bodyRange
        let fields = BodyFields(
            parameters: parameters, id: headers.id.map(HeaderValue.withoutLineBreaks),
            description: headers.description.map(HeaderValue.withoutLineBreaks),
            encoding: headers.transferEncoding.map(Self.string) ?? "7bit", octets: UInt64(body.count))
        let kind: SinglePartBody.Kind
        if part.isMessage, let enclosed = part.children.first {
            kind = .message(
                EnvelopeBuilder.envelope(of: parts[enclosed].fields, in: bytes), structure(of: enclosed), lines: lineCount(body))
        } else if isText {
            kind = .text(lines: lineCount(body))
        } else {
            kind = .basic
        }
        return SinglePartBody(
            type: type, subtype: subtype, fields: fields, kind: kind,
            extensionData: SinglePartExtension(
                md5: headers.md5.map(HeaderValue.withoutLineBreaks), disposition: headers.disposition,
                language: headers.language, location: headers.location.map(HeaderValue.withoutLineBreaks)))
    }

    /// A message/rfc822 or multipart part that was not opened (nesting or part cap), or a
    /// digest's untyped part in the same case.
    private func isTruncated(_ part: MessagePart, headers: PartContentHeaders) -> Bool {
        guard let type = headers.type else {
            return part.parent.map { parts[$0].kind.contains(.digest) } ?? false
        }
        if type.equalsIgnoringASCIICase(Array("multipart".utf8)) { return true }
        return type.equalsIgnoringASCIICase(Array("message".utf8)) && (headers.subtype ?? []).equalsIgnoringASCIICase(Array("rfc822".utf8))
    }

    private func lineCount(_ range: Range<Int>) -> UInt64 {
        UInt64(firstLineFeed(atOrAfter: range.upperBound) - firstLineFeed(atOrAfter: range.lowerBound))
    }

    private func firstLineFeed(atOrAfter offset: Int) -> Int {
        var low = 0
        var high = lineFeeds.count
        while low < high {
            let middle = (low + high) / 2
            if lineFeeds[middle] < offset { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func string(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }
}

extension BodyStructure {
    /// BODY: the same structure without extension data at any level.
    public var withoutExtensionData: BodyStructure {
        switch self {
        case .multipart(var multipart):
            multipart.parts = multipart.parts.map(\.withoutExtensionData)
            multipart.extensionData = nil
            return .multipart(multipart)
        case .singlePart(var part):
            if case .message(let envelope, let inner, let lines) = part.kind {
                part.kind = .message(envelope, inner.withoutExtensionData, lines: lines)
            }
            part.extensionData = nil
            return .singlePart(part)
        }
    }
}
