import IMAP

/// THREAD=REFERENCES (RFC 5256 §3, after Jamie Zawinski's algorithm): messages linked by
/// Message-ID, References and In-Reply-To; missing parents become dummies; dummies pruned;
/// root threads with the same base subject gathered; siblings ordered by sent date.
struct ThreadReferences {
    private struct Container {
        /// Index into `messages`; nil for a dummy (a referenced message we do not have).
        var message: Int?
        var parent: Int?
        var children: [Int] = []
    }

    private let messages: [ThreadMessage]
    private var containers: [Container] = []
    private var containerByID: [String: Int] = [:]

    static func threads(_ messages: [ThreadMessage]) -> [ThreadNode] {
        var builder = ThreadReferences(messages: messages)
        builder.link()
        var roots = builder.prune(builder.containers.indices.filter { builder.containers[$0].parent == nil }, atRoot: true)
        roots = builder.gatherBySubject(roots)
        roots = builder.sortSiblings(roots)
        return roots.map(builder.node)
    }

    private init(messages: [ThreadMessage]) { self.messages = messages }

    // MARK: Step 1: link

    private mutating func link() {
        for (index, message) in messages.enumerated() {
            // A: the message's container; a Message-ID seen on an earlier message (a
            // duplicate) or none at all gives a container of its own, never shared.
            let own: Int
            if let id = message.messageID, let existing = containerByID[id], containers[existing].message == nil {
                own = existing
                containers[own].message = index
            } else {
                own = newContainer(message: index)
                if let id = message.messageID, containerByID[id] == nil { containerByID[id] = own }
            }
            // B: each reference is the parent of the next, unless already linked or a loop.
            var previous: Int?
            for id in message.references {
                let current = container(for: id)
                if let previous, containers[current].parent == nil, !isAncestor(current, of: previous) {
                    setParent(of: current, to: previous)
                }
                previous = current
            }
            // C: the last reference is the message's parent, replacing a presumed one.
            unlinkFromParent(own)
            if let previous, !isAncestor(own, of: previous) { setParent(of: own, to: previous) }
        }
    }

    private mutating func newContainer(message: Int?) -> Int {
        containers.append(Container(message: message))
        return containers.count - 1
    }

    private mutating func container(for id: String) -> Int {
        if let existing = containerByID[id] { return existing }
        let created = newContainer(message: nil)
        containerByID[id] = created
        return created
    }

    /// Whether `ancestor` is `node` or above it: linking would close a loop.
    private func isAncestor(_ ancestor: Int, of node: Int) -> Bool {
        var current: Int? = node
        var steps = 0
        while let index = current, steps <= containers.count {
            if index == ancestor { return true }
            current = containers[index].parent
            steps += 1
        }
        return false
    }

    private mutating func setParent(of child: Int, to parent: Int) {
        containers[child].parent = parent
        containers[parent].children.append(child)
    }

    private mutating func unlinkFromParent(_ child: Int) {
        guard let parent = containers[child].parent else { return }
        containers[parent].children.removeAll { $0 == child }
        containers[child].parent = nil
    }

    // MARK: Step 4: prune dummies

    /// Dummies without children go; a dummy's children take its place, except at the root
    /// where a dummy with several children stays to hold them together.
    private mutating func prune(_ siblings: [Int], atRoot: Bool) -> [Int] {
        var kept: [Int] = []
        for index in siblings {
            containers[index].children = prune(containers[index].children, atRoot: false)
            let children = containers[index].children
            if containers[index].message == nil {
                if children.isEmpty { continue }
                if !atRoot || children.count == 1 {
                    for child in children { containers[child].parent = containers[index].parent }
                    kept.append(contentsOf: children)
                    continue
                }
            }
            kept.append(index)
        }
        return kept
    }

    // MARK: Step 5: gather root threads by base subject

    /// The thread's subject: its message's, or a dummy's first child's.
    private func subject(of index: Int) -> [UInt8] {
        if let message = containers[index].message { return messages[message].subject }
        guard let first = containers[index].children.first, let message = containers[first].message else { return [] }
        return messages[message].subject
    }

    private func isDummy(_ index: Int) -> Bool { containers[index].message == nil }

    private func isReply(_ index: Int) -> Bool { containers[index].message.map { messages[$0].isReplyOrForward } ?? false }

    private mutating func gatherBySubject(_ roots: [Int]) -> [Int] {
        var table: [[UInt8]: Int] = [:]
        for index in roots {
            let subject = subject(of: index)
            if subject.isEmpty { continue }
            guard let current = table[subject] else {
                table[subject] = index
                continue
            }
            if !isDummy(current) && (isDummy(index) || (isReply(current) && !isReply(index))) { table[subject] = index }
        }
        var result = roots.map(Optional.some)
        for (position, index) in roots.enumerated() {
            let subject = subject(of: index)
            guard !subject.isEmpty, let holder = table[subject], holder != index else { continue }
            if isDummy(holder) && isDummy(index) {
                for child in containers[index].children { setParent(of: child, to: holder) }
                containers[index].children = []
            } else if isDummy(holder) || (isReply(index) && !isReply(holder)) {
                setParent(of: index, to: holder)
            } else {
                let dummy = newContainer(message: nil)
                setParent(of: holder, to: dummy)
                setParent(of: index, to: dummy)
                if let holderPosition = result.firstIndex(of: holder) { result[holderPosition] = dummy }
                table[subject] = dummy
            }
            result[position] = nil
        }
        return result.compactMap { $0 }
    }

    // MARK: Step 6: order by sent date

    /// Children before parents, so a dummy sorts by its earliest child.
    private mutating func sortSiblings(_ siblings: [Int]) -> [Int] {
        for index in siblings { containers[index].children = sortSiblings(containers[index].children) }
        return siblings.sorted { ThreadMessage.precedes(representative(of: $0), representative(of: $1)) }
    }

    private func representative(of index: Int) -> ThreadMessage {
        var current = index
        while containers[current].message == nil, let first = containers[current].children.first { current = first }
        return messages[containers[current].message ?? 0]
    }

    private func node(_ index: Int) -> ThreadNode {
        ThreadNode(message: containers[index].message.map { messages[$0].number }, children: containers[index].children.map(node))
    }
}
