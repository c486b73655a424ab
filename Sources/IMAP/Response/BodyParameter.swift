/// A Content-Type or Content-Disposition parameter.
public struct BodyParameter: Hashable, Sendable {
    public var name: [UInt8]
    public var value: [UInt8]

    public init(_ name: String, _ value: String) {
        self.name = Array(name.utf8)
        self.value = Array(value.utf8)
    }

    public init(name: [UInt8], value: [UInt8]) {
        self.name = name
        self.value = value
    }
}
