import IMAP

/// THREAD=ORDEREDSUBJECT (RFC 5256 §3): messages sorted by base subject then sent date;
/// each run of one subject is a thread whose first message is the parent of all the others
/// (siblings, not a chain); threads are ordered by their first message's sent date.
enum ThreadOrderedSubject {
    static func threads(_ messages: [ThreadMessage]) -> [ThreadNode] {
        let sorted = messages.sorted { a, b in
            a.subject != b.subject ? a.subject.lexicographicallyPrecedes(b.subject) : ThreadMessage.precedes(a, b)
        }
        var groups: [[ThreadMessage]] = []
        for message in sorted {
            if let last = groups.last?.first, last.subject == message.subject {
                groups[groups.count - 1].append(message)
            } else {
                groups.append([message])
            }
        }
        groups.sort { ThreadMessage.precedes($0[0], $1[0]) }
        return groups.map { group in
            ThreadNode(message: group[0].number, children: group.dropFirst().map { ThreadNode(message: $0.number) })
        }
    }
}
