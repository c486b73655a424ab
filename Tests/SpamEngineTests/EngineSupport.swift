import Foundation
import MIME
@testable import SpamEngine

/// A throw-away rules directory for the engine tests.
struct EngineRulesDirectory {
    let path: String

    init(_ rules: String, publicSuffixes: String? = nil) throws {
        path = NSTemporaryDirectory() + "moat-engine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path + "/data", withIntermediateDirectories: true)
        try rules.write(toFile: path + "/50_test.cf", atomically: true, encoding: .utf8)
        if let publicSuffixes {
            try publicSuffixes.write(toFile: path + "/data/public_suffix_list.dat", atomically: true, encoding: .utf8)
        }
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

enum EngineMessages {
    /// A message relayed to us by `relay` (a public address: the untrusted relay).
    static func message(relay: String = "192.0.2.1", subject: String = "Special Offer",
                        body: String = "Buy cheap pills at http://www.spam-domain.com/buy now.\n",
                        id: String = UUID().uuidString) -> MIMEMessage {
        let text = """
        Received: from mail.sender.example (mail.sender.example [\(relay)])
        \tby mx.moat.example (Postfix) with ESMTP id 4ABC123
        \tfor <user@moat.example>; Thu, 26 Nov 2026 10:00:00 +0000
        From: Sender <s@sender.example>
        To: user@moat.example
        Subject: \(subject)
        Message-ID: <\(id)@sender.example>
        Date: Thu, 26 Nov 2026 10:00:00 +0000

        \(body)
        """
        return MIMEMessage.parse(Array(text.replacingOccurrences(of: "\n", with: "\r\n").utf8))
    }
}
