/// After a failed command: skipping the rest of it, and resetting for the next one.
extension CommandParser {
    /// Reports `kind` for the command being read and discards the rest of it (by default
    /// up to its end; `.line` when the client sends nothing more of it).
    mutating func failCommand(
        _ kind: CommandParseError.Kind, _ message: String, thenState: State = .discarding
    ) -> CommandParserEvent {
        let tag = appendTag ?? frame.head.tag
        startNextCommand()
        state = thenState
        lineMode = .command
        return .error(CommandParseError(tag: tag, kind: kind, message: message))
    }

    mutating func keepDiscardTail(_ bytes: ArraySlice<UInt8>) {
        discardTail.append(contentsOf: bytes.suffix(32))
        if discardTail.count > 32 { discardTail.removeFirst(discardTail.count - 32) }
    }

    /// A discarded line ended: a non-synchronizing literal announced at its end still comes
    /// and is skipped; anything else ends the failed command.
    mutating func finishDiscardedLine() {
        if discardTail.last == UInt8(ascii: "\r") { discardTail.removeLast() }
        let marker = LiteralMarker.atEnd(of: discardTail[...])
        discardTail.removeAll(keepingCapacity: true)
        if let marker, marker.synchronization != .synchronizing {
            state = .skippingLiteral(remaining: marker.size)
        } else {
            state = .line
        }
    }

    mutating func startNextCommand() {
        frame.reset()
        quotes.reset()
        appendTag = nil
        state = .line
    }

    mutating func compactBuffer() {
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 16)
            readIndex = 0
        } else if readIndex > 4096 && readIndex > buffer.count / 2 {
            buffer.removeFirst(readIndex)
            readIndex = 0
        }
    }
}
