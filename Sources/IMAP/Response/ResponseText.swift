/// `resp-text = ["[" resp-text-code "]" SP] [text]`. CR and LF in `text` are sent as spaces,
/// so a message built from client input can never break the line.
public struct ResponseText: Hashable, Sendable {
    public var code: ResponseCode?
    public var text: String

    public init(code: ResponseCode? = nil, _ text: String) {
        self.code = code
        self.text = text
    }
}
