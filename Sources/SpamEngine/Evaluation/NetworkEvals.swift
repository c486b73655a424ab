import DNS
import Foundation
import Logging

/// The network rules of one compiled ruleset (`check_rbl`, `check_rbl_txt`,
/// `check_rbl_sub`, and `check_uridnsbl` rules defined by `urirhsbl`/`urirhssub`), with
/// their checkers built once. Per message: `queries` before the local rules run,
/// `hits` once the answers are in.
struct NetworkEvals: Sendable {
    /// The eval functions answered by DNS lookups.
    static let functions: Set<String> = ["check_rbl", "check_rbl_txt", "check_rbl_sub", "check_uridnsbl"]

    let rbl: RBLChecker?
    let uribl: URIBLChecker?
    /// `check_uridnsbl` rules that cannot run: defined by a directive Moat does not
    /// implement (`uridnsbl`, `urinsrhsbl`, …), or not defined at all, or no Public Suffix List.
    let unsupported: [String]

    var isEmpty: Bool { rbl == nil && uribl == nil }

    init(ruleset: CompiledRuleset, config: RuleConfiguration, publicSuffixes: PublicSuffixList?, logger: Logger) {
        var rblRules: [RBLRule] = []
        var uriblRules: [URIBLRule] = []
        var unsupported: [String] = []
        let definitions = Self.uriDefinitions(config)
        for eval in ruleset.activeEvals(calling: Self.functions) {
            let args = eval.call.arguments
            let tflags = config.rules[eval.name]?.tflags ?? []
            let nice = tflags.contains("nice")
            do {
                switch eval.call.function {
                case "check_rbl" where args.count >= 2:
                    rblRules.append(try RBLRule.checkRBL(eval.name, set: args[0], zone: args[1],
                                                         subtest: args.count > 2 ? args[2] : nil, isNice: nice))
                case "check_rbl_txt" where args.count >= 2:
                    rblRules.append(try RBLRule.checkRBLTXT(eval.name, set: args[0], zone: args[1],
                                                            subtest: args.count > 2 ? args[2] : nil, isNice: nice))
                case "check_rbl_sub" where args.count >= 2:
                    rblRules.append(try RBLRule.checkRBLSub(eval.name, set: args[0], subtest: args[1], isNice: nice))
                case "check_uridnsbl":
                    // The argument names the urirhsbl/urirhssub definition (the rule's own name).
                    let key = args.first ?? eval.name
                    guard publicSuffixes != nil, var rule = definitions[key] else {
                        unsupported.append(eval.name)
                        continue
                    }
                    rule.name = eval.name
                    rule.notrim = tflags.contains("notrim")
                    rule.ipsOnly = tflags.contains("ips_only")
                    rule.domainsOnly = tflags.contains("domains_only")
                    uriblRules.append(rule)
                default:
                    logger.warning("rules: \(eval.name): \(eval.call.function) needs more arguments; skipped")
                }
            } catch {
                logger.warning("rules: \(eval.name): invalid subtest: \(error); skipped")
            }
        }
        let trust = RelayTrust(config)
        rbl = rblRules.isEmpty ? nil : RBLChecker(rules: rblRules, isTrusted: { trust.isTrusted($0) })
        if let publicSuffixes, !uriblRules.isEmpty {
            let skip = (config.directives["uridnsbl_skip_domain"] ?? []).flatMap { $0.value.split(whereSeparator: \.isWhitespace).map(String.init) }
            let max = config.directives["uridnsbl_max_domains"]?.last.flatMap { Int($0.value.trimmingCharacters(in: .whitespaces)) } ?? 20
            uribl = URIBLChecker(rules: uriblRules, publicSuffixes: publicSuffixes, skipDomains: Set(skip), maxDomains: max)
        } else {
            uribl = nil
        }
        self.unsupported = unsupported
    }

    /// `urirhssub NAME zone type subtest` and `urirhsbl NAME zone type`, by NAME (later
    /// definitions win).
    static func uriDefinitions(_ config: RuleConfiguration) -> [String: URIBLRule] {
        var out: [String: URIBLRule] = [:]
        for entry in config.directives["urirhsbl"] ?? [] {
            let w = entry.value.split(whereSeparator: \.isWhitespace).map(String.init)
            guard w.count >= 3, let rule = URIBLRule.urirhsbl(w[0], zone: w[1], type: w[2]) else { continue }
            out[w[0]] = rule
        }
        for entry in config.directives["urirhssub"] ?? [] {
            let w = entry.value.split(whereSeparator: \.isWhitespace).map(String.init)
            guard w.count >= 4, let rule = URIBLRule.urirhssub(w[0], zone: w[1], type: w[2], subtest: w[3]) else { continue }
            out[w[0]] = rule
        }
        return out
    }

    /// The relay addresses DNSBLs are asked about: the untrusted relays, newest first, and
    /// every relay outside internal_networks for the `-lastexternal` sets.
    static func relays(of message: SAMessage) -> RelayIPs {
        RelayIPs(untrusted: message.relays.untrusted.map(\.ip), external: message.relays.external.map(\.ip))
    }

    /// URI hosts in the message's order (SpamAssassin's uri list).
    static func uriHosts(of message: SAMessage) -> [String] {
        var seen = Set<String>()
        var out: [String] = []
        for uri in message.uris {
            guard let host = URIBLChecker.host(ofURI: String(decoding: uri, as: UTF8.self)),
                  seen.insert(host).inserted else { continue }
            out.append(host)
        }
        return out
    }

    func queries(relays: RelayIPs, hosts: [String]) -> [DNSQuery] {
        (rbl?.queries(relays: relays) ?? []) + (uribl?.queries(hosts: hosts) ?? [])
    }

    func hits(relays: RelayIPs, hosts: [String], answers: NetworkAnswers) -> [NetworkHit] {
        (rbl?.hits(relays: relays, answers: answers) ?? []) + (uribl?.hits(hosts: hosts, answers: answers) ?? [])
    }

    /// Starts every lookup of `message` at once under `budget`; the task's value is the
    /// network hits. Nil when there is nothing to ask.
    func start(_ message: SAMessage, resolver: any Resolver, budget: Duration) -> Task<[NetworkHit], Never>? {
        let relays = Self.relays(of: message)
        let hosts = uribl == nil ? [] : Self.uriHosts(of: message)
        let queries = queries(relays: relays, hosts: hosts)
        guard !queries.isEmpty else { return nil }
        return Task {
            let answers = await NetworkChecks.run(queries, resolver: resolver, budget: budget)
            return hits(relays: relays, hosts: hosts, answers: answers)
        }
    }
}
