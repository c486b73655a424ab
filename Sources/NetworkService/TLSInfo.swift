/// What a finished TLS handshake negotiated, for the Received header and logs.
public struct TLSInfo: Sendable, Equatable {
    /// `TLSv1.2`, `TLSv1.3`.
    public var version: String
    /// OpenSSL's name of the cipher suite (`TLS_AES_256_GCM_SHA384`,
    /// `ECDHE-RSA-AES128-GCM-SHA256`), or `0xC02F` when unknown.
    public var cipher: String
    /// Symmetric key bits, when known.
    public var bits: Int?

    public init(version: String, cipher: String, bits: Int?) {
        self.version = version
        self.cipher = cipher
        self.bits = bits
    }

    /// Postfix's Received clause: `using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)`.
    public var receivedClause: String {
        "using \(version) with cipher \(cipher)" + (bits.map { " (\($0)/\($0) bits)" } ?? "")
    }
}
