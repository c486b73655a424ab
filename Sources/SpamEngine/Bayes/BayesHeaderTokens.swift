/// `_tokenize_headers` and its `_pre_chew_*` helpers from SpamAssassin's Bayes.pm.
extension BayesTokenizer {
    /// Header values grouped by their token prefix (after `H`): compressed names such as
    /// `*r` for Received, the `*MI`/`*Ad`/`*UA` maps, or the header name itself.
    func headerValues(_ input: BayesInput) -> [(String, [[UInt8]])] {
        var lines: [(String, [UInt8])] = []
        var received: [(String, [UInt8])] = []
        for h in input.headers {
            if h.name.lowercased() == "received" { received.append(h); continue }
            if Self.ignoredHeaderRE.matches(Array(h.name.utf8)) { continue }
            lines.append(h)
        }
        lines += input.metadata
        // The last two Received fields (the oldest hops): spamware tokens and HELO names.
        if let last = received.last { lines.append(last) }
        if received.count >= 2 { lines.append(received[received.count - 2]) }

        var order: [String] = []
        var parsed: [String: [[UInt8]]] = [:]
        func add(_ key: String, _ value: [UInt8]) {
            if parsed[key] == nil { order.append(key); parsed[key] = [] }
            parsed[key]!.append(value)
        }
        for (name, rawValue) in lines {
            // `next unless /\S/` on the "Name: value" line; the name is never blank here.
            if ignoredHeaders.contains(name.lowercased()) { continue }
            var value = rawValue
            if value.last == 0x0A { value.removeLast() }
            let nameBytes = Array(name.utf8)
            if Self.messageIDNameRE.matches(nameBytes) {
                value = Self.preChewMessageID(value)
            } else if Self.addressNameRE.matches(nameBytes) {
                value = Self.preChewAddressHeader(value)
            } else if name == "Received" {
                value = Self.preChewReceived(value)
            } else if name == "Content-Type" {
                value = Self.preChewContentType(value)
            } else if name == "MIME-Version" {
                value = Self.mimeVersionRE.replace(value, with: "", global: false)
            } else if Self.presenceOnlyRE.matches(nameBytes) {
                value = [UInt8(ascii: "1")]
            } else if Self.relaysNameRE.matches(nameBytes) {
                value = Self.relaysWordRE.replace(value, with: " ")
            }
            let lower = name.lowercased()
            if lower == "in-reply-to" || lower == "references" || lower == "message-id" { add("*MI", value) }
            if lower == "from" || lower == "to" || lower == "cc" { add("*Ad", value) }
            if lower == "x-mailer" || lower == "user-agent" { add("*UA", value) }
            add(Self.headerNameCompression[name] ?? name, value)
        }
        return order.map { ($0, parsed[$0]!) }
    }

    static let headerNameCompression: [String: String] = [
        "Message-Id": "*m", "Message-ID": "*M", "Received": "*r", "User-Agent": "*u",
        "References": "*f", "In-Reply-To": "*i", "From": "*F", "Reply-To": "*R",
        "Return-Path": "*p", "Return-path": "*rp", "X-Mailer": "*x",
        "X-Authentication-Warning": "*a", "Organization": "*o", "Organisation": "*o",
        "Content-Type": "*ct", "Content-Disposition": "*cd", "Content-Transfer-Encoding": "*ce",
        "x-spam-relays-trusted": "*RT", "x-spam-relays-untrusted": "*RU",
    ]

    /// `$IGNORED_HDRS` (Received is handled apart).
    static let ignoredHeaderRE = ByteRegex(#"""
        ^(?: (?:X-)?Sender |Delivered-To |Delivery-Date |(?:X-)?Envelope-To
          |X-MIME-Auto[Cc]onverted |X-Converted-To-Plain-Text |Subject |Date
          |X-List|(?:X-)?Mailing-List
          |(?:X-)?List-(?:Archive|Help|Id|Owner|Post|Subscribe|Unsubscribe|Host|Id|Manager|Admin|Comment|Name|Url)
          |X-Unsub(?:scribe)? |X-Mailman-Version |X-Been[Tt]here |X-Loop |Mail-Followup-To
          |X-eGroups-(?:Return|From) |X-MDMailing-List |X-XEmacs-List |X-Sympa-To
          |(?:X-)?Resent-(?:From|To|Date) |(?:X-)?Original-(?:From|To|Date)
          |X-MailScanner(?:-SpamCheck)? |X-Spam(?:-(?:Status|Level|Flag|Report|Hits|Score|Checker-Version))?
          |X-Antispam |X-RBL-Warning |X-Mailscanner |X-MDaemon-Deliver-To |X-Virus-Scanned
          |X-Mass-Check-Id |X-Pyzor |X-DCC-\S{2,25}-Metrics |X-Filtered-B[Yy] |X-Scanned-By |X-Scanner
          |X-AP-Spam-(?:Score|Status) |X-RIPE-Spam-Status |X-SpamCop-[^:]+ |X-SMTPD |(?:X-)?Spam-Apparently-To
          |SPAM |X-Perlmx-Spam |X-Bogosity
          |Content-Class |Thread-(?:Index|Topic) |X-Original[Aa]rrival[Tt]ime
          |(?:X-)?Status |X-Flags |X-Keywords |Replied |Forwarded |Lines |Content-Length |X-UIDL? |X-IMAPbase
          |X-Bugzilla-[^:]+
          |X-VM-(?:Bookmark|(?:POP|IMAP)-Retrieved|Labels|Last-Modified|Summary-Format|VHeader|v\d-Data|Message-Order)
          | X-Gnus-Mail-Source | Xref
        )$
        """#, [.caseless, .extended])

    /// `$MARK_PRESENCE_ONLY_HDRS`
    static let presenceOnlyRE = ByteRegex(#"""
        ^(?: X-Face |X-(?:Gnu-?PG|PGP|GPG)(?:-Key)?-Fingerprint |D(?:KIM|omainKey)-Signature
          |X-Google-DKIM-Signature |ARC-(?:Message-Signature|Seal) |Autocrypt )$
        """#, [.caseless, .extended])

    static let messageIDNameRE = ByteRegex(#"^(?:|X-|Resent-)Message-Id$"#, [.caseless])
    static let addressNameRE = ByteRegex(
        #"^(?:|X-|Resent-)(?:Return-Path|From|To|Cc|Reply-To|Errors-To|Mail-Followup-To|Sender)$"#, [.caseless])
    static let relaysNameRE = ByteRegex(#"^x-spam-relays-(?:external|internal|trusted|untrusted)$"#)
    static let relaysWordRE = ByteRegex(#" [a-z]+="#)
    static let mimeVersionRE = ByteRegex(#"1\.0"#)

    // MARK: Message-ID

    static let outlookExpressIDRE = ByteRegex(
        #"<([0-9a-f]{4})[0-9a-f]{4}[0-9a-f]{4}\$([0-9a-f]{4})[0-9a-f]{4}\$([0-9a-f]{8})\@(\S+)>"#)
    static let eximIDRE = ByteRegex(#"<[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-0[A-Za-z0-9]\@"#)
    static let sendmailIDRE = ByteRegex(#"<20\d\d[01]\d[0123]\d[012]\d[012345]\d[012345]\d\.[A-F0-9]{10,12}\@"#)

    static func preChewMessageID(_ value: [UInt8]) -> [UInt8] {
        var v = outlookExpressIDRE.substitute(value) { s, g in
            var r: [UInt8] = Array(" OEA".utf8)
            r += s.group(g, 1)
            r += Array(" OEB".utf8)
            r += s.group(g, 2)
            r += Array(" OEC".utf8)
            r += s.group(g, 3)
            r.append(0x20)
            r += s.group(g, 4)
            r.append(0x20)
            return r
        }
        v = eximIDRE.replace(v, with: "", global: false)
        v = sendmailIDRE.replace(v, with: "")
        return v.map { isWord($0) ? $0 : 0x20 }
    }

    // MARK: Received

    static let receivedIDREs: [ByteRegex] = [
        ByteRegex(#"\swith\sSMTP\sid\sg[\dA-Z]{10,12}\s"#),
        ByteRegex(#"\swith\sESMTP\sid\s[\dA-F]{10,12}\s"#),
        ByteRegex(#"\bid\s[a-zA-Z0-9]{7,20}\b"#),
        ByteRegex(#"\bid\s[A-Za-z0-9]{7}-[A-Za-z0-9]{6}-0[A-Za-z0-9]"#),
    ]
    static let receivedDateRE = ByteRegex(#"""
        (?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s)?
        [0-3\s]?[0-9]\s
        (?:Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec)\s
        (?:19|20)?[0-9]{2}\s
        [0-2][0-9](?:\:[0-5][0-9]){1,2}\s
        (?:\s*\(|\)|\s*(?:[+-][0-9]{4})|\s*(?:UT|[A-Z]{2,3}T))*
        """#, [.extended])
    static let receivedIPRE = ByteRegex(#"\b(\d{1,3}\.)(\d{1,3}\.)(\d{1,3})(\.\d{1,3})\b"#)
    static let receivedNoiseRE = ByteRegex(#"\b(?:with|from|for|SMTP|ESMTP)\b"#)

    static func preChewReceived(_ value: [UInt8]) -> [UInt8] {
        var v = value
        for re in receivedIDREs { v = re.replace(v, with: " ") }
        v = receivedDateRE.replace(v, with: "")
        // SpamAssassin compares "$2 eq '10'" where $2 keeps its dot, so the /24 is always used.
        v = receivedIPRE.substitute(v) { s, g in
            let net = Array(s.group(g, 1) + s.group(g, 2) + s.group(g, 3))
            return net + Array(" ip*".utf8) + net + s.group(g, 4) + [0x20]
        }
        return receivedNoiseRE.replace(v, with: " ")
    }

    // MARK: Content-Type

    static let boundaryRE = ByteRegex(#"boundary=["'](.*?)["']"#, [.caseless])
    static let separatorRunRE = ByteRegex(#"([-_\.=]+)"#)
    static let contentTypeStopRE = ByteRegex(#"\b(?:text|charset)\b"#)

    static func preChewContentType(_ value: [UInt8]) -> [UInt8] {
        var boundary: [UInt8]? = nil
        var v = boundaryRE.substitute(value) { s, g in
            boundary = Array(s.group(g, 1))
            return [0x20]
        }
        if var b = boundary {
            b = b.map { isHexDigit($0) ? UInt8(ascii: "H") : $0 }
            b = separatorRunRE.substitute(b) { s, g in [0x20] + s.group(g, 1) + [0x20] }
            v += b
        }
        return contentTypeStopRE.replace(v, with: " ")
    }

    static func isHexDigit(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    // MARK: Address headers

    static func preChewAddressHeader(_ value: [UInt8]) -> [UInt8] {
        var tokens: [[UInt8]] = []
        for address in HeaderAddressParser.parse(value) {
            if let phrase = address.phrase {
                for word in splitPerlWhitespace(phrase, keepLeadingEmpty: true) {
                    tokens.append(Array("N*".utf8) + word)
                }
            }
            if let addr = address.address, let at = addr.lastIndex(of: UInt8(ascii: "@")) {
                var out: [[UInt8]] = []
                mailAddressTokens(addr, at: at, into: &out)
                tokens += out
            }
        }
        var joined: [UInt8] = []
        for (i, t) in tokens.enumerated() {
            if i > 0 { joined.append(0x20) }
            joined += t
        }
        return joined
    }

    /// Perl `split(/\s+/, $s)` without the empty fields (they make no token anyway).
    static func splitPerlWhitespace(_ s: [UInt8], keepLeadingEmpty _: Bool) -> [[UInt8]] {
        s.split(whereSeparator: { $0 == 0x20 || ($0 >= 0x09 && $0 <= 0x0D) }).map { Array($0) }
    }
}
