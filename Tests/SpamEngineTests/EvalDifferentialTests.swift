import Foundation
import XCTest
@testable import SpamEngine

/// Differential test against SpamAssassin 4.0.1: `Fixtures/sa_evals.expected` was produced by
///   perl Tests/SpamEngineTests/Fixtures/sa_evals.pl ../shared/corpus spam/… ham/… > Fixtures/sa_evals.expected
/// (58 corpus messages: every 25th spam, every 125th ham, plus hits of the rarer functions). Set MOAT_SA_EVALS=/path/to/other.expected to compare another run
/// (e.g. the whole corpus). Skipped when the corpus or the stock rules are absent.
final class EvalDifferentialTests: XCTestCase {
    func testAgreesWithSpamAssassin() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let corpus = here.appendingPathComponent("../../../shared/corpus").standardized
        let fixture = ProcessInfo.processInfo.environment["MOAT_SA_EVALS"]
            ?? here.appendingPathComponent("Fixtures/sa_evals.expected").path
        guard FileManager.default.fileExists(atPath: corpus.path) else { throw XCTSkip("corpus not found at \(corpus.path)") }
        guard FileManager.default.fileExists(atPath: "/usr/share/spamassassin/20_freemail_domains.cf") else {
            throw XCTSkip("stock SpamAssassin rules not installed")
        }
        let config = RuleLoader.load(directories: ["/usr/share/spamassassin"], pluginsAvailable: RuleLoader.nativePlugins)
        var registry = EvalRegistry()
        registry.registerHeaderEvals(config: config)
        registry.registerFreeMailEvals(config: config)
        registry.registerWLBLEvals(config: config)
        let calls: [String: (String, [String])] = [
            "check_equal_from_domains": ("check_equal_from_domains", []),
            "subject_is_all_caps": ("subject_is_all_caps", []),
            "check_outlook_message_id": ("check_outlook_message_id", []),
            "check_for_missing_to_header": ("check_for_missing_to_header", []),
            "check_header_count_range_subject": ("check_header_count_range", ["Subject", "2", "999"]),
            "check_illegal_chars_all": ("check_illegal_chars", ["ALL", "0.010", "2"]),
            "check_illegal_chars_subject": ("check_illegal_chars", ["Subject", "0.00", "2"]),
            "check_unresolved_template": ("check_unresolved_template", []),
            "check_messageid_not_usable": ("check_messageid_not_usable", []),
            "check_for_forged_yahoo_received_headers": ("check_for_forged_yahoo_received_headers", []),
            "check_for_no_hotmail_received_headers": ("check_for_no_hotmail_received_headers", []),
            "check_freemail_from": ("check_freemail_from", []),
            "check_freemail_header_replyto": ("check_freemail_header", ["Reply-To"]),
            "check_freemail_replyto": ("check_freemail_replyto", ["replyto"]),
            "check_freemail_reply": ("check_freemail_replyto", ["reply"]),
            "check_header_count_range_ct": ("check_header_count_range", ["Content-Type", "2", "999"]),
            "check_illegal_chars_from": ("check_illegal_chars", ["From", "0.20", "2"]),
            "check_for_forged_hotmail_received_headers": ("check_for_forged_hotmail_received_headers", []),
            "check_for_forged_juno_received_headers": ("check_for_forged_juno_received_headers", []),
            "check_for_forged_gmail_received_headers": ("check_for_forged_gmail_received_headers", []),
            "check_for_forged_gw05_received_headers": ("check_for_forged_gw05_received_headers", []),
            "gated_through_received_hdr_remover": ("gated_through_received_hdr_remover", []),
            "check_ratware_name_id": ("check_ratware_name_id", []),
            "check_ratware_envelope_from": ("check_ratware_envelope_from", []),
            "check_for_to_in_subject_user": ("check_for_to_in_subject", ["user"]),
            "check_freemail_header_envfrom_digit": ("check_freemail_header", ["EnvelopeFrom", "\\d@"]),
            "check_freemail_header_subject": ("check_freemail_header", ["Subject"]),
            "check_from_in_default_welcomelist": ("check_from_in_default_welcomelist", []),
            "check_forged_in_default_welcomelist": ("check_forged_in_default_welcomelist", []),
            "check_from_in_list_banks": ("check_from_in_list", ["BANKS"]),
            "check_from_in_list_susp_ntld": ("check_from_in_list", ["SUSP_NTLD"]),
            "check_replyto_in_list_susp_ntld": ("check_replyto_in_list", ["SUSP_NTLD"]),
        ]
        let text = try String(contentsOfFile: fixture, encoding: .utf8)
        var mismatches: [String] = []
        var compared = 0
        var agreeing: [String: Int] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard fields.count > 2,
                  let bytes = FileManager.default.contents(atPath: corpus.appendingPathComponent(fields[0]).path) else { continue }
            var expected: [String: String] = [:]
            for field in fields.dropFirst() {
                guard let eq = field.firstIndex(of: "=") else { continue }
                expected[String(field[..<eq])] = String(field[field.index(after: eq)...])
            }
            let envelopeFrom = expected["envfrom"].flatMap { $0.isEmpty ? nil : Self.unescape($0) }
            let message = SAMessage(bytes: Array(bytes), envelopeFrom: envelopeFrom)
            compared += 1
            if let want = expected["date_diff"] {
                let got = String(HeaderEvals.dateDiff(message, now: Int(Date().timeIntervalSince1970)))
                if got == want { agreeing["date_diff", default: 0] += 1 } else {
                    mismatches.append("\(fields[0]) date_diff: SA \(want), Moat \(got)")
                }
            }
            for (key, call) in calls.sorted(by: { $0.key < $1.key }) {
                guard let want = expected[key], let function = registry[call.0] else { continue }
                let got = String(function(EvalInput(subject: message, arguments: call.1, ruleName: "T_EVAL", kind: .header)))
                if got == want { agreeing[key, default: 0] += 1 } else {
                    mismatches.append("\(fields[0]) \(key): SA \(want), Moat \(got)")
                }
            }
        }
        print("EvalDifferentialTests: \(compared) messages; agreement per function: "
            + agreeing.sorted(by: { $0.key < $1.key }).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        XCTAssertGreaterThan(compared, 0)
        XCTAssertTrue(mismatches.isEmpty, "\(mismatches.count) mismatches:\n" + mismatches.prefix(60).joined(separator: "\n"))
    }

    /// Reverses sa_evals.pl's `esc` (`\xHH` for backslash, tab, CR, LF).
    static func unescape(_ text: String) -> String {
        var out = ""
        var chars = Substring(text)
        while let c = chars.first {
            if c == "\\", chars.count >= 4, chars.dropFirst().first == "x",
               let value = UInt8(chars.dropFirst(2).prefix(2), radix: 16) {
                out.unicodeScalars.append(Unicode.Scalar(value))
                chars = chars.dropFirst(4)
            } else {
                out.append(c)
                chars = chars.dropFirst()
            }
        }
        return out
    }
}
