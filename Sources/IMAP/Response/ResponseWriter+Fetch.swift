/// FETCH data items (RFC 9051 §7.5.2).
extension ResponseWriter {
    mutating func write(_ attribute: MessageAttribute) {
        switch attribute {
        case .flags(let flags):
            write("FLAGS ")
            writeFlags(flags)
        case .uid(let uid):
            write("UID ")
            write(number: uid)
        case .internalDate(let date):
            write("INTERNALDATE ")
            write(date)
        case .rfc822Size(let size):
            write("RFC822.SIZE ")
            write(number: size)
        case .envelope(let envelope):
            write("ENVELOPE ")
            write(envelope)
        case .body(let structure):
            write("BODY ")
            write(structure, extensible: false)
        case .bodyStructure(let structure):
            write("BODYSTRUCTURE ")
            write(structure, extensible: true)
        case .bodySection(let section, let origin, let data):
            write("BODY[")
            write(section)
            write("]")
            writeOrigin(origin)
            space()
            writeNString(data)
        case .binary(let part, let origin, let data):
            write("BINARY[")
            writePart(part)
            write("]")
            writeOrigin(origin)
            space()
            if let data, data.contains(0) {
                writeLiteral(data, binary: true)
            } else {
                writeNString(data)
            }
        case .binarySize(let part, let size):
            write("BINARY.SIZE[")
            writePart(part)
            write("] ")
            write(number: size)
        case .modSeq(let modSeq):
            write("MODSEQ (")
            write(number: modSeq)
            write(")")
        case .rfc822(let data):
            write("RFC822 ")
            writeNString(data)
        case .rfc822Header(let data):
            write("RFC822.HEADER ")
            writeNString(data)
        case .rfc822Text(let data):
            write("RFC822.TEXT ")
            writeNString(data)
        }
    }

    /// `date-time`: `"17-Jul-1996 02:44:25 -0700"`.
    mutating func write(_ dateTime: IMAPDateTime) {
        func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        let zone = abs(dateTime.zoneMinutes)
        let sign = dateTime.zoneMinutes < 0 ? "-" : "+"
        let month = IMAPDate.monthNames[max(0, min(11, dateTime.date.month - 1))]
        write("\"\(twoDigits(dateTime.date.day))-\(month)-\(dateTime.date.year) ")
        write("\(twoDigits(dateTime.hour)):\(twoDigits(dateTime.minute)):\(twoDigits(dateTime.second)) ")
        write("\(sign)\(twoDigits(zone / 60))\(twoDigits(zone % 60))\"")
    }

    /// `section-spec` inside the brackets.
    mutating func write(_ section: SectionSpecifier) {
        writePart(section.part)
        let hasPart = !section.part.isEmpty
        func text(_ name: String) { write((hasPart ? "." : "") + name) }
        switch section.kind {
        case .complete: break
        case .header: text("HEADER")
        case .text: text("TEXT")
        case .mime: text("MIME")
        case .headerFields(let fields), .headerFieldsNot(let fields):
            if case .headerFieldsNot = section.kind { text("HEADER.FIELDS.NOT") } else { text("HEADER.FIELDS") }
            space()
            writeList(fields) { writer, field in writer.writeAString(field) }
        }
    }

    private mutating func writePart(_ part: [Int]) {
        write(part.map(String.init).joined(separator: "."))
    }

    private mutating func writeOrigin(_ origin: UInt32?) {
        guard let origin else { return }
        write("<")
        write(number: origin)
        write(">")
    }

    /// `envelope` (RFC 3501 §7.4.2).
    mutating func write(_ envelope: Envelope) {
        write("(")
        writeNString(envelope.date)
        space()
        writeNString(envelope.subject)
        for addresses in [envelope.from, envelope.sender, envelope.replyTo, envelope.to, envelope.cc, envelope.bcc] {
            space()
            writeAddresses(addresses)
        }
        space()
        writeNString(envelope.inReplyTo)
        space()
        writeNString(envelope.messageID)
        write(")")
    }

    /// `"(" 1*address ")" / nil`: addresses follow one another with no space between.
    private mutating func writeAddresses(_ addresses: [EnvelopeAddress]) {
        guard !addresses.isEmpty else { return write("NIL") }
        write("(")
        for address in addresses {
            write("(")
            writeNString(address.name)
            space()
            writeNString(address.route)
            space()
            writeNString(address.mailbox)
            space()
            writeNString(address.host)
            write(")")
        }
        write(")")
    }
}
