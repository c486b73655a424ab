import IMAP

/// Writes ENVELOPE and BODYSTRUCTURE values into the compact bytes the index caches:
/// unsigned LEB128 numbers, length-prefixed byte strings, a tag byte before optionals.
struct CacheWriter {
    private(set) var bytes: [UInt8] = []

    mutating func write(number: UInt64) {
        var value = number
        repeat {
            let low = UInt8(value & 0x7F)
            value >>= 7
            bytes.append(value == 0 ? low : low | 0x80)
        } while value != 0
    }

    mutating func write(_ data: [UInt8]) {
        write(number: UInt64(data.count))
        bytes.append(contentsOf: data)
    }

    mutating func write(_ text: String) { write(Array(text.utf8)) }

    /// Tag 0 for absent, 1 then the value for present.
    mutating func write<T>(optional value: T?, _ writeValue: (inout CacheWriter, T) -> Void) {
        guard let value else { return bytes.append(0) }
        bytes.append(1)
        writeValue(&self, value)
    }

    mutating func write<T>(list values: [T], _ writeValue: (inout CacheWriter, T) -> Void) {
        write(number: UInt64(values.count))
        for value in values { writeValue(&self, value) }
    }

    mutating func write(nstring value: [UInt8]?) { write(optional: value) { $0.write($1) } }

    mutating func write(_ envelope: Envelope) {
        write(nstring: envelope.date)
        write(nstring: envelope.subject)
        for addresses in [envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc] {
            write(list: addresses) { writer, address in
                writer.write(nstring: address.name)
                writer.write(nstring: address.route)
                writer.write(nstring: address.mailbox)
                writer.write(nstring: address.host)
            }
        }
        write(nstring: envelope.inReplyTo)
        write(nstring: envelope.messageID)
    }

    mutating func write(_ structure: BodyStructure) {
        switch structure {
        case .multipart(let multipart):
            bytes.append(CacheTag.multipart)
            write(list: multipart.parts) { $0.write($1) }
            write(multipart.subtype)
            write(optional: multipart.extensionData) { writer, data in
                writer.write(parameters: data.parameters)
                writer.writeTrailing(disposition: data.disposition, language: data.language, location: data.location)
            }
        case .singlePart(let part):
            bytes.append(CacheTag.singlePart)
            write(part.type)
            write(part.subtype)
            write(parameters: part.fields.parameters)
            write(nstring: part.fields.id)
            write(nstring: part.fields.description)
            write(part.fields.encoding)
            write(number: part.fields.octets)
            switch part.kind {
            case .basic:
                bytes.append(CacheTag.basic)
            case .text(let lines):
                bytes.append(CacheTag.text)
                write(number: lines)
            case .message(let envelope, let inner, let lines):
                bytes.append(CacheTag.message)
                write(envelope)
                write(inner)
                write(number: lines)
            }
            write(optional: part.extensionData) { writer, data in
                writer.write(nstring: data.md5)
                writer.writeTrailing(disposition: data.disposition, language: data.language, location: data.location)
            }
        }
    }

    private mutating func write(parameters: [BodyParameter]) {
        write(list: parameters) { writer, parameter in
            writer.write(parameter.name)
            writer.write(parameter.value)
        }
    }

    private mutating func writeTrailing(disposition: BodyDisposition?, language: [[UInt8]]?, location: [UInt8]?) {
        write(optional: disposition) { writer, disposition in
            writer.write(disposition.type)
            writer.write(parameters: disposition.parameters)
        }
        write(optional: language) { writer, languages in writer.write(list: languages) { $0.write($1) } }
        write(nstring: location)
    }
}

/// Tag bytes of the cache format.
enum CacheTag {
    /// Raised whenever what the parser computes changes, so entries written by an older
    /// build are recomputed (2: part caps, delimiters and line breaks as Dovecot 2.3.19).
    static let version: UInt8 = 2
    static let multipart: UInt8 = 0x4D  // "M"
    static let singlePart: UInt8 = 0x53  // "S"
    static let basic: UInt8 = 0
    static let text: UInt8 = 1
    static let message: UInt8 = 2
}
