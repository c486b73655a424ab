/// `body-ext-1part = body-fld-md5 [SP body-fld-dsp [SP body-fld-lang [SP body-fld-loc]]]`
public struct SinglePartExtension: Hashable, Sendable {
    public var md5: [UInt8]?
    public var disposition: BodyDisposition?
    /// nil (or empty) is `NIL`; otherwise a list, even of one, as Dovecot sends it.
    public var language: [[UInt8]]?
    public var location: [UInt8]?

    public init(md5: [UInt8]? = nil, disposition: BodyDisposition? = nil, language: [[UInt8]]? = nil, location: [UInt8]? = nil) {
        self.md5 = md5
        self.disposition = disposition
        self.language = language
        self.location = location
    }
}
