import IMAP

/// Reads what `CacheWriter` wrote; every length and count is checked against the bytes
/// left and nesting is bounded, so damaged cache entries give an error, never a crash.
struct CacheReader {
    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0
    /// Deeper than the MIME parser ever nests, so only damage reaches it.
    static let maxDepth = 256

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    private func failure(_ reason: String) -> FetchCacheError { .malformed(offset: position, reason: reason) }

    mutating func byte() throws(FetchCacheError) -> UInt8 {
        guard position < bytes.count else { throw failure("unexpected end") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func number() throws(FetchCacheError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let next = try byte()
            guard shift < 64, shift < 63 || next & 0x7E == 0 else { throw failure("number too large") }
            value |= UInt64(next & 0x7F) << shift
            if next & 0x80 == 0 { return value }
            shift += 7
        }
    }

    /// A count of items each at least one byte long (so a damaged count cannot ask for
    /// more than the bytes left).
    private mutating func count() throws(FetchCacheError) -> Int {
        let value = try number()
        guard value <= UInt64(bytes.count - position) else { throw failure("count \(value) past the end") }
        return Int(value)
    }

    mutating func data() throws(FetchCacheError) -> [UInt8] {
        let length = try count()
        defer { position += length }
        return Array(bytes[position..<(position + length)])
    }

    mutating func string() throws(FetchCacheError) -> String { String(decoding: try data(), as: UTF8.self) }

    mutating func optional<T>(_ readValue: (inout CacheReader) throws(FetchCacheError) -> T) throws(FetchCacheError) -> T? {
        switch try byte() {
        case 0: return nil
        case 1: return try readValue(&self)
        case let tag: throw failure("optional tag \(tag)")
        }
    }

    mutating func list<T>(_ readValue: (inout CacheReader) throws(FetchCacheError) -> T) throws(FetchCacheError) -> [T] {
        let items = try count()
        var values: [T] = []
        values.reserveCapacity(items)
        for _ in 0..<items { values.append(try readValue(&self)) }
        return values
    }

    mutating func nstring() throws(FetchCacheError) -> [UInt8]? { try optional { reader throws(FetchCacheError) in try reader.data() } }

    mutating func envelope() throws(FetchCacheError) -> Envelope {
        var envelope = Envelope(date: try nstring(), subject: try nstring())
        var lists: [[EnvelopeAddress]] = []
        for _ in 0..<6 {
            lists.append(try list { reader throws(FetchCacheError) in
                EnvelopeAddress(name: try reader.nstring(), route: try reader.nstring(),
                                mailbox: try reader.nstring(), host: try reader.nstring())
            })
        }
        (envelope.from, envelope.sender, envelope.replyTo) = (lists[0], lists[1], lists[2])
        (envelope.to, envelope.cc, envelope.bcc) = (lists[3], lists[4], lists[5])
        envelope.inReplyTo = try nstring()
        envelope.messageID = try nstring()
        return envelope
    }

    mutating func bodyStructure() throws(FetchCacheError) -> BodyStructure {
        guard depth < Self.maxDepth else { throw failure("nested too deep") }
        depth += 1
        defer { depth -= 1 }
        switch try byte() {
        case CacheTag.multipart:
            let parts = try list { reader throws(FetchCacheError) in try reader.bodyStructure() }
            guard !parts.isEmpty else { throw failure("multipart without parts") }
            let subtype = try string()
            let extensionData = try optional { reader throws(FetchCacheError) in
                let parameters = try reader.parameters()
                let (disposition, language, location) = try reader.trailing()
                return MultipartExtension(parameters: parameters, disposition: disposition, language: language, location: location)
            }
            return .multipart(MultipartBody(parts: parts, subtype: subtype, extensionData: extensionData))
        case CacheTag.singlePart:
            let type = try string()
            let subtype = try string()
            let fields = BodyFields(parameters: try parameters(), id: try nstring(), description: try nstring(),
                                    encoding: try string(), octets: try number())
            let kind: SinglePartBody.Kind
            switch try byte() {
            case CacheTag.basic: kind = .basic
            case CacheTag.text: kind = .text(lines: try number())
            case CacheTag.message: kind = .message(try envelope(), try bodyStructure(), lines: try number())
            case let tag: throw failure("part kind \(tag)")
            }
            let extensionData = try optional { reader throws(FetchCacheError) in
                let md5 = try reader.nstring()
                let (disposition, language, location) = try reader.trailing()
                return SinglePartExtension(md5: md5, disposition: disposition, language: language, location: location)
            }
            return .singlePart(SinglePartBody(type: type, subtype: subtype, fields: fields, kind: kind, extensionData: extensionData))
        case let tag:
            throw failure("body tag \(tag)")
        }
    }

    private mutating func parameters() throws(FetchCacheError) -> [BodyParameter] {
        try list { reader throws(FetchCacheError) in BodyParameter(name: try reader.data(), value: try reader.data()) }
    }

    private mutating func trailing() throws(FetchCacheError) -> (BodyDisposition?, [[UInt8]]?, [UInt8]?) {
        let disposition = try optional { reader throws(FetchCacheError) in
            BodyDisposition(type: try reader.data(), parameters: try reader.parameters())
        }
        let language = try optional { reader throws(FetchCacheError) in
            try reader.list { inner throws(FetchCacheError) in try inner.data() }
        }
        return (disposition, language, try nstring())
    }
}
