/// `body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets`
public struct BodyFields: Hashable, Sendable {
    public var parameters: [BodyParameter]
    public var id: [UInt8]?
    public var description: [UInt8]?
    /// `7BIT`, `BASE64`… as the message says (default `7BIT`).
    public var encoding: String
    public var octets: UInt64

    public init(parameters: [BodyParameter] = [], id: [UInt8]? = nil, description: [UInt8]? = nil, encoding: String = "7BIT", octets: UInt64) {
        self.parameters = parameters
        self.id = id
        self.description = description
        self.encoding = encoding
        self.octets = octets
    }
}
