import IMAP

extension SearchEvaluator {
    /// SEARCH / UID SEARCH: `* SEARCH` (with MODSEQ when a MODSEQ key was used), or
    /// `* ESEARCH` for RETURN options, and the new `$` for SAVE.
    public func reply(to command: SearchCommand, tag: Tag) throws(SearchError) -> SearchReply {
        try search(command.key, charset: command.charset).reply(byUID: command.byUID, returnOptions: command.returnOptions, tag: tag)
    }

    /// SORT / UID SORT: `* SORT`, or `* ESEARCH` in sort order for RETURN (ESORT, RFC 5267).
    public func reply(to command: SortCommand, tag: Tag) throws(SearchError) -> SearchReply {
        try sort(command.criteria, key: command.key, charset: command.charset)
            .reply(byUID: command.byUID, returnOptions: command.returnOptions, tag: tag, isSort: true)
    }

    /// THREAD / UID THREAD: `* THREAD`.
    public func reply(to command: ThreadCommand) throws(SearchError) -> UntaggedResponse {
        .thread(try thread(command.algorithm, key: command.key, charset: command.charset, byUID: command.byUID))
    }
}
