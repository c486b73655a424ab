/// FETCH / UID FETCH (RFC 9051 §6.4.5) with RFC 7162 modifiers. Macros (`ALL`, `FAST`,
/// `FULL`) are expanded into their attributes when parsed.
public struct FetchCommand: Hashable, Sendable {
    public var byUID: Bool
    public var set: SequenceSet
    public var attributes: [FetchAttribute]
    public var modifiers: [FetchModifier]

    public init(byUID: Bool = false, set: SequenceSet, attributes: [FetchAttribute], modifiers: [FetchModifier] = []) {
        self.byUID = byUID
        self.set = set
        self.attributes = attributes
        self.modifiers = modifiers
    }
}
