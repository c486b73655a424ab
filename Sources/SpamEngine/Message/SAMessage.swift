import MIME

/// A message as SpamAssassin 4.0.1's rules see it, built once per message.
///
/// Every text is `[UInt8]`: body, header and uri texts are UTF-8 octets (SpamAssassin
/// decodes to characters, then `utf8::encode`s before matching — see ``SACharset``);
/// rawbody is transfer-decoded but left in the part's own charset; `full` is the message
/// exactly as received.
public final class SAMessage: Sendable {
    /// The parsed MIME message.
    public let message: MIMEMessage
    /// SMTP `MAIL FROM`, when known (`EnvelopeFrom` pseudo-header).
    public let envelopeFrom: String?
    /// `get_decoded_stripped_body_text_array`: Subject line first, then text parts decoded,
    /// HTML rendered, whitespace collapsed, one element per paragraph/line (≤ 2048 bytes).
    public let bodyParagraphs: [[UInt8]]
    /// `get_decoded_body_text_array`: text/* and message/* parts transfer-decoded (not
    /// transcoded, not rendered), in chunks of 2–4 kB split at newlines/`>`/spaces.
    public let rawbodyLines: [[UInt8]]
    /// `get_uri_list`: every cleaned URI variant from text and HTML, unique, sorted.
    public let uris: [[UInt8]]
    /// Summary of the last HTML part (SpamAssassin's `$msg->{metadata}->{html}`); empty
    /// (``HTMLSummary/isHTML`` false) when the message has no HTML part.
    public let html: HTMLSummary
    /// Summaries of every HTML part, in order (`html_all`).
    public let htmlParts: [HTMLSummary]
    /// Structural MIME facts for MIMEEval-style eval functions.
    public let mimeFacts: MIMEFacts
    /// Relays parsed from `Received` headers, split at the trust boundary of `trust`.
    public let relays: SARelays

    /// The text parts as the body renderer decoded and rendered them.
    let textParts: [SABodyRenderer.TextPart]
    let headerStore: SAHeaderStore
    let partHeaders: [SAHeaderStore]

    /// The pristine message (`full` rules).
    public var full: [UInt8] { message.bytes }
    let memo = SAMessageMemo()

    /// - Parameters:
    ///   - envelopeFrom: the SMTP `MAIL FROM` address when the caller knows it (`<>` is "").
    ///   - trust: the rule files' trusted/internal networks (SpamAssassin's inference if none).
    public init(_ message: MIMEMessage, envelopeFrom: String? = nil, trust: RelayTrust = .inferred) {
        self.message = message
        self.envelopeFrom = envelopeFrom
        let parts = message.allParts
        // The root is the first part: its store serves both the message header and the
        // per-part lookups, each header decoded once.
        let partHeaders = parts.map { SAHeaderStore($0.headers) }
        let store = partHeaders[0]
        self.headerStore = store
        self.partHeaders = partHeaders

        var rendered = SABodyRenderer(message: message, subject: store.last("subject"))
        rendered.run()
        self.bodyParagraphs = rendered.paragraphs
        self.rawbodyLines = SABodyRenderer.rawbody(message)
        self.htmlParts = rendered.htmlSummaries
        self.textParts = rendered.textParts
        self.html = rendered.htmlSummaries.last ?? HTMLSummary()
        self.uris = SAURIList.build(paragraphs: rendered.paragraphs, html: rendered.htmlSummaries)
        self.mimeFacts = MIMEFacts(message, allParts: parts, headers: partHeaders)
        self.relays = SARelays(store, trust: trust)
    }

    /// Convenience: parse `bytes` and build the view.
    public convenience init(bytes: [UInt8], envelopeFrom: String? = nil, trust: RelayTrust = .inferred) {
        self.init(MIMEMessage.parse(bytes), envelopeFrom: envelopeFrom, trust: trust)
    }

    // MARK: headers

    /// The text a `header` rule matches for `selector`, as SpamAssassin's Check plugin builds
    /// it from `$pms->get()`: values joined (each decoded value already ends in "\n";
    /// `:addr`/`:name` values are joined with "\n"). Nil when the header is absent or the
    /// modifier yields nothing (so `[if-unset: …]` applies).
    public func header(_ selector: HeaderSelector) -> [UInt8]? {
        memo.header(selector) { joinedHeader(selector) }
    }

    private func joinedHeader(_ selector: HeaderSelector) -> [UInt8]? {
        // Not through the memoized list: most selectors are read only as a whole.
        let values = computeHeaderValues(selector)
        guard let first = values.first else { return nil }
        if values.count == 1 { return first }
        let sep: [UInt8] = first.last == 0x0A ? [] : [0x0A]
        var out: [UInt8] = []
        for (i, v) in values.enumerated() {
            if i > 0 { out.append(contentsOf: sep) }
            out.append(contentsOf: v)
        }
        return out
    }

    /// SpamAssassin's `get_envelope_from`: the given SMTP sender, else the envelope-from
    /// recorded by the last untrusted (or first trusted) relay, else `X-Envelope-From`,
    /// `Envelope-Sender` or `Return-Path` when no Received header precedes any copy of them
    /// (a header below a Received line was added by someone else and proves nothing).
    private var derivedEnvelopeFrom: String? {
        memoized(Self.derivedEnvelopeFromKey) { computeDerivedEnvelopeFrom() }
    }

    private static let derivedEnvelopeFromKey = SAMemoKey<String?>()
    private static let trustedRelaysKey = SAMemoKey<[UInt8]>()
    private static let untrustedRelaysKey = SAMemoKey<[UInt8]>()

    private func computeDerivedEnvelopeFrom() -> String? {
        if let envelopeFrom { return envelopeFrom }
        if let lastHop = relays.untrusted.first ?? relays.trusted.last {
            let envfrom = lastHop.envfrom
            if envfrom.isEmpty || (envfrom.firstIndex(of: "@").map { $0 > envfrom.startIndex } ?? false) {
                if !envfrom.isEmpty { return envfrom }
            }
        }
        let firstAddress = { (header: String) -> String? in
            self.headerValues(HeaderSelector(name: header, modifiers: [.addr])).first
                .map { String(decoding: $0, as: UTF8.self) }
        }
        if let xSender = firstAddress("X-Sender"), xSender.contains("@") {
            let received = headerValues(HeaderSelector(name: "Received"))
            if received.contains(where: { String(decoding: $0, as: UTF8.self).contains("(fetchmail") }) { return nil }
        }
        let names = headerStore.fields.map(\.lname)
        let firstReceived = names.firstIndex(of: "received")
        for header in ["X-Envelope-From", "Envelope-Sender", "Return-Path"] {
            guard let address = firstAddress(header) else { continue }
            // `get("ALL") =~ /^Received:.*?^Return-Path:/smi`: any copy below a Received
            // header, not only the first, makes the header untrustworthy.
            let position = names.lastIndex(of: header.lowercased())
            if let firstReceived, let position, position > firstReceived {
                if header == "X-Envelope-From" { return nil }
                continue
            }
            return address
        }
        return nil
    }

    /// `$pms->get()` in list context: one element per value.
    public func headerValues(_ selector: HeaderSelector) -> [[UInt8]] {
        memo.headerValues(selector) { computeHeaderValues(selector) }
    }

    private func computeHeaderValues(_ selector: HeaderSelector) -> [[UInt8]] {
        let mods = selector.modifiers
        let raw = mods.contains(.raw)
        let wantAddr = mods.contains(.addr), wantName = mods.contains(.name)
        let name = selector.name
        let lname = name.lowercased()
        var results: [[UInt8]]
        switch name {
        case "ALL":
            results = raw ? headerStore.allRawLines() : headerStore.allDecodedLines()
            return results
        case "ALL-TRUSTED", "ALL-INTERNAL":
            return headerStore.linesInReceivedRange(from: nil, to: relays.lastTrustedIndex + 1, raw: raw)
        case "ALL-UNTRUSTED", "ALL-EXTERNAL":
            return headerStore.linesInReceivedRange(from: relays.lastTrustedIndex + 1, to: nil, raw: raw)
        case "MESSAGEID":
            results = ["X-Message-Id", "Resent-Message-Id", "X-Original-Message-ID", "Message-Id"].flatMap {
                (raw ? headerStore.rawUnfolded($0) : headerStore.decoded($0)).filter { !$0.isEmpty }
            }
        default:
            if lname == "envelopefrom" {
                results = derivedEnvelopeFrom.map { [Array(($0 + "\n").utf8)] } ?? []
            } else if lname == "x-spam-relays-untrusted" || lname == "x-spam-relays-external" {
                results = [memoized(Self.untrustedRelaysKey) { relays.untrustedString }]
            } else if lname == "x-spam-relays-trusted" || lname == "x-spam-relays-internal" {
                results = [memoized(Self.trustedRelaysKey) { relays.trustedString }]
            } else if lname == "tocc" {
                results = raw ? headerStore.rawUnfolded("To") + headerStore.rawUnfolded("Cc")
                              : headerStore.decoded("To") + headerStore.decoded("Cc")
            } else {
                let key = SAHeaderStore.Name(lowercased: lname)
                results = raw || wantAddr || wantName ? headerStore.raw(key) : headerStore.decoded(key)
            }
        }
        if results.isEmpty { return [] }
        if wantAddr || wantName {
            var out: [[UInt8]] = []
            for line in results {
                // `:addr` and `:name` of one header (and several evals) parse the same lines.
                for a in memo.addresses(line, compute: { SAAddressParser.parse(line) }) {
                    if wantAddr {
                        if let addr = a.address { out.append(addr) }
                    } else if let phrase = a.phrase {
                        if raw { out.append(phrase); continue }
                        var d = SAHeaderDecoding.decodeHeader(phrase, name: "PMS:get")
                        if d.contains(where: { !UTF8Text.isASCIISpace($0) }) {
                            d = Array(UTF8Text.trimUnicodeSpaceASCII(UTF8Text.collapseSpace(d, unicode: false)))
                            if d.count >= 2, d.first == 0x27, d.last == 0x27 { d = Array(d.dropFirst().dropLast()) }
                        }
                        out.append(d)
                    }
                }
            }
            results = out
        }
        return results
    }

    /// Values of `selector`'s header in every MIME part (root first, depth-first), decoded
    /// (or raw with `:raw`), each ending in "\n" as SpamAssassin's `get_header` returns them.
    public func mimeHeaders(_ selector: HeaderSelector) -> [[UInt8]] {
        let raw = selector.modifiers.contains(.raw)
        return partHeaders.flatMap { raw ? $0.rawUnfolded(selector.name) : $0.decoded(selector.name) }
    }

    // MARK: SpamAssassin's transfer decoders

    /// `Util::qp_decode`: trailing blanks before line ends removed, soft breaks joined,
    /// `=XX` decoded (either case), anything else kept.
    static func qpDecode<C: Collection>(_ input: C) -> [UInt8] where C.Element == UInt8 {
        let input = Array(input)
        var s: [UInt8] = []
        s.reserveCapacity(input.count)
        var k = 0
        while k < input.count {
            let b = input[k]
            if b == 0x20 || b == 0x09 {
                var j = k
                while j < input.count, input[j] == 0x20 || input[j] == 0x09 { j += 1 }
                if j < input.count, input[j] == 0x0A || (input[j] == 0x0D && j + 1 < input.count && input[j + 1] == 0x0A) { k = j; continue }
                s.append(contentsOf: input[k..<j]); k = j; continue
            }
            s.append(b); k += 1
        }
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = 0
        let n = s.count
        while i < n {
            let b = s[i]
            if b == 0x3D {
                if i + 1 < n, s[i + 1] == 0x0A { i += 2; continue }
                if i + 2 < n, s[i + 1] == 0x0D, s[i + 2] == 0x0A { i += 3; continue }
                if i + 2 < n, let h = hex(s[i + 1]), let l = hex(s[i + 2]) { out.append(h << 4 | l); i += 3; continue }
            }
            out.append(b); i += 1
        }
        return out
    }

    @inline(__always) static func hex(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x30...0x39: return b - 0x30
        case 0x41...0x46: return b - 0x37
        case 0x61...0x66: return b - 0x57
        default: return nil
        }
    }
}
