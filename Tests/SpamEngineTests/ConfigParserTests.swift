import XCTest
@testable import SpamEngine

final class ConfigParserTests: XCTestCase {
    private func parse(_ text: String, file: String = "t.cf", plugins: Set<String>? = nil) -> RuleConfiguration {
        var config = RuleConfiguration()
        RuleLoader.parse(text: text, file: file, into: &config, pluginsAvailable: plugins)
        return config
    }

    private func regex(_ rule: RuleDefinition?, file: StaticString = #filePath, line: UInt = #line) -> PerlRegex? {
        switch rule?.test {
        case .regex(let re)?, .header(_, let re, _, _)?, .mimeHeader(_, let re, _, _)?: return re
        default:
            XCTFail("no regex rule", file: file, line: line)
            return nil
        }
    }

    func testRuleKindsAndMetadata() {
        let config = parse("""
            # comment line
              body  TEST_BODY   /buy now/i   # trailing comment
            rawbody TEST_RAW m{<b>x</b>}
            uri TEST_URI m!^https?://[^/]*\\.example\\!com!i
            full TEST_FULL /^X-Foo/m
            header TEST_HDR  From:addr =~ /@example\\.com$/i [if-unset: none@x]
            header TEST_NEG Subject !~ /./
            header TEST_EXISTS exists:X-Mailer
            header TEST_EVAL eval:check_for_missing_to_header()
            body TEST_BEVAL eval:check_stock_info('4', "a,b" , 3)
            mimeheader TEST_MIME Content-Type:raw =~ /pdf/
            meta TEST_META TEST_BODY && (TEST_URI || !TEST_HDR)
            meta __SUB TEST_BODY + TEST_RAW > 1
            score TEST_BODY 2.5
            score TEST_URI 1 2 3 4
            describe TEST_BODY Says buy now
            tflags TEST_BODY nice
            tflags TEST_BODY multiple maxhits=3
            priority TEST_META -100
            """)
        XCTAssertEqual(config.diagnostics, [])
        XCTAssertEqual(config.rules.count, 12)
        XCTAssertEqual(config.order.first, "TEST_BODY")
        let body = config.rules["TEST_BODY"]
        XCTAssertEqual(body?.kind, .body)
        XCTAssertEqual(regex(body), PerlRegex(pattern: "buy now", flags: "i"))
        XCTAssertEqual(body?.scores, [2.5])
        XCTAssertEqual(body?.describe, "Says buy now")
        XCTAssertEqual(body?.tflags, ["multiple", "maxhits=3"])
        XCTAssertEqual(body?.location, SourceLocation(file: "t.cf", line: 2))
        XCTAssertEqual(regex(config.rules["TEST_RAW"]), PerlRegex(pattern: "<b>x</b>", flags: ""))
        XCTAssertEqual(regex(config.rules["TEST_URI"]), PerlRegex(pattern: "^https?://[^/]*\\.example\\!com", flags: "i"))
        XCTAssertEqual(config.rules["TEST_URI"]?.scores, [1, 2, 3, 4])
        XCTAssertEqual(config.rules["TEST_HDR"]?.test, .header(
            HeaderSelector(name: "From", modifiers: [.addr]), PerlRegex(pattern: "@example\\.com$", flags: "i"),
            negated: false, ifUnset: "none@x"))
        XCTAssertEqual(config.rules["TEST_NEG"]?.test, .header(
            HeaderSelector(name: "Subject"), PerlRegex(pattern: ".", flags: ""), negated: true, ifUnset: nil))
        XCTAssertEqual(config.rules["TEST_EXISTS"]?.test, .headerExists("X-Mailer"))
        XCTAssertEqual(config.rules["TEST_EVAL"]?.test, .eval(EvalCall(function: "check_for_missing_to_header", arguments: [])))
        XCTAssertEqual(config.rules["TEST_BEVAL"]?.test, .eval(EvalCall(function: "check_stock_info", arguments: ["4", "a,b", "3"])))
        XCTAssertEqual(config.rules["TEST_MIME"]?.test, .mimeHeader(
            HeaderSelector(name: "Content-Type", modifiers: [.raw]), PerlRegex(pattern: "pdf", flags: ""), negated: false, ifUnset: nil))
        XCTAssertEqual(config.rules["TEST_META"]?.test, .meta("TEST_BODY && (TEST_URI || !TEST_HDR)"))
        XCTAssertEqual(config.rules["TEST_META"]?.priority, -100)
        XCTAssertEqual(config.rules["__SUB"]?.isSubRule, true)
        XCTAssertEqual(config.countsByKind[.header], 4)
    }

    func testHeaderModifierChainsAndPseudoHeaders() {
        let config = parse("""
            header A From:addr:domain =~ /example/
            header B ALL =~ /^X-Bad/m
            header C From:name:raw=~/x/
            header D From:first =~ /x/
            header E From:bogus =~ /x/
            """)
        XCTAssertEqual(config.rules["A"]?.test, .header(HeaderSelector(name: "From", modifiers: [.addr, .domain]),
                                                     PerlRegex(pattern: "example", flags: ""), negated: false, ifUnset: nil))
        XCTAssertEqual(config.rules["B"]?.test, .header(HeaderSelector(name: "ALL"), PerlRegex(pattern: "^X-Bad", flags: "m"),
                                                     negated: false, ifUnset: nil))
        XCTAssertEqual(config.rules["C"]?.test, .header(HeaderSelector(name: "From", modifiers: [.name, .raw]),
                                                     PerlRegex(pattern: "x", flags: ""), negated: false, ifUnset: nil))
        XCTAssertNil(config.rules["D"])
        XCTAssertNil(config.rules["E"])
        XCTAssertEqual(config.diagnostics.map(\.location.line), [4, 5])
    }

    func testRegexDelimitersAndEscapes() {
        let cases: [(String, PerlRegex)] = [
            ("/a\\/b/i", PerlRegex(pattern: "a\\/b", flags: "i")),
            ("m{a{2}b}", PerlRegex(pattern: "a{2}b", flags: "")),
            ("m!x\\!y!s", PerlRegex(pattern: "x\\!y", flags: "s")),
            ("m|a|b|", PerlRegex(pattern: "a|b", flags: "")),  // unquoted '|' delimiter: error below
            ("m(foo)x", PerlRegex(pattern: "foo", flags: "x")),
            ("m%^https?://%i", PerlRegex(pattern: "^https?://", flags: "i")),
            ("/a\\\\/", PerlRegex(pattern: "a\\\\", flags: "")),
            ("qr/z/", PerlRegex(pattern: "z", flags: "")),
        ]
        for (index, (text, expected)) in cases.enumerated() {
            let result = RegexLiteral.parse(Substring(text))
            if index == 3 {
                XCTAssertEqual(result, .failure(.unquotedDelimiter("|")), text)
            } else {
                XCTAssertEqual(result, .success(expected), text)
            }
        }
        XCTAssertEqual(RegexLiteral.parse("/abc"), .failure(.badEnd("/")))
        XCTAssertEqual(RegexLiteral.parse("abc"), .failure(.missingDelimiters))
        XCTAssertEqual(RegexLiteral.parse("/a(?{ 1 })/"), .failure(.codeBlock))
        XCTAssertEqual(RegexLiteral.parse("/a/b/"), .failure(.unquotedDelimiter("/")))

        // `\#` is a literal hash, an unescaped one starts a comment.
        let config = parse("body HASH /a\\#b/ # comment")
        XCTAssertEqual(regex(config.rules["HASH"]), PerlRegex(pattern: "a#b", flags: ""))
    }

    func testConditionalsNest() {
        let config = parse("""
            ifplugin Mail::SpamAssassin::Plugin::HTMLEval
              body IN_HTML /a/
              if (version >= 3.004000)
                body IN_VERSION /a/
                if !plugin(Mail::SpamAssassin::Plugin::DCC)
                  body NO_DCC /a/
                else
                  body WITH_DCC /a/
                endif
              else
                body OLD_VERSION /a/
              endif
            endif
            ifplugin Mail::SpamAssassin::Plugin::DCC
              body IN_DCC /a/
              if version >= 3.000000
                body NESTED_IN_FALSE /a/
              else
                body ELSE_IN_FALSE /a/
              endif
            else
              body NOT_DCC /a/
            endif
            if can(Mail::SpamAssassin::Conf::feature_bug6558_free) && (version > 4 || perl_version < 5)
              body FEATURE /a/
            endif
            if can(Mail::SpamAssassin::Conf::feature_no_such_thing) || !(can(Mail::SpamAssassin::Plugin::BodyEval::has_check_body_length))
              body NO_FEATURE /a/
            endif
            if !can(Mail::SpamAssassin::Conf::compat_welcomelist_blocklist)
              body COMPAT /a/
            endif
            """, plugins: [
                "Mail::SpamAssassin::Plugin::HTMLEval", "Mail::SpamAssassin::Plugin::BodyEval",
            ])
        XCTAssertEqual(config.diagnostics, [])
        XCTAssertEqual(Set(config.rules.keys), ["IN_HTML", "IN_VERSION", "NO_DCC", "NOT_DCC", "FEATURE", "COMPAT"])
    }

    func testLoadpluginIsRecordedButOnlyAvailablePluginsCount() {
        let config = parse("""
            loadplugin Mail::SpamAssassin::Plugin::Pyzor
            loadplugin Mail::SpamAssassin::Plugin::Dmarc /some/path.pm
            ifplugin Mail::SpamAssassin::Plugin::Pyzor
              body PYZOR /a/
            endif
            """, plugins: [])
        XCTAssertTrue(config.loadedPlugins.contains("Mail::SpamAssassin::Plugin::Pyzor"))
        XCTAssertTrue(config.loadedPlugins.contains("Mail::SpamAssassin::Plugin::DMARC"))
        XCTAssertNil(config.rules["PYZOR"])
    }

    func testScoreBeforeRuleAndOverrideInLaterFile() {
        var config = RuleConfiguration()
        RuleLoader.parse(text: "score LATE 3.0\ndescribe LATE later\nbody EARLY /x/\nscore EARLY 1", file: "10_a.cf", into: &config)
        RuleLoader.parse(text: "body LATE /y/\nscore EARLY 0.5 0.6 0.7 0.8\nbody EARLY /z/i", file: "20_b.cf", into: &config)
        XCTAssertEqual(config.diagnostics, [])
        XCTAssertEqual(config.rules["LATE"]?.scores, [3.0])
        XCTAssertEqual(config.rules["LATE"]?.describe, "later")
        XCTAssertEqual(config.rules["EARLY"]?.scores, [0.5, 0.6, 0.7, 0.8])
        XCTAssertEqual(regex(config.rules["EARLY"]), PerlRegex(pattern: "z", flags: "i"))
        XCTAssertEqual(config.rules["EARLY"]?.location, SourceLocation(file: "20_b.cf", line: 3))
        XCTAssertEqual(config.order, ["EARLY", "LATE"])

        RuleLoader.parse(text: "score EARLY (1)", file: "30_c.cf", into: &config)
        XCTAssertEqual(config.rules["EARLY"]?.scores, [1.5, 1.6, 1.7, 1.8])
    }

    func testLoadReadsDirectoriesInLexicalOrderAndIncludes() throws {
        let dir = NSTemporaryDirectory() + "moat-config-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "body A /first/\nscore A 1\ninclude sub/extra.inc\n".write(toFile: dir + "/10_a.cf", atomically: true, encoding: .utf8)
        try "body A /second/\nscore B 2\n".write(toFile: dir + "/20_b.cf", atomically: true, encoding: .utf8)
        try "body B /included/\nbody BAD /unterminated\n".write(toFile: dir + "/sub/extra.inc", atomically: true, encoding: .utf8)
        try "body IGNORED /x/\n".write(toFile: dir + "/readme.txt", atomically: true, encoding: .utf8)
        try "score A 5\n".write(toFile: dir + "/local.cf.extra", atomically: true, encoding: .utf8)
        try "score A 7\nrequired_score 6.31\n".write(toFile: dir + "/override.conf", atomically: true, encoding: .utf8)

        let config = RuleLoader.load(directories: [dir, dir + "/override.conf"], pluginsAvailable: RuleLoader.nativePlugins)
        XCTAssertEqual(regex(config.rules["A"]), PerlRegex(pattern: "second", flags: ""))
        XCTAssertEqual(config.rules["A"]?.scores, [7])
        XCTAssertEqual(config.rules["B"]?.scores, [2])
        XCTAssertEqual(config.rules["B"]?.location, SourceLocation(file: dir + "/sub/extra.inc", line: 1))
        XCTAssertNil(config.rules["IGNORED"])
        XCTAssertEqual(config.requiredScore, 6.31)
        XCTAssertEqual(config.diagnostics.map(\.description), [
            "\(dir)/sub/extra.inc:2: error: body BAD: unterminated regexp: no closing '/' followed only by modifiers: /unterminated",
        ])
    }

    func testReplaceTagsExpansion() {
        let config = parse("""
            replace_start <
            replace_end >
            replace_tag A (?:a|4|@)
            replace_tag C (?:c|k)
            replace_tag CA <C><A>
            replace_inter W1 \\W?
            replace_post P2 {1,2}
            replace_pre PR x
            body T1 /<C><A>sh/i
            body T2 /<inter W1><C><A>sh/
            body T3 /<post P2><C><A>/i
            body T4 /<CA>!/
            body T5 /<pre PR><A>-<A>/
            body NOT_LISTED /<C><A>/
            replace_rules T1 T2 T3 T4 T5
            """)
        XCTAssertEqual(config.diagnostics, [])
        XCTAssertEqual(regex(config.rules["T1"]), PerlRegex(pattern: "(?:c|k)(?:a|4|@)sh", flags: "i"))
        XCTAssertEqual(regex(config.rules["T2"]), PerlRegex(pattern: "(?:c|k)\\W?(?:a|4|@)sh", flags: ""))
        XCTAssertEqual(regex(config.rules["T3"]), PerlRegex(pattern: "(?:c|k){1,2}(?:a|4|@){1,2}", flags: "i"))
        XCTAssertEqual(regex(config.rules["T4"]), PerlRegex(pattern: "(?:c|k)(?:a|4|@)!", flags: ""))
        XCTAssertEqual(regex(config.rules["T5"]), PerlRegex(pattern: "x(?:a|4|@)-x(?:a|4|@)", flags: ""))
        XCTAssertEqual(regex(config.rules["NOT_LISTED"]), PerlRegex(pattern: "<C><A>", flags: ""))
    }

    func testDirectivesListsAndHeaders() {
        let config = parse("""
            required_hits 6
            rewrite_header Subject *****SPAM*****
            rewrite_header from (spam)
            add_header all Status _YESNO_, score=_SCORE_
            add_header spam Flag _YESNOCAPS_
            clear_headers
            add_header all Level _STARS(*)_
            trusted_networks 10.0.0.0/8 !10.1.0.0/16
            trusted_networks 192.0.2.1
            internal_networks 10.0.0.0/8
            msa_networks 10.9.0.0/16
            whitelist_from *@good.example friend@x.example
            unwelcomelist_from friend@x.example
            blacklist_from *@bad.example
            welcomelist_from_rcvd joe@example.com example.net
            def_whitelist_from_rcvd *@paypal.com paypal.com
            uridnsbl URIBL_SBL sbl.spamhaus.org. TXT
            freemail_domains gmail.com hotmail.*
            bayes_stopword_en (?:you|me)
            lang de describe FOO Etwas
            lang en describe FOO Something
            report_contact postmaster@x
            frobnicate 3
            """)
        XCTAssertEqual(config.requiredScore, 6)
        XCTAssertEqual(config.rewriteHeaders, ["Subject": "*****SPAM*****", "From": "[spam]"])
        XCTAssertEqual(config.addHeaders.map { "\($0.when) \($0.name) \($0.value)" }, ["all Level _STARS(*)_"])
        XCTAssertEqual(config.trustedNetworks, ["10.0.0.0/8", "!10.1.0.0/16", "192.0.2.1"])
        XCTAssertEqual(config.internalNetworks, ["10.0.0.0/8"])
        XCTAssertEqual(config.msaNetworks, ["10.9.0.0/16"])
        XCTAssertEqual(config.welcomelistFrom, ["*@good.example"])
        XCTAssertEqual(config.blocklistFrom, ["*@bad.example"])
        XCTAssertEqual(config.welcomelistFromRcvd.map { "\($0.address) \($0.relayDomain)" }, ["joe@example.com example.net"])
        XCTAssertEqual(config.directives["def_welcomelist_from_rcvd"]?.map(\.value), ["*@paypal.com paypal.com"])
        XCTAssertEqual(config.directives["uridnsbl"]?.first?.value, "URIBL_SBL sbl.spamhaus.org. TXT")
        XCTAssertEqual(config.directives["uridnsbl"]?.first?.location, SourceLocation(file: "t.cf", line: 17))
        XCTAssertEqual(config.directives["freemail_domains"]?.count, 1)
        XCTAssertEqual(config.directives["bayes_stopword_en"]?.count, 1)
        XCTAssertEqual(config.parserState.describes["FOO"], "Something")
        XCTAssertEqual(config.directives["report_contact"]?.count, 1)
        XCTAssertEqual(config.diagnostics.map(\.description), ["t.cf:23: warning: unknown directive 'frobnicate'"])
    }

    func testLintErrorsWithLocations() {
        let config = parse("""
            body OK /fine/
            body BROKEN /unbalanced(/
            body 9BAD /x/
            header NOOP From /x/
            header MISSING
            meta META_X OK && UNDEFINED_DEP
            score GHOST 1.0
            score OK abc
            uri NODELIM foo
            body EVALBAD eval:not a call
            endif
            if (version >=
            endif
            body X /a/
            """)
        let rendered = config.diagnostics.map(\.description)
        XCTAssertEqual(rendered.count, 11, rendered.joined(separator: "\n"))
        XCTAssertTrue(rendered.contains { $0.hasPrefix("t.cf:2: error: invalid regexp for BROKEN /unbalanced(/") }, "\(rendered)")
        XCTAssertTrue(rendered.contains("t.cf:3: error: body: invalid rule name '9BAD'"))
        XCTAssertTrue(rendered.contains { $0.hasPrefix("t.cf:4: error: header NOOP:") })
        XCTAssertTrue(rendered.contains("t.cf:5: error: header MISSING: missing test"))
        XCTAssertTrue(rendered.contains("t.cf:6: warning: meta META_X depends on undefined rule UNDEFINED_DEP"))
        XCTAssertTrue(rendered.contains("t.cf:7: warning: score set for undefined rule GHOST"))
        XCTAssertTrue(rendered.contains("t.cf:8: error: score OK: 'abc' is not a number"))
        XCTAssertTrue(rendered.contains("t.cf:9: error: uri NODELIM: missing regexp delimiters: foo"))
        XCTAssertTrue(rendered.contains("t.cf:10: error: body EVALBAD: malformed eval call 'not a call'"))
        XCTAssertTrue(rendered.contains("t.cf:11: error: 'endif' without 'if'"))
        XCTAssertTrue(rendered.contains { $0.hasPrefix("t.cf:12: warning: cannot evaluate condition") })
        XCTAssertEqual(config.diagnostics.filter { $0.severity == .error }.count, 8)
        XCTAssertNotNil(config.rules["OK"])
        XCTAssertNil(config.rules["BROKEN"])
        // The failed `if` skips its block; its endif closes it, so X is read.
        XCTAssertNotNil(config.rules["X"])
    }

    func testRandomInputNeverCrashes() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("body header meta score if endif else ifplugin /m{}!#\\()[]<>:=~ \n\tAZ_az09-,'\"eval:exists:".utf8)
        for _ in 0..<300 {
            let length = Int.random(in: 0..<400, using: &generator)
            let bytes = (0..<length).map { _ in alphabet.randomElement(using: &generator)! }
            var config = RuleConfiguration()
            RuleLoader.parse(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.cf", into: &config)
        }
    }
}
