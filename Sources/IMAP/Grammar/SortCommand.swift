/// SORT / UID SORT (RFC 5256), with RFC 5267 ESORT `RETURN` options.
public struct SortCommand: Hashable, Sendable {
    public var byUID: Bool
    public var returnOptions: [SearchReturnOption]?
    public var criteria: [SortCriterion]
    public var charset: String
    public var key: SearchKey

    public init(byUID: Bool = false, returnOptions: [SearchReturnOption]? = nil, criteria: [SortCriterion], charset: String, key: SearchKey) {
        self.byUID = byUID
        self.returnOptions = returnOptions
        self.criteria = criteria
        self.charset = charset
        self.key = key
    }
}
