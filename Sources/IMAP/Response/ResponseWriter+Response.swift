/// Tagged, untagged and continuation responses (RFC 9051 §7).
extension ResponseWriter {
    mutating func write(_ response: Response) {
        switch response {
        case .tagged(let tagged):
            bytes.append(contentsOf: tagged.tag.bytes)
            space()
            write(tagged.status.rawValue)
            writeSpaceAndText(tagged.text)
        case .untagged(let untagged):
            write("* ")
            write(untagged)
        case .continuation(.text(let text)):
            write("+ ")
            writeText(text)
        case .continuation(.challenge(let data)):
            write("+ ")
            bytes.append(contentsOf: Base64.encode(data))
        }
        crlf()
    }

    /// ` resp-text`, or nothing for an empty one (no trailing space).
    mutating func writeSpaceAndText(_ text: ResponseText) {
        guard text.code != nil || !text.text.isEmpty else { return }
        space()
        write(text)
    }

    /// `resp-text = ["[" resp-text-code "]" SP] [text]`
    mutating func write(_ text: ResponseText) {
        if let code = text.code {
            write("[")
            write(code)
            write("]")
            if !text.text.isEmpty { space() }
        }
        writeText(text.text)
    }

    /// `resp-text-code`
    mutating func write(_ code: ResponseCode) {
        write(code.name)
        switch code {
        case .badCharset(let charsets) where !charsets.isEmpty:
            space()
            writeList(charsets) { writer, charset in writer.writeAString(Array(charset.utf8)) }
        case .capability(let capabilities):
            for capability in capabilities {
                space()
                write(capability)
            }
        case .permanentFlags(let flags):
            space()
            writeFlags(flags)
        case .uidNext(let number), .uidValidity(let number), .unseen(let number):
            space()
            write(number: number)
        case .appendUID(let uidValidity, let uids):
            space()
            write(number: uidValidity)
            space()
            write(uids)
        case .copyUID(let uidValidity, let source, let destination):
            space()
            write(number: uidValidity)
            space()
            write(source)
            space()
            write(destination)
        case .highestModSeq(let modSeq):
            space()
            write(number: modSeq)
        case .modified(let set):
            space()
            write(set)
        case .other(_, let text?):
            space()
            writeText(text.replacingOccurrences(of: "]", with: " "))
        default:
            break
        }
    }

    /// `sequence-set` of concrete numbers: `1:3,5`.
    mutating func write(_ set: NumberSet) {
        for (offset, range) in set.ranges.enumerated() {
            if offset > 0 { write(",") }
            write(number: range.lowerBound)
            if range.lowerBound != range.upperBound {
                write(":")
                write(number: range.upperBound)
            }
        }
    }
}

extension String {
    fileprivate func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
