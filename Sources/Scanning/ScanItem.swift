/// One thing to scan: a MIME leaf (its file name, declared Content-Type and decoded
/// bytes) or, with no name and type, the whole raw message.
///
/// The MIME walker builds these; scanners never see MIME structure, which keeps
/// libclamav's own mail parser the only one that has to agree with the message bytes
/// when the raw message is scanned.
public struct ScanItem: Sendable, Equatable {
    /// The attachment's file name (`filename=` or `name=`), if it declared one.
    public var name: String?
    /// The declared media type, e.g. `image/jpeg`, as written in Content-Type.
    public var declaredType: String?
    /// The decoded content (after base64/quoted-printable), or the raw message.
    public var bytes: [UInt8]

    public init(name: String? = nil, declaredType: String? = nil, bytes: [UInt8]) {
        self.name = name
        self.declaredType = declaredType
        self.bytes = bytes
    }
}
