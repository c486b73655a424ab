import Foundation
import MIME
import PCRE

/// Ports of `Mail::SpamAssassin::Plugin::HeaderEval` (4.0.1). Each function reads the
/// message only through `RuleSubject.header`, whose values follow scalar `$pms->get()`:
/// instances joined, each ending in "\n"; `:addr`/`:name` the first address only.
public enum HeaderEvals {
    typealias S = EvalSupport

    // MARK: - Registration

    /// `now` is injectable for tests (`received_within_months`, fetchmail times).
    static func register(into registry: inout EvalRegistry, config: RuleConfiguration,
                         now: @escaping @Sendable () -> Int) {
        let boundaries = EvalRegistryBoundaries(config: config)
        let simple: [(String, @Sendable (EvalInput) -> Bool)] = [
            ("check_for_fake_aol_relay_in_rcvd", checkForFakeAOLRelayInRcvd),
            ("check_for_unique_subject_id", { _ in false }),
            ("check_illegal_chars", checkIllegalChars),
            ("check_for_forged_hotmail_received_headers", checkForForgedHotmailReceivedHeaders),
            ("check_for_no_hotmail_received_headers", checkForNoHotmailReceivedHeaders),
            ("check_for_msn_groups_headers", { checkForMSNGroupsHeaders($0.subject) }),
            ("check_for_forged_eudoramail_received_headers", checkForForgedEudoramailReceivedHeaders),
            ("check_for_forged_yahoo_received_headers", checkForForgedYahooReceivedHeaders),
            ("check_for_forged_juno_received_headers", checkForForgedJunoReceivedHeaders),
            ("check_for_forged_gmail_received_headers", checkForForgedGmailReceivedHeaders),
            ("check_for_matching_env_and_hdr_from", checkForMatchingEnvAndHdrFrom),
            ("check_for_missing_to_header", checkForMissingToHeader),
            ("check_for_forged_gw05_received_headers", checkForForgedGW05ReceivedHeaders),
            ("check_for_shifted_date", { checkForShiftedDate($0, now: now()) }),
            ("subject_is_all_caps", subjectIsAllCaps),
            ("check_for_to_in_subject", checkForToInSubject),
            ("check_outlook_message_id", checkOutlookMessageID),
            ("check_messageid_not_usable", checkMessageIDNotUsable),
            ("check_header_count_range", checkHeaderCountRange),
            ("check_unresolved_template", checkUnresolvedTemplate),
            ("check_ratware_name_id", checkRatwareNameID),
            ("check_ratware_envelope_from", { checkRatwareEnvelopeFrom($0, boundaries: boundaries) }),
            ("gated_through_received_hdr_remover", { gatedThroughReceivedHdrRemover($0.subject) }),
            ("received_within_months", { receivedWithinMonths($0, now: now()) }),
            ("check_equal_from_domains", checkEqualFromDomains),
        ]
        for (name, function) in simple {
            registry.register(name) { function($0) ? 1 : 0 }
        }
    }

    // MARK: - Simple header checks

    private static let aolRelay = S.regex(" rly-[a-z][a-z]\\d\\d\\.", [.caseless])
    private static let aolVia = S.regex("\\/AOL-\\d+\\.\\d+\\.\\d+\\)")
    private static let aolRelayID = S.regex("ESMTP id (?:RELAY|MAILRELAY|MAILIN)")
    private static let squeezedReceivedKey = SAMemoKey<[UInt8]>()

    /// The Received headers with whitespace squeezed, as several forged-relay checks read
    /// them: once per message.
    static func squeezedReceived(_ subject: any RuleSubject) -> [UInt8] {
        S.memo(subject, squeezedReceivedKey) { UTF8Text.collapseSpace(S.getOrEmpty(subject, "Received"), unicode: false) }
    }

    static func checkForFakeAOLRelayInRcvd(_ input: EvalInput) -> Bool {
        let received = squeezedReceived(input.subject)
        guard S.matches(aolRelay, received) else { return false }
        if S.matches(aolVia, received) || S.matches(aolRelayID, received) { return false }
        return true
    }

    /// `check_illegal_chars(header, ratio, count)`
    static func checkIllegalChars(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 3 else { return false }
        var header = input.arguments[0]
        if !header.hasSuffix(":raw") { header += ":raw" }
        guard let ratio = S.number(input.arguments[1]), let count = S.number(input.arguments[2]) else { return false }
        guard let str = S.get(input.subject, header), str.contains(where: { !S.isSpace($0) }) else { return false }
        if str.contains(where: { $0 >= 0x80 }) && String(validating: str, as: UTF8.self) != nil {
            let hasControls = str.contains { isIllegal($0) && $0 < 0x7F }
            if !hasControls { return false }
        }
        var illegal = 0
        for b in str where isIllegal(b) { illegal += 1 }
        if illegal > 0 && header.lowercased() == "subject:raw" {
            var exempt = 0
            for b in str where b == 0xA2 || b == 0xA3 || b == 0xAE { exempt += 1 }
            if exempt == 1 { illegal -= 1 }
        }
        return Double(illegal) / Double(str.count) >= ratio && Double(illegal) >= count
    }

    /// `tr/\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\xff//`
    static func isIllegal(_ b: UInt8) -> Bool {
        if b <= 0x08 || b == 0x0B || b == 0x0C { return true }
        return (b >= 0x0E && b <= 0x1F) || b >= 0x7F
    }

    private static let ezmlm = S.regex("^contact \\S+\\@\\S+\\; run by ezmlm$", [.multiline])
    private static let mailingList = S.regex("^mailing list \\S+\\@\\S+", [.multiline])
    private static let qmailInvoked = S.regex("qmail \\d+ invoked (?:from network|by .{3,20})\\); \\d+ ... \\d+")
    private static let msnGroupsRcvd = S.regex("from groups\\.msn\\.com \\(\\S+\\.msn\\.com ")

    static func gatedThroughReceivedHdrRemover(_ subject: any RuleSubject) -> Bool {
        if let text = S.get(subject, "Mailing-List"), S.matches(ezmlm, text) {
            let deliveredTo = S.getOrEmpty(subject, "Delivered-To")
            let received = S.getOrEmpty(subject, "Received")
            if S.matches(mailingList, deliveredTo) && S.matches(qmailInvoked, received) { return true }
        }
        guard let received = S.get(subject, "Received") else { return true }
        return S.matches(msnGroupsRcvd, received)
    }

    // MARK: - Hotmail / MSN

    private static let msnGroupsTo = S.regex("<(\\S+)\\@groups\\.msn\\.com>", [.caseless])
    private static let msnPickup = S.regex("from mail pickup service by ((?:p\\d\\d\\.)groups\\.msn\\.com)\\b")

    static func checkForMSNGroupsHeaders(_ subject: any RuleSubject) -> Bool {
        guard let to = S.captures(msnGroupsTo, S.getOrEmpty(subject, "To")), let listname = to[1] else { return false }
        guard let pickup = S.captures(msnPickup, S.getOrEmpty(subject, "Received")), let server = pickup[1] else { return false }
        let messageID = S.getOrEmpty(subject, "Message-Id")
        if listname == Array("notifications".utf8) {
            return S.matches(S.regex("^<\\S+\\@" + S.quoteRegexInterpolation(server) + ">"), messageID)
        }
        let list = S.quoteRegexInterpolation(listname)
        guard S.matches(S.regex("^<" + list + "-\\S+\\@groups\\.msn\\.com>"), messageID) else { return false }
        return S.matches(S.regex(list + "-bounce\\@groups\\.msn\\.com"), S.getOrEmpty(subject, "EnvelopeFrom:addr"))
    }

    private static let hotmailPickup = S.regex("from mail pickup service by hotmail\\.com with Microsoft SMTPSVC;")
    private static let ipAddress = S.regex(S.withIP("$IP_ADDRESS"))
    private static let originator = S.regex("hotmail\\.com|msonline\\-outlook")
    private static let hotmailChecks: [PCRERegex] = [
        S.regex("from (?:\\S*\\.)?hotmail.com \\(\\S+\\.hotmail(?:\\.msn)?\\.com[ \\)]"),
        S.regex(S.withIP("from \\S*\\.hotmail.com \\(\\[$IP_ADDRESS\\][ \\):]")),
        S.regex("from \\S+ by \\S+\\.hotmail(?:\\.msn)?\\.com with HTTP\\;"),
        S.regex("from \\[66\\.218.\\S+\\] by \\S+\\.yahoo\\.com"),
    ]
    private static let outlookChecks: [PCRERegex] = [
        S.regex("from \\S*\\.outbound\\.protection\\.outlook\\.com \\(\\S+\\.outbound\\.protection\\.outlook\\.com[ \\)]"),
        S.regex(S.withIP("from \\S*\\.(?:eur|nam)prd\\d+\\.prod\\.outlook\\.com \\($IP_ADDRESS\\)")),
    ]
    private static let hotmailHelo = S.regex("(?:from |HELO |helo=)\\S*hotmail\\.com\\b")
    private static let hotmailAddr = S.regex("\\bhotmail\\.com$", [.caseless])

    /// `_check_for_forged_hotmail_received_headers`: (forged hotmail Received, hotmail From without one).
    static func hotmailState(_ subject: any RuleSubject) -> (forged: Bool, noReceived: Bool) {
        // Two rules read the same state: computed once per message.
        let state = S.memo(subject, hotmailStateKey) { HotmailState(computeHotmailState(subject)) }
        return (state.forged, state.noReceived)
    }

    private static let hotmailStateKey = SAMemoKey<HotmailState>()

    private struct HotmailState: Sendable {
        var forged: Bool
        var noReceived: Bool
        init(_ t: (forged: Bool, noReceived: Bool)) { forged = t.forged; noReceived = t.noReceived }
    }

    private static func computeHotmailState(_ subject: any RuleSubject) -> (forged: Bool, noReceived: Bool) {
        let received = squeezedReceived(subject)
        if S.matches(hotmailPickup, received) { return (false, false) }
        if checkForMSNGroupsHeaders(subject) { return (false, false) }
        let ip = S.get(subject, "X-Originating-Ip").map { S.matches(ipAddress, $0) } ?? false
        let orig = S.get(subject, "X-OriginatorOrg").map { S.matches(originator, $0) } ?? false
        if gatedThroughReceivedHdrRemover(subject) { return (false, false) }
        if ip && S.matches(hotmailChecks[0], received) { return (false, false) }
        if orig && outlookChecks.contains(where: { S.matches($0, received) }) { return (false, false) }
        if ip && hotmailChecks.dropFirst().contains(where: { S.matches($0, received) }) { return (false, false) }
        if S.matches(hotmailHelo, received) { return (true, false) }
        let from = S.getOrEmpty(subject, "From:addr")
        if !S.matches(hotmailAddr, from) { return (false, false) }
        return (false, true)
    }

    static func checkForForgedHotmailReceivedHeaders(_ input: EvalInput) -> Bool { hotmailState(input.subject).forged }
    static func checkForNoHotmailReceivedHeaders(_ input: EvalInput) -> Bool { hotmailState(input.subject).noReceived }

    // MARK: - Other forged-relay checks

    private static let eudoraAddr = S.regex("\\beudoramail\\.com$", [.caseless])
    private static let whowhere = S.regex("by \\S*whowhere.com\\;")

    static func checkForForgedEudoramailReceivedHeaders(_ input: EvalInput) -> Bool {
        let subject = input.subject
        guard S.matches(eudoraAddr, S.getOrEmpty(subject, "From:addr")) else { return false }
        let received = squeezedReceived(subject)
        let ip = S.get(subject, "X-Sender-Ip").map { S.matches(ipAddress, $0) } ?? false
        if gatedThroughReceivedHdrRemover(subject) { return false }
        if ip && S.matches(whowhere, received) { return false }
        return true
    }

    private static let yahooAddr = S.regex("\\byahoo\\.com$", [.caseless])
    private static let trustedYahoo = S.regex(" rdns=\\S+\\.yahoo\\.com ")
    private static let untrustedYahoo = S.regex("^[^\\]]+ rdns=\\S+\\.yahoo\\.com ")
    private static let yahooOK: [PCRERegex] = [
        S.regex("by web\\S+\\.mail\\S*\\.yahoo\\.com via HTTP"),
        S.regex("by sonic\\S+\\.consmr\\.mail\\S*\\.yahoo\\.com with HTTP"),
        S.regex("by smtp\\S+\\.yahoo\\.com with SMTP"),
        S.regex(S.withIP("from \\[$IP_ADDRESS\\] by \\S+\\.(?:groups|scd|dcn)\\.yahoo\\.com with NNFMP")),
    ]
    private static let yahooBulk = S.regex("\\bmailer\\d+\\.bulk\\.scd\\.yahoo\\.com\\b")
    private static let yahooReply = S.regex("\\@reply\\.yahoo\\.com$", [.caseless])
    private static let yahooSendmail = S.regex("by \\w+\\.\\w+\\.yahoo\\.com \\(\\d+\\.\\d+\\.\\d+\\/\\d+\\.\\d+\\.\\d+\\)(?: with ESMTP)? id \\w+")

    /// Reads the relay strings through the `X-Spam-Relays-Trusted` / `-Untrusted` pseudo-headers;
    /// a subject without them is treated as having empty relay lists.
    static func checkForForgedYahooReceivedHeaders(_ input: EvalInput) -> Bool {
        let subject = input.subject
        let from = S.getOrEmpty(subject, "From:addr")
        guard S.matches(yahooAddr, from) else { return false }
        var received = S.getOrEmpty(subject, "Received")
        if !S.getOrEmpty(subject, "Resent-From").isEmpty && !S.getOrEmpty(subject, "Resent-To").isEmpty {
            let xReceived = S.getOrEmpty(subject, "X-Received")
            if !xReceived.isEmpty { received = xReceived }
        }
        received = UTF8Text.collapseSpace(received, unicode: false)
        if gatedThroughReceivedHdrRemover(subject) { return false }
        if S.matches(trustedYahoo, S.getOrEmpty(subject, "X-Spam-Relays-Trusted"))
            || S.matches(untrustedYahoo, S.getOrEmpty(subject, "X-Spam-Relays-Untrusted")) {
            return false
        }
        if yahooOK.contains(where: { S.matches($0, received) }) { return false }
        if S.matches(yahooBulk, received) && S.matches(yahooReply, from) { return false }
        if S.matches(yahooSendmail, received) { return false }
        return true
    }

    private static let junoAddr = S.regex("\\bjuno\\.com$", [.caseless])
    private static let junoRcvd = S.regex(S.withIP("from.*\\b(?:juno|untd)\\.com.*[\\[\\(]$IP_ADDRESS[\\]\\)].*by"))
    private static let junoCookie = S.regex(" cookie\\.(?:juno|untd)\\.com ")
    private static let mailComRcvd = S.regex(S.withIP("from.*\\bmail\\.com.*\\[$IP_ADDRESS\\].*by"))
    private static let mailComMailer = S.regex("\\bmail\\.com")
    private static let untdWebmail = S.regex(S.withIP("from (webmail\\S+\\.untd\\.com) \\(\\1 \\[$IP_ADDRESS\\]\\) by"))
    private static let webmailVersion = S.regex("^Webmail Version \\d")

    static func checkForForgedJunoReceivedHeaders(_ input: EvalInput) -> Bool {
        let subject = input.subject
        guard S.matches(junoAddr, S.getOrEmpty(subject, "From:addr")) else { return false }
        if gatedThroughReceivedHdrRemover(subject) { return false }
        let xorig = S.getOrEmpty(subject, "X-Originating-IP")
        let xmailer = S.getOrEmpty(subject, "X-Mailer")
        let received = S.getOrEmpty(subject, "Received")
        if !xorig.isEmpty {
            if !S.matches(junoRcvd, received) && !S.matches(junoCookie, received) { return true }
            if !contains(xmailer, Array("Juno ".utf8)) { return true }
        } else {
            if S.matches(mailComRcvd, received) {
                if !S.matches(mailComMailer, xmailer) { return true }
            } else if S.matches(untdWebmail, received) {
                if !S.matches(webmailVersion, xmailer) { return true }
            } else {
                return true
            }
            if !S.matches(ipAddress, xorig) { return true }
        }
        return false
    }

    private static let gmailAddr = S.regex("\\bgmail\\.com$", [.caseless])
    private static let gmailX1 = S.regex("by 10\\.\\S+ with SMTP id \\S+")
    private static let gmailX2 = S.regex("by 2002\\:a\\d\\d\\:\\w+\\:\\S+ with SMTP id \\S+")
    private static let gmailESMTPSA = S.regex("by smtp\\.googlemail\\.com with ESMTPSA id \\S+")

    static func checkForForgedGmailReceivedHeaders(_ input: EvalInput) -> Bool {
        let subject = input.subject
        guard S.matches(gmailAddr, S.getOrEmpty(subject, "From:addr")) else { return false }
        let xgms = S.getOrEmpty(subject, "X-Gm-Message-State")
        let xss = S.getOrEmpty(subject, "X-Google-Smtp-Source")
        let xreceived = S.getOrEmpty(subject, "X-Received")
        if S.matches(gmailX1, xreceived) || S.matches(gmailX2, xreceived) { return false }
        if S.matches(gmailESMTPSA, S.getOrEmpty(subject, "Received")) { return false }
        // Perl length() counts characters; these headers are ASCII.
        if xgms.count >= 60 && xss.count >= 60 { return false }
        return true
    }

    static func checkForMatchingEnvAndHdrFrom(_ input: EvalInput) -> Bool {
        S.lower(S.getOrEmpty(input.subject, "EnvelopeFrom:addr")) == S.lower(S.getOrEmpty(input.subject, "From:addr"))
    }

    static func checkForMissingToHeader(_ input: EvalInput) -> Bool {
        var header = S.getOrEmpty(input.subject, "To")
        if header.isEmpty { header = S.getOrEmpty(input.subject, "Apparently-To") }
        return header.isEmpty
    }

    private static let gw05 = S.regex(
        "\\nfrom\\s(\\S+)\\sby\\s(\\S+)\\swith\\sESMTP\\;\\s+\\S\\S\\S,\\s+\\d+\\s+\\S\\S\\S\\s+"
            + "\\d{4}\\s+\\d\\d:\\d\\d:\\d\\d\\s+[-+]*\\d{4}\\n$", [.dotAll])

    static func checkForForgedGW05ReceivedHeaders(_ input: EvalInput) -> Bool {
        guard let c = S.captures(gw05, S.getOrEmpty(input.subject, "Received")),
              c[1] != nil, let h2 = c[2] else { return false }
        return !h2.contains(UInt8(ascii: "."))
    }

    // MARK: - Dates

    /// `_get_date_header_time`: the first parseable Resent-Date, else Date, instance.
    static func dateHeaderTime(_ subject: any RuleSubject) -> Int? {
        for header in ["Resent-Date", "Date"] {
            for var date in S.instances(subject, header) where !date.isEmpty {
                if date.last == 0x0A { date.removeLast() }
                if let time = RFC822Date.parse(date) { return time }
            }
        }
        return nil
    }

    private static let localFrom = S.regex("\\bfrom (?:localhost\\s|(?:\\S+ ){1,2}\\S*\\b127\\.0\\.0\\.1\\b)")
    private static let qmailUID = S.regex("qmail \\d+ invoked by uid \\d+")
    private static let fetchmail = S.regex("\\bby localhost with \\w+ \\(fetchmail-[\\d.]+")
    static let receivedDate = S.regex("(\\s.?\\d+ \\S\\S\\S \\d+ \\d+:\\d+:\\d+ \\S+)")

    /// `_get_received_header_times`: (times of the Received headers, fetchmail time).
    static func receivedHeaderTimes(_ subject: any RuleSubject, now: Int) -> (times: [Int], fetchmail: Int?) {
        var received: [[UInt8]] = []
        let text = S.getOrEmpty(subject, "Received")
        if !text.isEmpty {
            received = S.lines(text).filter { $0.contains(where: { !S.isSpace($0) }) }
        }
        if received.isEmpty { return ([], nil) }
        var local: [[UInt8]] = []
        if S.matches(localFrom, received[0]) || S.matches(qmailUID, received[0]) {
            local.append(received.removeFirst())
        }
        if !received.isEmpty && S.matches(fetchmail, received[0]) {
            local.append(received.removeFirst())
        } else if !local.isEmpty {
            received.insert(local.removeFirst(), at: 0)
        }
        var fetchmailTime: Int?
        if !local.isEmpty {
            var times: [Int] = []
            for line in local {
                if let c = S.captures(receivedDate, line), let date = c[1],
                   let time = RFC822Date.parse(date), now >= time {
                    times.append(time)
                }
            }
            fetchmailTime = times.max()
        }
        var times: [Int] = []
        for line in received {
            if let c = S.captures(receivedDate, line), let date = c[1], let time = RFC822Date.parse(date) {
                times.append(time)
            }
        }
        return (times, fetchmailTime)
    }

    /// `_check_date_diff`: Date minus the closest Received time (0 when either is missing).
    static func dateDiff(_ subject: any RuleSubject, now: Int) -> Int {
        S.memo(subject, dateDiffKey) { computeDateDiff(subject, now: now) }
    }

    private static let dateDiffKey = SAMemoKey<Int>()

    private static func computeDateDiff(_ subject: any RuleSubject, now: Int) -> Int {
        guard let date = dateHeaderTime(subject) else { return 0 }
        let times = receivedHeaderTimes(subject, now: now).times
        guard !times.isEmpty else { return 0 }
        var diffs = times.map { date - $0 }
        if diffs.count > 1 && diffs.last == 0 { diffs.removeLast() }
        // Perl's sort is a stable merge sort: ties keep their order.
        let sorted = diffs.enumerated().sorted { a, b in
            abs(a.element) != abs(b.element) ? abs(a.element) < abs(b.element) : a.offset < b.offset
        }
        return sorted[0].element
    }

    static func checkForShiftedDate(_ input: EvalInput, now: Int) -> Bool {
        let args = input.arguments
        let minimum = S.number(args.count > 0 ? args[0] : nil)
        let maximum = S.number(args.count > 1 ? args[1] : nil)
        let diff = Double(dateDiff(input.subject, now: now))
        return (minimum.map { diff >= 3600 * $0 } ?? true) && (maximum.map { diff < 3600 * $0 } ?? true)
    }

    /// `_check_date_received`: the median of the candidate receive times (0 when none).
    static func dateReceived(_ subject: any RuleSubject, now: Int) -> Int {
        var candidates: [Int] = []
        let date = dateHeaderTime(subject)
        if let date { candidates.append(date) }
        let (times, fetchmailTime) = receivedHeaderTimes(subject, now: now)
        if let first = times.first { candidates.append(first) }
        if let fetchmailTime { candidates.append(fetchmailTime) }
        if let date, !times.isEmpty { candidates.append(date - dateDiff(subject, now: now)) }
        guard !candidates.isEmpty else { return 0 }
        return candidates.sorted(by: >)[(candidates.count - 1) / 2]
    }

    static func receivedWithinMonths(_ input: EvalInput, now: Int) -> Bool {
        let args = input.arguments
        let minimum = S.number(args.count > 0 ? args[0] : nil)
        let maximum = S.number(args.count > 1 ? args[1] : nil)
        let diff = Double(now - dateReceived(input.subject, now: now))
        return (minimum.map { diff >= 31556952 * ($0 / 12) } ?? true)
            && (maximum.map { diff < 31556952 * ($0 / 12) } ?? true)
    }

    private static let outlookID = S.regex("^<[0-9a-f]{4}([0-9a-f]{8})\\$[0-9a-f]{8}\\$[0-9a-f]{8}\\@")

    static func checkOutlookMessageID(_ input: EvalInput) -> Bool {
        let subject = input.subject
        guard let c = S.captures(outlookID, S.getOrEmpty(subject, "MESSAGEID")), let token = c[1],
              let timeToken = Int(S.text(token), radix: 16) else { return false }
        let x = 0.0023283064365387, y = 27111902.8329849, fudge = 250
        let date = RFC822Date.parse(S.getOrEmpty(subject, "Date")) ?? 0
        var expected = Int(Double(date) * x + y)
        if abs(timeToken - expected) < fudge { return false }
        // SpamAssassin matches a date in Received but then parses the whole Received text
        // ($_ is not reassigned by the match): reproduce that.
        let received = RFC822Date.parse(S.getOrEmpty(subject, "Received")) ?? 0
        expected = Int(Double(received) * x + y)
        return abs(timeToken - expected) >= fudge
    }

    // MARK: - Subject, Message-ID, templates

    private static let replyPrefixes = S.regex("^(?:(?:Re|Fwd|Fw|Aw|Antwort|WG|SV|VB|VS|VL):\\s*)+", [.caseless])
    private static let capsCharsets = S.regex(
        "=\\?[-_a-z0-9]*(?:koi|jp|jis|euc|gb|big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)[-_a-z0-9]*\\?",
        [.caseless])

    static func subjectIsAllCaps(_ input: EvalInput) -> Bool {
        var subject = S.trim(S.getOrEmpty(input.subject, "Subject"))
        if let range = replyPrefixes.firstMatch(in: subject) { subject.removeSubrange(range) }
        guard subject.contains(where: S.isSpace) else { return false }
        guard subject.count >= 10 else { return false }
        let letters = subject.filter { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) }
        if S.matches(capsCharsets, S.getOrEmpty(input.subject, "Subject:raw")) { return false }
        return !letters.isEmpty && !letters.contains(where: { $0 >= 0x61 && $0 <= 0x7A })
    }

    static func checkForToInSubject(_ input: EvalInput) -> Bool {
        let test = input.arguments.first ?? ""
        let fullTo = S.getOrEmpty(input.subject, "To:addr")
        guard !fullTo.isEmpty else { return false }
        let subject = S.getOrEmpty(input.subject, "Subject")
        if test == "address" {
            return InterpolatedPatterns.wordBounded(fullTo, in: subject)
        } else if test == "user" {
            var to = fullTo
            if let at = to.firstIndex(of: UInt8(ascii: "@")) {
                // s/\@.*// — `.` stops at a newline, which an address never holds.
                to.removeSubrange(at...)
            }
            return InterpolatedPatterns.localPartInSubject(to, in: subject)
        }
        return false
    }

    private static let leaveUnsubscribe = S.regex("<mailto:(?:leave-\\S+|\\S+-unsubscribe)\\@\\S+>$", [.caseless])
    private static let cwtDCE = S.regex("\\/CWT\\/DCE\\)")
    private static let iPlanet = S.regex("iPlanet Messaging Server")

    static func checkMessageIDNotUsable(_ input: EvalInput) -> Bool {
        let subject = input.subject
        if S.matches(leaveUnsubscribe, S.getOrEmpty(subject, "List-Unsubscribe")) { return true }
        if gatedThroughReceivedHdrRemover(subject) { return true }
        let received = S.getOrEmpty(subject, "Received")
        return S.matches(cwtDCE, received) || S.matches(iPlanet, received)
    }

    /// Counts distinct instances of a header (`get_header` in list context), recovered by
    /// splitting the joined value on "\n".
    static func checkHeaderCountRange(_ input: EvalInput) -> Bool {
        guard input.arguments.count >= 3,
              let minimum = S.number(input.arguments[1]), let maximum = S.number(input.arguments[2]) else { return false }
        var seen: Set<[UInt8]> = []
        for value in S.instances(input.subject, input.arguments[0]) { seen.insert(value) }
        let count = Double(seen.count)
        return count >= minimum && count <= maximum
    }

    /// Whether `%[A-Z][A-Z_-]` (byte mode) occurs in `text`: on the whole header block it
    /// decides most messages without splitting the block into lines.
    static func hasTemplateToken(_ text: [UInt8]) -> Bool {
        guard text.count >= 3 else { return false }
        for i in 0..<(text.count - 2) where text[i] == 0x25 {
            let a = text[i + 1], b = text[i + 2]
            if a >= 0x41 && a <= 0x5A && ((b >= 0x41 && b <= 0x5A) || b == 0x5F || b == 0x2D) { return true }
        }
        return false
    }
    private static let templateExempt = S.regex(
        "^(?:X-VMS-To|X-UIDL|X-Face|To|Cc|From|Subject|References|In-Reply-To|(?:X-|Resent-|X-Original-)?Message-Id):",
        [.caseless])

    static func checkUnresolvedTemplate(_ input: EvalInput) -> Bool {
        let all = S.getOrEmpty(input.subject, "ALL")
        // A token never spans lines: no token in the block, none in any line.
        guard hasTemplateToken(all) else { return false }
        for header in S.lines(all)
        where hasTemplateToken(header) && !S.matches(templateExempt, header) {
            return true
        }
        return false
    }

    private static let ratwareMID = S.regex("<[A-Z]{28}\\.([^>]+?)>")

    static func checkRatwareNameID(_ input: EvalInput) -> Bool {
        guard let c = S.captures(ratwareMID, S.getOrEmpty(input.subject, "MESSAGEID")), let tail = c[1] else { return false }
        let from = S.getOrEmpty(input.subject, "From")
        return S.matches(S.regex("\\\"[^\\\"]+\\\"\\s*<" + S.quoteRegexInterpolation(tail) + ">"), from)
    }

    private static let srs = S.regex("^SRS\\d[=+-]", [.caseless])
    private static let userAtDomain = S.regex("^([^@]+)\\@(.+)$")

    static func checkRatwareEnvelopeFrom(_ input: EvalInput, boundaries: EvalRegistryBoundaries) -> Bool {
        let to = S.getOrEmpty(input.subject, "To:addr")
        let from = S.getOrEmpty(input.subject, "EnvelopeFrom:addr")
        if from.isEmpty || to.isEmpty { return false }
        if S.matches(srs, from) { return false }
        guard let c = S.captures(userAtDomain, to), let user = c[1], let domain = c[2] else { return false }
        let trimmed = boundaries.trimDomain(S.text(domain))
        guard boundaries.isDomainValid(trimmed) else { return false }
        return InterpolatedPatterns.domainDotUser(Array(trimmed.utf8), user, in: from)
    }

    static func checkEqualFromDomains(_ input: EvalInput) -> Bool {
        let from = S.getOrEmpty(input.subject, "From:addr")
        let envelopeFrom = S.getOrEmpty(input.subject, "EnvelopeFrom:addr")
        let fromDomain = secondLevel(from)
        if fromDomain.isEmpty { return false }
        let envelopeDomain = secondLevel(envelopeFrom)
        if envelopeDomain.isEmpty { return false }
        return S.lower(fromDomain) != S.lower(envelopeDomain)
    }

    private static let domainAfterAt = S.regex("\\@([^@]*)\\z")
    private static let lastTwoLabels = S.regex("^.+\\.([^\\.]+\\.[^\\.]+)$")

    /// `$1 if /\@([^@]*)\z/`, then `s/^.+\.([^\.]+\.[^\.]+)$/$1/`.
    static func secondLevel(_ address: [UInt8]) -> [UInt8] {
        guard let c = S.captures(domainAfterAt, address), var domain = c[1] else { return [] }
        if let m = S.captures(lastTwoLabels, domain), let whole = m[0], let two = m[1] {
            // `$` may match before a final newline, which then stays.
            let range = (domain.startIndex + 0)..<(whole.count)
            domain.replaceSubrange(range, with: two)
        }
        return domain
    }

    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty else { return true }
        guard haystack.count >= needle.count else { return false }
        for start in 0...(haystack.count - needle.count) where haystack[start..<start + needle.count].elementsEqual(needle) {
            return true
        }
        return false
    }
}

extension EvalSupport {
    /// `\Q$var\E` inside a Perl regex (quotemeta of the interpolated bytes).
    static func quoteRegexInterpolation(_ bytes: [UInt8]) -> String { quoteMeta(bytes) }
}

extension EvalRegistry {
    /// Registers the HeaderEval plugin's functions under SpamAssassin's names.
    public mutating func registerHeaderEvals(config: RuleConfiguration) {
        HeaderEvals.register(into: &self, config: config, now: { Int(Date().timeIntervalSince1970) })
    }

    /// As above with a fixed clock (tests, replays).
    public mutating func registerHeaderEvals(config: RuleConfiguration, now: @escaping @Sendable () -> Int) {
        HeaderEvals.register(into: &self, config: config, now: now)
    }
}
