/// Commands of the not-authenticated state and session-wide commands.
extension GrammarParser {
    /// `authenticate = "AUTHENTICATE" SP auth-type [SP (base64 / "=")]` (RFC 4959)
    mutating func authenticate() throws(GrammarError) -> Command {
        try space()
        let mechanism = try keyword()
        guard take(" ") else { return .authenticate(mechanism: mechanism, initialResponse: nil) }
        if take("=") { return .authenticate(mechanism: mechanism, initialResponse: .data([])) }
        let text = take(while: { $0 != UInt8(ascii: " ") })
        guard !text.isEmpty, let decoded = Base64.decode(text) else { throw .syntax("Invalid base64 initial response") }
        return .authenticate(mechanism: mechanism, initialResponse: .data(decoded))
    }

    /// `login = "LOGIN" SP userid SP password`; `userid = astring`; `password = astring`
    mutating func login() throws(GrammarError) -> Command {
        try space()
        let username = try astring()
        try space()
        return .login(username: username, password: try astring())
    }

    /// `enable = "ENABLE" 1*(SP capability)` (RFC 5161)
    mutating func enable() throws(GrammarError) -> [String] {
        var names: [String] = []
        repeat {
            try space()
            names.append(try keyword())
            try checkListSize(names.count)
        } while !atEnd
        return names
    }

    /// `id = "ID" SP id-params-list`;
    /// `id-params-list = "(" *(string SP nstring) ")" / nil` (RFC 2971)
    mutating func idParameters() throws(GrammarError) -> [IDParameter]? {
        try space()
        if take(word: "NIL") { return nil }
        return try parenthesizedList(allowEmpty: true) { parser throws(GrammarError) in
            let name = try parser.string()
            try parser.space()
            return IDParameter(name: name, value: try parser.nstring())
        }
    }

    /// `getquota = "GETQUOTA" SP quota-root-name`; `setquota = "SETQUOTA" SP quota-root-name
    /// SP setquota-list`; `setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")"`;
    /// `setquota-resource = resource-name SP resource-limit` (RFC 9208)
    mutating func setQuota() throws(GrammarError) -> Command {
        try space()
        let root = try astring()
        try space()
        let limits = try parenthesizedList(allowEmpty: true) { parser throws(GrammarError) in
            let resource = try parser.keyword()
            try parser.space()
            return QuotaLimit(resource: resource, limit: try parser.number64())
        }
        return .setQuota(root: root, limits)
    }
}
