/// `body-ext-mpart = body-fld-param [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]`
public struct MultipartExtension: Hashable, Sendable {
    public var parameters: [BodyParameter]
    public var disposition: BodyDisposition?
    public var language: [[UInt8]]?
    public var location: [UInt8]?

    public init(parameters: [BodyParameter] = [], disposition: BodyDisposition? = nil, language: [[UInt8]]? = nil, location: [UInt8]? = nil) {
        self.parameters = parameters
        self.disposition = disposition
        self.language = language
        self.location = location
    }
}
