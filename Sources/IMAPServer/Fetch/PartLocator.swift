/// Finds the part a section number (`1.2.3`) names, as Dovecot does (RFC 3501 §6.4.5):
/// numbers index the children of a multipart; a non-multipart part only has part 1 (itself),
/// and only a message/rfc822 part may be gone through, into its enclosed message.
enum PartLocator {
    /// The index of the part named by `path` (the root for an empty path); nil when there is none.
    static func find(_ path: [Int], in parts: [MessagePart]) -> Int? {
        var index = 0
        for (position, number) in path.enumerated() {
            let isLast = position == path.count - 1
            let part = parts[index]
            if part.isMultipart {
                guard number >= 1, number <= part.children.count else { return nil }
                index = part.children[number - 1]
            } else {
                guard number == 1, isLast || part.isMessage else { return nil }
            }
            if !isLast && parts[index].isMessage {
                guard let enclosed = parts[index].children.first else { return nil }
                index = enclosed
            }
        }
        return index
    }
}
