/// Untagged data (RFC 9051 §7.2–§7.5 and the extensions').
extension ResponseWriter {
    mutating func write(_ response: UntaggedResponse) {
        switch response {
        case .condition(let status, let text):
            write(status.rawValue)
            writeSpaceAndText(text)
        case .bye(let text):
            write("BYE")
            writeSpaceAndText(text)
        case .preauth(let text):
            write("PREAUTH")
            writeSpaceAndText(text)
        case .capability(let capabilities):
            write("CAPABILITY")
            writeAtoms(capabilities)
        case .enabled(let capabilities):
            write("ENABLED")
            writeAtoms(capabilities)
        case .id(let parameters):
            write("ID ")
            guard let parameters, !parameters.isEmpty else { return write("NIL") }
            writeList(parameters) { writer, parameter in
                writer.writeString(parameter.name)
                writer.space()
                writer.writeNString(parameter.value)
            }
        case .namespace(let namespaces):
            write("NAMESPACE ")
            write(namespaces)
        case .list(let list):
            write("LIST ")
            write(list)
        case .lsub(let list):
            write("LSUB ")
            write(list)
        case .status(let mailbox, let items):
            write("STATUS ")
            writeAString(mailbox.bytes)
            space()
            writeList(items) { writer, item in
                writer.write(item.attribute.rawValue)
                writer.space()
                if let value = item.value { writer.write(number: value) } else { writer.write("NIL") }
            }
        case .flags(let flags):
            write("FLAGS ")
            writeFlags(flags)
        case .exists(let count):
            write(number: count)
            write(" EXISTS")
        case .recent(let count):
            write(number: count)
            write(" RECENT")
        case .expunge(let number):
            write(number: number)
            write(" EXPUNGE")
        case .vanished(let earlier, let uids):
            write(earlier ? "VANISHED (EARLIER) " : "VANISHED ")
            write(uids)
        case .search(let numbers, let modSeq):
            write("SEARCH")
            writeNumbers(numbers, modSeq: modSeq)
        case .sort(let numbers, let modSeq):
            write("SORT")
            writeNumbers(numbers, modSeq: modSeq)
        case .esearch(let result):
            write(result)
        case .thread(let threads):
            write("THREAD")
            if !threads.isEmpty { space() }
            for thread in threads {
                write("(")
                writeThreadMembers(thread)
                write(")")
            }
        case .fetch(let number, let attributes):
            write(number: number)
            write(" FETCH ")
            writeList(attributes) { writer, attribute in writer.write(attribute) }
        case .quota(let root, let usages):
            write("QUOTA ")
            writeAString(root)
            space()
            writeList(usages) { writer, usage in
                writer.write(usage.resource)
                writer.space()
                writer.write(number: usage.usage)
                writer.space()
                writer.write(number: usage.limit)
            }
        case .quotaRoot(let mailbox, let roots):
            write("QUOTAROOT ")
            writeAString(mailbox.bytes)
            for root in roots {
                space()
                writeAString(root)
            }
        }
    }

    private mutating func writeAtoms(_ atoms: [String]) {
        for atom in atoms {
            space()
            write(atom)
        }
    }

    /// `*(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"]` (RFC 7162 §3.1.5).
    private mutating func writeNumbers(_ numbers: [UInt32], modSeq: UInt64?) {
        for number in numbers {
            space()
            write(number: number)
        }
        if let modSeq {
            write(" (MODSEQ ")
            write(number: modSeq)
            write(")")
        }
    }

    /// `esearch-response` (RFC 4731 §3.1).
    private mutating func write(_ result: ESearchResponse) {
        write("ESEARCH")
        if let tag = result.correlator {
            write(" (TAG ")
            writeString(tag.bytes)
            write(")")
        }
        if result.byUID { write(" UID") }
        if let min = result.min {
            write(" MIN ")
            write(number: min)
        }
        if let max = result.max {
            write(" MAX ")
            write(number: max)
        }
        if let all = result.all, !all.isEmpty {
            write(" ALL ")
            write(all)
        }
        if let count = result.count {
            write(" COUNT ")
            write(number: count)
        }
        if let modSeq = result.modSeq {
            write(" MODSEQ ")
            write(number: modSeq)
        }
    }

    /// `thread-members = nz-number *(SP nz-number) [SP thread-nested]`;
    /// `thread-nested = 2*thread-list` (RFC 5256 §4). A chain of single replies is written
    /// in a loop, so a long thread does not recurse.
    private mutating func writeThreadMembers(_ root: ThreadNode) {
        var node = root
        var wroteNumber = false
        while true {
            if let message = node.message {
                if wroteNumber { space() }
                write(number: message)
                wroteNumber = true
            }
            guard node.children.count == 1 else { break }
            node = node.children[0]
        }
        guard !node.children.isEmpty else { return }
        if wroteNumber { space() }
        for child in node.children {
            write("(")
            writeThreadMembers(child)
            write(")")
        }
    }

    /// `mailbox-list` (RFC 9051 §7.3.1, RFC 5258 §3.5).
    private mutating func write(_ list: ListResponse) {
        writeList(list.attributes) { writer, attribute in writer.write(attribute) }
        space()
        writeDelimiter(list.delimiter)
        space()
        writeAString(list.mailbox.bytes)
        guard !list.childInfo.isEmpty || list.oldName != nil else { return }
        write(" (")
        if !list.childInfo.isEmpty {
            write("\"CHILDINFO\" ")
            writeList(list.childInfo) { writer, info in writer.writeString(info) }
        }
        if let oldName = list.oldName {
            if !list.childInfo.isEmpty { space() }
            write("\"OLDNAME\" (")
            writeAString(oldName.bytes)
            write(")")
        }
        write(")")
    }

    /// `namespace SP namespace SP namespace`; `namespace = nil / "(" 1*namespace-descr ")"`
    private mutating func write(_ namespaces: NamespaceResponse) {
        for (offset, group) in [namespaces.personal, namespaces.otherUsers, namespaces.shared].enumerated() {
            if offset > 0 { space() }
            guard !group.isEmpty else {
                write("NIL")
                continue
            }
            write("(")
            for namespace in group {
                write("(")
                writeString(namespace.prefix)
                space()
                writeDelimiter(namespace.delimiter)
                write(")")
            }
            write(")")
        }
    }
}
