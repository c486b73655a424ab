import MoatCore

/// Host name syntax as Postfix's valid_hostname/valid_hostaddr judge a HELO argument.
enum HostnameSyntax {
    /// LDH labels of 1–63 bytes, at most 255 in all, not all-numeric at the end (a dotted
    /// quad is an address, not a name). A single trailing dot is dropped first, as
    /// smtpd_check.c's dup_if_truncate does.
    static func isValidHostname(_ raw: String) -> Bool {
        let name = withoutTrailingDot(raw)
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty, label.utf8.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                label.utf8.allSatisfy({ isLDH($0) || $0 == UInt8(ascii: "_") })
            else { return false }
        }
        return !labels.allSatisfy { $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }
    }

    /// `[192.0.2.1]`, `[IPv6:2001:db8::1]` or a bare address, which Postfix still accepts in
    /// HELO for compatibility with old clients.
    static func isValidAddressLiteral(_ raw: String) -> Bool { IPAddress(raw) != nil }

    static func isAddressLiteral(_ name: String) -> Bool { name.hasPrefix("[") }

    /// One trailing dot removed ("a.example." → "a.example"), not two.
    static func withoutTrailingDot(_ name: String) -> String {
        name.hasSuffix(".") && !name.hasSuffix("..") ? String(name.dropLast()) : name
    }

    private static func isLDH(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
    }
}
