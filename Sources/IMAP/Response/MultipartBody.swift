/// `body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart]`
public struct MultipartBody: Hashable, Sendable {
    public var parts: [BodyStructure]
    public var subtype: String
    /// `body-ext-mpart`: only in BODYSTRUCTURE.
    public var extensionData: MultipartExtension?

    public init(parts: [BodyStructure], subtype: String, extensionData: MultipartExtension? = nil) {
        self.parts = parts
        self.subtype = subtype
        self.extensionData = extensionData
    }
}
