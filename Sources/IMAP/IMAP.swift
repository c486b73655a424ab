// The sans-I/O IMAP4rev1 (RFC 3501) / IMAP4rev2 (RFC 9051) server codec. No storage, no
// sockets: the server feeds bytes and acts on values.
//
// - `Grammar/`: the commands as values (`TaggedCommand`, `Command` and one type per rule).
// - `Parser/`: `CommandParser` turns bytes into `CommandParserEvent`s (commands, literal
//   requests, per-command errors, IDLE's DONE, SASL lines), bounded by `ParserLimits`.
//   Framing (`CommandParser`) finds lines and literals; the grammar (`GrammarParser+*.swift`,
//   one method per ABNF rule) parses a complete command.
// - `Response/`: what the server sends as values (`Response`, `UntaggedResponse`,
//   `ResponseCode`, `MessageAttribute`, `Envelope`, `BodyStructure`…) and
//   `ResponseEncoder`, which writes them.
//
// Not parsed: CATENATE (RFC 4469), URLAUTH (RFC 4467), NOTIFY (RFC 5465), CONTEXT (RFC
// 5267 UPDATE/CANCELUPDATE), PARTIAL (RFC 9394), COMPRESS (RFC 4978), METADATA (RFC 5464).
