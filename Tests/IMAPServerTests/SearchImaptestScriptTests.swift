import IMAP
import Mailstore
import XCTest
@testable import IMAPServer

/// Every SEARCH, SORT and THREAD expectation of imaptest's scripts (SearchImaptestScripts.swift)
/// run against the evaluator: the script's STORE/EXPUNGE/APPEND are replayed on a test
/// mailbox, each search command is parsed by the real grammar, evaluated, encoded by the real
/// encoder and compared with the script's expected line.
final class SearchImaptestScriptTests: XCTestCase {
    /// Expectations that rest on something Moat decides otherwise, with the reason.
    static let differences: [String: String] = [
        // \Recent is the session's (which session was shown a message first): the replay has no
        // sessions; imaptest's search-flags group passes against the server (test_runner_moat.py).
        "search-flags: search new": "\\Recent belongs to the session",
        "search-flags: search old": "\\Recent belongs to the session",
        "search-flags: search recent": "\\Recent belongs to the session",
    ]

    func testEveryScriptExpectation() throws {
        var checked = 0
        for name in imaptestSearchScripts.keys.sorted() {
            checked += try run(name)
        }
        XCTAssertGreaterThan(checked, 200, "the scripts hold more than 200 search/sort/thread expectations")
        print("imaptest: \(checked) SEARCH/SORT/THREAD replies compared in \(imaptestSearchScripts.count) scripts")
    }

    /// Runs one script; returns how many search, sort and thread replies were compared.
    private func run(_ name: String) throws -> Int {
        let (script, mbox) = try XCTUnwrap(imaptestSearchScripts[name])
        let (header, body) = Self.split(script)
        var source = SearchTestMailbox.mboxMessages(mbox ?? imaptestDefaultMbox)[...]
        var mailbox = SearchTestMailbox()
        if header["state"] != "created" {
            let count = header["messages"].flatMap { Int($0) } ?? source.count
            for _ in 0..<count {
                guard let next = source.popFirst() else { break }
                mailbox.append(next.text, internalDate: next.internalDate)
            }
        }
        var variables: [String: String] = [:]
        var compared = 0
        for step in Self.steps(body) {
            let command = Self.substitute(step.command, variables)
            let label = "\(name): \(step.command)"
            let words = command.split(separator: " ").map { $0.lowercased() }
            switch words.first {
            case "store":
                let modeWord = words[2]
                let mode = modeWord.hasPrefix("+") ? "+" : modeWord.hasPrefix("-") ? "-" : ""
                let flagText = command.split(separator: " ", maxSplits: 3).last.map(String.init) ?? ""
                let flags = flagText.trimmingCharacters(in: CharacterSet(charactersIn: "()")).split(separator: " ").map(String.init)
                mailbox.store(sequences: Self.sequences(words[1], count: mailbox.messages.count), mode: mode, flags: flags)
                Self.bindFetch(step.expected, mailbox: mailbox, into: &variables)
            case "expunge":
                _ = mailbox.expunge()
            case "append":
                let next = try XCTUnwrap(source.popFirst(), label)
                let flags: MessageFlags = command.lowercased().contains("\\seen") ? .seen : []
                mailbox.append(next.text, flags: flags, internalDate: next.internalDate)
            case "fetch":
                Self.bindFetch(step.expected, mailbox: mailbox, into: &variables)
            case "status":
                variables["uidnext"] = String(mailbox.uidNext)
            case "search", "uid", "sort", "thread":
                guard step.expectsOK else { continue }
                if let reason = Self.differences[label] {
                    print("skipped \(label): \(reason)")
                    continue
                }
                guard let tagged = parseCommand("t1 " + command) else {
                    XCTFail("\(label): the grammar does not parse it")
                    continue
                }
                let evaluator = mailbox.evaluator()
                let response: UntaggedResponse?
                switch tagged.command {
                case .search(let search): response = try evaluator.reply(to: search, tag: tagged.tag).response
                case .sort(let sort): response = try evaluator.reply(to: sort, tag: tagged.tag).response
                case .thread(let thread): response = try evaluator.reply(to: thread)
                default:
                    XCTFail("\(label): not a search command")
                    continue
                }
                guard let expected = step.expected.first(where: { $0.hasPrefix("* ") }) else { continue }
                let actual = Self.normalised(response.map(encoded) ?? "")
                let wanted = Self.normalised(Self.substitute(expected, variables))
                Self.bindUnbound(wanted, from: actual, into: &variables)
                XCTAssertEqual(actual, Self.normalised(Self.substitute(wanted, variables)), label)
                compared += 1
            default:
                continue  // select, capability…: nothing to replay
            }
        }
        return compared
    }

    private struct Step {
        var expectsOK: Bool
        var command: String
        var expected: [String] = []
    }

    private static func split(_ script: String) -> ([String: String], String) {
        let parts = script.components(separatedBy: "\n\n")
        var header: [String: String] = [:]
        for line in parts[0].split(separator: "\n") {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 { header[pair[0].lowercased()] = pair[1] }
        }
        return (header, parts.dropFirst().joined(separator: "\n\n"))
    }

    private static func steps(_ body: String) -> [Step] {
        var steps: [Step] = []
        for rawLine in body.split(separator: "\n") {
            let line = String(rawLine)
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix("* ") || line.hasPrefix("! ") {
                steps[steps.count - 1].expected.append(line)
                continue
            }
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            steps.append(Step(expectsOK: parts[0].lowercased() == "ok", command: parts.count > 1 ? parts[1] : ""))
        }
        return steps
    }

    /// `$name` → its value once bound; `$$` → `$`; `$tag` → the command's tag.
    private static func substitute(_ text: String, _ variables: [String: String]) -> String {
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            if next < text.endIndex, text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
                continue
            }
            let end = text[next...].firstIndex { !($0.isLetter || $0.isNumber) } ?? text.endIndex
            let name = String(text[next..<end])
            output += name == "tag" ? "t1" : variables[name] ?? "$" + name
            index = end
        }
        return output
    }

    /// Binds `$var`s of `* N FETCH (UID $x)`, `(RFC822.SIZE $x)`, `(MODSEQ ($x))` lines.
    private static func bindFetch(_ expected: [String], mailbox: SearchTestMailbox, into variables: inout [String: String]) {
        for line in expected {
            let words = line.replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " ")
                .split(separator: " ").map(String.init)
            guard words.count >= 5, words[2].lowercased() == "fetch", let sequence = Int(words[1]),
                  sequence <= mailbox.messages.count else { continue }
            let message = mailbox.messages[sequence - 1]
            var index = 3
            while index + 1 < words.count {
                let value: String? = switch words[index].lowercased() {
                case "uid": String(message.uid)
                case "rfc822.size": String(message.size)
                case "modseq": String(message.modSeq)
                default: nil
                }
                if let value, words[index + 1].hasPrefix("$") { variables[String(words[index + 1].dropFirst())] = value }
                index += 2
            }
        }
    }

    /// A reply naming a variable not bound yet (`* search $uid1 $uid2`) binds it from the
    /// actual reply's word in the same place, as imaptest does.
    private static func bindUnbound(_ expected: String, from actual: String, into variables: inout [String: String]) {
        let wanted = expected.split(separator: " ")
        let got = actual.split(separator: " ")
        guard wanted.count == got.count else { return }
        for (want, have) in zip(wanted, got) where want.hasPrefix("$") && !want.hasPrefix("$$") {
            variables[String(want.dropFirst())] = String(have)
        }
    }

    private static func sequences(_ set: String, count: Int) -> [Int] {
        set.split(separator: ",").flatMap { part -> [Int] in
            let bounds = part.split(separator: ":").map { $0 == "*" ? count : Int($0) ?? 0 }
            return Array(min(bounds[0], bounds.last!)...max(bounds[0], bounds.last!))
        }
    }

    private static func normalised(_ line: String) -> String {
        line.lowercased().replacingOccurrences(of: "\"", with: "").split(separator: " ").joined(separator: " ")
    }
}
