/// SEARCH / UID SEARCH (RFC 9051 §6.4.4), with RFC 4731 ESEARCH `RETURN` options.
public struct SearchCommand: Hashable, Sendable {
    public var byUID: Bool
    /// nil when the client sent no `RETURN`: the reply is the RFC 3501 `* SEARCH` form.
    /// `RETURN ()` is an empty array (RFC 4731: means `ALL`).
    public var returnOptions: [SearchReturnOption]?
    public var charset: String?
    public var key: SearchKey

    public init(byUID: Bool = false, returnOptions: [SearchReturnOption]? = nil, charset: String? = nil, key: SearchKey) {
        self.byUID = byUID
        self.returnOptions = returnOptions
        self.charset = charset
        self.key = key
    }
}
