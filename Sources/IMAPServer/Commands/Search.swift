import Foundation
import IMAP
import Mailstore

extension IMAPSession {
    static let searchExtensions = ["ESEARCH", "SEARCHRES", "SORT", "SORT=DISPLAY", "THREAD=REFERENCES", "THREAD=ORDEREDSUBJECT"]

    /// SEARCH and UID SEARCH (RFC 9051 §6.4.4) with ESEARCH's RETURN (RFC 4731), SEARCHRES's
    /// `$` (RFC 5182) and MODSEQ (RFC 7162), evaluated on the pool over the session's view.
    func searchCommand(_ tag: Tag, _ search: SearchCommand) async -> Next {
        await evaluate(tag, name: search.byUID ? "UID SEARCH" : "SEARCH", byUID: search.byUID) { evaluator in
            try evaluator.reply(to: search, tag: tag)
        }
    }

    /// SORT and UID SORT (RFC 5256, RFC 5267 ESORT, RFC 5957 DISPLAYFROM/DISPLAYTO).
    func sortCommand(_ tag: Tag, _ sort: SortCommand) async -> Next {
        await evaluate(tag, name: sort.byUID ? "UID SORT" : "SORT", byUID: sort.byUID) { evaluator in
            try evaluator.reply(to: sort, tag: tag)
        }
    }

    /// THREAD and UID THREAD (RFC 5256: REFERENCES, ORDEREDSUBJECT).
    func threadCommand(_ tag: Tag, _ thread: ThreadCommand) async -> Next {
        await evaluate(tag, name: thread.byUID ? "UID THREAD" : "THREAD", byUID: thread.byUID) { evaluator in
            SearchReply(response: try evaluator.reply(to: thread), savedResult: nil)
        }
    }

    private func evaluate(_ tag: Tag, name: String, byUID: Bool,
                          _ run: @escaping @Sendable (SearchEvaluator) throws -> SearchReply) async -> Next {
        guard let selected else { return .goOn }
        let saved = Set(selected.savedSearch)
        let recent = rev1 ? selected.recent : []
        let reply: SearchReply
        do {
            reply = try await blocking {
                // Messages another session expunged that this client has not been told of keep
                // their numbers, with what the index last knew of them.
                let messages = selected.messagesInView()
                var context = SearchContext(messages: messages, savedResult: saved)
                context.recent = recent
                // A message expunged under the search matches no text key (as it matches no
                // index key it lost); any other read failure is the search's.
                return try run(SearchEvaluator(context: context, read: { uid in
                    do {
                        return try selected.mailbox.message(uid: uid)
                    } catch MailboxError.noSuchMessage {
                        return []
                    }
                }))
            }
        } catch SearchError.unsupportedCharset {
            no(tag, "Unsupported charset.", code: .badCharset(SearchCharset.supported))
            return .goOn
        } catch SearchError.messageUnreadable {
            await sendUpdates(expungeAllowed: byUID)
            no(tag, "Some messages were expunged.", code: .expungeIssued)
            return .goOn
        } catch {
            failed(tag, name, error)
            return .goOn
        }
        if let response = reply.response { send(response) }
        if let savedResult = reply.savedResult { selected.savedSearch = Array(savedResult) }
        await sendUpdates(expungeAllowed: byUID)
        ok(tag, "\(name.capitalized) completed.")
        return .goOn
    }
}
