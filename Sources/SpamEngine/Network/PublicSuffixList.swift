import Foundation

/// The Public Suffix List (https://publicsuffix.org/list/, shipped as
/// `Rules/data/public_suffix_list.dat`): which part of a host name is a public suffix, and
/// so which domain is the registrable one that URIBLs list.
///
/// Rules (publicsuffix.org "Formal Algorithm"): a line is a suffix (`co.uk`), a wildcard
/// (`*.ck`: every label under it is a suffix) or an exception (`!www.ck`: not a suffix
/// although a wildcard covers it). The longest matching rule wins, an exception over all;
/// with no match the rule `*` applies (the last label is the suffix). Both the ICANN and the
/// private sections are used, as browsers do. Rules in Unicode are also stored in their
/// Punycode form, so `xn--` host names match them.
public struct PublicSuffixList: Sendable {
    private var rules: Set<String> = []
    private var wildcards: Set<String> = []
    private var exceptions: Set<String> = []

    public var ruleCount: Int { rules.count + wildcards.count + exceptions.count }

    public init(text: String) {
        for rawLine in text.split(whereSeparator: \.isNewline) {
            // A rule is the first whitespace-delimited word; comments start with //.
            guard let word = rawLine.split(whereSeparator: \.isWhitespace).first, !word.hasPrefix("//") else { continue }
            var rule = word.lowercased()
            while rule.hasSuffix(".") { rule.removeLast() }
            guard !rule.isEmpty else { continue }
            for form in Set([rule, Punycode.asciiHost(rule) ?? rule]) {
                if form.hasPrefix("!") {
                    exceptions.insert(String(form.dropFirst()))
                } else if form.hasPrefix("*.") {
                    wildcards.insert(String(form.dropFirst(2)))
                } else if form != "*" {
                    rules.insert(form)
                }
            }
        }
    }

    public init(contentsOfFile path: String) throws {
        self.init(text: try String(contentsOfFile: path, encoding: .utf8))
    }

    /// The public suffix of `host` (`co.uk` for `www.example.co.uk`); nil for IP
    /// addresses and malformed names.
    public func publicSuffix(_ host: String) -> String? {
        guard let labels = Self.labels(host) else { return nil }
        return labels[suffixStart(labels)...].joined(separator: ".")
    }

    /// The registrable domain: the public suffix plus one label (`example.co.uk`); nil when
    /// the host is itself a public suffix, an IP address or malformed.
    public func registrableDomain(_ host: String) -> String? {
        guard let labels = Self.labels(host) else { return nil }
        let start = suffixStart(labels)
        guard start > 0 else { return nil }
        return labels[(start - 1)...].joined(separator: ".")
    }

    /// Index of the first label of the public suffix.
    private func suffixStart(_ labels: [String]) -> Int {
        for i in labels.indices {
            let candidate = labels[i...].joined(separator: ".")
            if exceptions.contains(candidate) { return i + 1 }
            if rules.contains(candidate) { return i }
            if i + 1 < labels.count, wildcards.contains(labels[(i + 1)...].joined(separator: ".")) { return i }
        }
        return labels.count - 1
    }

    /// Lower-cased labels, trailing dot removed; nil for IP literals, empty labels or names
    /// longer than DNS allows.
    static func labels(_ host: String) -> [String]? {
        var h = host.lowercased()
        if h.hasSuffix(".") { h.removeLast() }
        guard !h.isEmpty, h.utf8.count <= 253, !h.hasPrefix("["), IPAddressText.ipv4(h) == nil, !h.contains(":") else { return nil }
        let labels = h.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard labels.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 63 }) else { return nil }
        return labels
    }
}

/// RFC 3492 Punycode encoding of host labels (IDNA `xn--` form, without nameprep: the
/// input is expected lower-cased, as PSL rules are).
enum Punycode {
    static func asciiHost(_ host: String) -> String? {
        var out: [String] = []
        for label in host.split(separator: ".", omittingEmptySubsequences: false) {
            if label.allSatisfy(\.isASCII) {
                out.append(String(label))
            } else {
                guard let encoded = encode(String(label)) else { return nil }
                out.append("xn--" + encoded)
            }
        }
        return out.joined(separator: ".")
    }

    static func encode(_ input: String) -> String? {
        let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        let scalars = input.unicodeScalars.map { Int($0.value) }
        var output = scalars.filter { $0 < 0x80 }.map { Character(Unicode.Scalar(UInt8($0))) }
        let basicCount = output.count
        if basicCount > 0 { output.append("-") }
        func digit(_ d: Int) -> Character { Character(Unicode.Scalar(UInt8(d < 26 ? d + 97 : d + 22))) }
        func adapt(_ delta: Int, _ numPoints: Int, _ first: Bool) -> Int {
            var delta = first ? delta / damp : delta / 2
            delta += delta / numPoints
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 {
                delta /= base - tMin
                k += base
            }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }
        var n = 0x80, delta = 0, bias = 72, handled = basicCount
        while handled < scalars.count {
            guard let m = scalars.filter({ $0 >= n }).min() else { return nil }
            let (product, overflow) = (m - n).multipliedReportingOverflow(by: handled + 1)
            guard !overflow else { return nil }
            delta += product
            n = m
            for c in scalars {
                if c < n { delta += 1 }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, handled + 1, handled == basicCount)
                    delta = 0
                    handled += 1
                }
            }
            delta += 1
            n += 1
        }
        return String(output)
    }
}
