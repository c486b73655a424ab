/// BINARY[part] (RFC 3516) as Dovecot builds it: a leaf part's body decoded; for a
/// multipart or message/rfc822 part (and for BINARY[], the whole message) the bytes as
/// stored, except that every base64 or quoted-printable leaf part inside is decoded and
/// its header says `Content-Transfer-Encoding: binary`. An unknown encoding anywhere inside
/// fails the whole fetch, as does undecodable data.
struct BinaryConverter {
    let bytes: [UInt8]
    let parts: [MessagePart]
    /// The part number the client asked for, for errors.
    let path: [Int]

    private var output: [UInt8] = []
    /// Where the next stretch of unconverted bytes starts.
    private var copyStart = 0

    init(bytes: [UInt8], parts: [MessagePart], path: [Int]) {
        self.bytes = bytes
        self.parts = parts
        self.path = path
    }

    /// The BINARY data of part `index`; `includeHeader` for BINARY[] (the whole message).
    mutating func convert(_ index: Int, includeHeader: Bool) throws(BinaryFetchError) -> [UInt8] {
        output = []
        copyStart = parts[index].start
        try add(index, includeHeader: includeHeader)
        return output
    }

    private mutating func copy(upTo end: Int) {
        if end > copyStart { output.append(contentsOf: bytes[copyStart..<end]) }
        copyStart = max(copyStart, end)
    }

    private mutating func add(_ index: Int, includeHeader: Bool) throws(BinaryFetchError) {
        let part = parts[index]
        let decoding = try transferDecoding(of: part)
        if !includeHeader {
            copyStart = part.headerEnd
        } else if decoding.convertsData && part.children.isEmpty {
            copy(upTo: part.start)
            for field in part.fields where !field.isNamed("Content-Transfer-Encoding", in: bytes) {
                output.append(contentsOf: bytes[field.range.clamped(to: part.headerRange)])
            }
            let fieldsEnd = part.fields.last?.range.upperBound ?? part.start
            if fieldsEnd < part.headerEnd {
                // The new field goes just before the blank line that ends the header.
                output.append(contentsOf: Array("Content-Transfer-Encoding: binary\r\n".utf8))
                output.append(contentsOf: bytes[fieldsEnd..<part.headerEnd])
            }
            copyStart = part.headerEnd
        } else {
            copy(upTo: part.headerEnd)
        }
        if !part.children.isEmpty {
            for child in part.children { try add(child, includeHeader: true) }
            copy(upTo: part.end)
            return
        }
        copyStart = part.headerEnd
        do {
            output.append(contentsOf: try decoding.decode(bytes[part.bodyRange]))
        } catch {
            throw .undecodable(part: path, encoding: Self.name(of: decoding))
        }
        copyStart = max(part.end, part.headerEnd)
    }

    /// The part's encoding from its last Content-Transfer-Encoding field (Dovecot reads
    /// it whatever MIME-Version says); 7bit without one.
    private func transferDecoding(of part: MessagePart) throws(BinaryFetchError) -> TransferDecoding {
        guard let field = part.fields.last(where: { $0.isNamed("Content-Transfer-Encoding", in: bytes) }) else { return .identity }
        let value = field.value(in: bytes)
        guard let decoding = TransferDecoding(fieldValue: value) else {
            throw .unknownTransferEncoding(part: path, encoding: String(decoding: HeaderValue.withoutLineBreaks(value), as: UTF8.self))
        }
        return decoding
    }

    private static func name(of decoding: TransferDecoding) -> String {
        switch decoding {
        case .identity: return "7bit"
        case .base64: return "base64"
        case .quotedPrintable: return "quoted-printable"
        }
    }
}
