/// A DNS list to query and which answers count as listed: Postfix's
/// `zone[=d.d.d.d]` argument of reject_rbl_client / reject_rhsbl_sender, where each of the
/// four octets of the filter is a number, a range `[2..11]` or a list `[2;4;9..11]`
/// (postconf(5), "reject_rbl_client rbl_domain=d.d.d.d").
public struct DNSListQuery: Sendable, Hashable, CustomStringConvertible {
    /// The zone, lowercased, no trailing dot (shown in the reply as `blocked using ZONE`).
    public let zone: String
    /// Four octet sets; nil = any A record counts.
    public let filter: [[ClosedRange<UInt8>]]?
    private let filterText: String?

    /// Parses `zone` or `zone=filter`; the error names what is wrong.
    public init(_ argument: String) throws(DNSListQueryError) {
        var zone = Substring(argument)
        var filterText: Substring?
        if let eq = argument.firstIndex(of: "=") {
            zone = argument[..<eq]
            filterText = argument[argument.index(after: eq)...]
        }
        while zone.hasSuffix(".") { zone = zone.dropLast() }
        guard !zone.isEmpty, zone.contains("."), zone.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
        else { throw DNSListQueryError(argument: argument, reason: "bad zone name") }
        self.zone = zone.lowercased()
        if let filterText {
            let octets = Self.splitOctets(filterText)
            guard octets.count == 4 else { throw DNSListQueryError(argument: argument, reason: "filter needs four octets") }
            var parsed: [[ClosedRange<UInt8>]] = []
            for octet in octets {
                guard let set = Self.octetSet(octet) else {
                    throw DNSListQueryError(argument: argument, reason: "bad filter octet '\(octet)'")
                }
                parsed.append(set)
            }
            self.filter = parsed
            self.filterText = String(filterText)
        } else {
            self.filter = nil
            self.filterText = nil
        }
    }

    /// Splits at the dots outside brackets: `127.0.0.[2..11]` → 127, 0, 0, [2..11].
    private static func splitOctets(_ text: Substring) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var depth = 0
        for index in text.indices {
            switch text[index] {
            case "[": depth += 1
            case "]": depth -= 1
            case "." where depth == 0:
                parts.append(text[start..<index])
                start = text.index(after: index)
            default: break
            }
        }
        parts.append(text[start...])
        return parts
    }

    /// `5`, `[2..11]`, `[2;4;9..11]`.
    private static func octetSet(_ text: Substring) -> [ClosedRange<UInt8>]? {
        guard text.hasPrefix("[") else { return UInt8(text).map { [$0...$0] } }
        guard text.hasSuffix("]"), text.count > 2 else { return nil }
        var ranges: [ClosedRange<UInt8>] = []
        for item in text.dropFirst().dropLast().split(separator: ";", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: ".", omittingEmptySubsequences: false)
            if bounds.count == 1, let n = UInt8(item) {
                ranges.append(n...n)
            } else if bounds.count == 3, bounds[1].isEmpty, let lo = UInt8(bounds[0]), let hi = UInt8(bounds[2]), lo <= hi {
                ranges.append(lo...hi)  // "2..11" splits on "." into "2", "", "11"
            } else {
                return nil
            }
        }
        return ranges
    }

    /// Whether one A answer (dotted quad) is a listing under the filter.
    public func matches(_ answer: String) -> Bool {
        guard let filter else { return true }
        let octets = answer.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { return false }
        return zip(octets, filter).allSatisfy { octet, set in set.contains { $0.contains(octet) } }
    }

    public var description: String { filterText.map { "\(zone)=\($0)" } ?? zone }
}

/// A reject_rbl_client / reject_rhsbl_sender argument that does not parse.
public struct DNSListQueryError: Error, Sendable, Hashable, CustomStringConvertible {
    public let argument: String
    public let reason: String
    public var description: String { "bad DNS list '\(argument)': \(reason)" }
}
