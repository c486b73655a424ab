/// `body-fld-dsp = "(" string SP body-fld-param ")" / nil`
public struct BodyDisposition: Hashable, Sendable {
    public var type: [UInt8]
    public var parameters: [BodyParameter]

    public init(type: [UInt8], parameters: [BodyParameter] = []) {
        self.type = type
        self.parameters = parameters
    }
}
