/// Reads the version and cipher suite a TLS server chose from its ServerHello (RFC 8446
/// §4.1.3, RFC 5246 §7.4.1.3), which it sends in the clear: swift-nio-ssl does not expose
/// the negotiated cipher, and the Received header should name it as Postfix's does.
/// Sans-I/O: feed the server's first outbound bytes until `info` is set.
public struct TLSServerHello: Sendable {
    private var buffer: [UInt8] = []
    /// Set once the ServerHello was parsed.
    public private(set) var info: TLSInfo?
    /// True when parsing gave up (not TLS, or more than 64 KiB without a ServerHello).
    public private(set) var failed = false

    public init() {}

    public var isFinished: Bool { info != nil || failed }

    public mutating func feed(_ bytes: some Collection<UInt8>) {
        guard !isFinished else { return }
        buffer.append(contentsOf: bytes)
        parse()
        if !isFinished && buffer.count > 65_536 { failed = true }
    }

    private mutating func parse() {
        // Handshake records (type 22) carry the ServerHello in the first handshake message.
        var handshake: [UInt8] = []
        var offset = 0
        while offset + 5 <= buffer.count {
            guard buffer[offset] == 22 else { failed = true; return }
            let length = Int(buffer[offset + 3]) << 8 | Int(buffer[offset + 4])
            guard offset + 5 + length <= buffer.count else { break }
            handshake += buffer[(offset + 5)..<(offset + 5 + length)]
            offset += 5 + length
            if let info = Self.serverHello(handshake) {
                self.info = info
                return
            }
        }
    }

    /// The ServerHello at the start of `handshake`, once complete.
    static func serverHello(_ h: [UInt8]) -> TLSInfo? {
        guard h.count >= 4, h[0] == 2 else { return nil }
        let length = Int(h[1]) << 16 | Int(h[2]) << 8 | Int(h[3])
        guard h.count >= 4 + length, length >= 38 else { return nil }
        var i = 4
        var version = UInt16(h[i]) << 8 | UInt16(h[i + 1])
        i += 2 + 32 // legacy_version, random
        let sessionIDLength = Int(h[i])
        i += 1 + sessionIDLength
        guard i + 3 <= 4 + length else { return nil }
        let cipher = UInt16(h[i]) << 8 | UInt16(h[i + 1])
        i += 3 // cipher_suite, legacy_compression_method
        if i + 2 <= 4 + length {
            let extensionsEnd = min(4 + length, i + 2 + (Int(h[i]) << 8 | Int(h[i + 1])))
            i += 2
            while i + 4 <= extensionsEnd {
                let type = UInt16(h[i]) << 8 | UInt16(h[i + 1])
                let size = Int(h[i + 2]) << 8 | Int(h[i + 3])
                if type == 0x002B, size == 2, i + 6 <= extensionsEnd { // supported_versions
                    version = UInt16(h[i + 4]) << 8 | UInt16(h[i + 5])
                }
                i += 4 + size
            }
        }
        let suite = cipherSuites[cipher]
        return TLSInfo(version: versionNames[version] ?? "TLS 0x\(hex(version))",
                           cipher: suite?.name ?? "0x\(hex(cipher))", bits: suite?.bits)
    }

    private static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    private static let versionNames: [UInt16: String] = [
        0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3",
    ]

    /// The suites BoringSSL negotiates, by OpenSSL name (what Postfix prints).
    private static let cipherSuites: [UInt16: (name: String, bits: Int)] = [
        0x1301: ("TLS_AES_128_GCM_SHA256", 128),
        0x1302: ("TLS_AES_256_GCM_SHA384", 256),
        0x1303: ("TLS_CHACHA20_POLY1305_SHA256", 256),
        0xC02B: ("ECDHE-ECDSA-AES128-GCM-SHA256", 128),
        0xC02C: ("ECDHE-ECDSA-AES256-GCM-SHA384", 256),
        0xC02F: ("ECDHE-RSA-AES128-GCM-SHA256", 128),
        0xC030: ("ECDHE-RSA-AES256-GCM-SHA384", 256),
        0xCCA8: ("ECDHE-RSA-CHACHA20-POLY1305", 256),
        0xCCA9: ("ECDHE-ECDSA-CHACHA20-POLY1305", 256),
        0xC009: ("ECDHE-ECDSA-AES128-SHA", 128),
        0xC00A: ("ECDHE-ECDSA-AES256-SHA", 256),
        0xC013: ("ECDHE-RSA-AES128-SHA", 128),
        0xC014: ("ECDHE-RSA-AES256-SHA", 256),
        0x009C: ("AES128-GCM-SHA256", 128),
        0x009D: ("AES256-GCM-SHA384", 256),
        0x002F: ("AES128-SHA", 128),
        0x0035: ("AES256-SHA", 256),
    ]
}
