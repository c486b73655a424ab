// The sans-I/O IMAP4rev1/IMAP4rev2 codec: `Grammar/` holds the value types of commands and
// responses, `Parser/` turns bytes into commands, `Response/` turns responses into bytes.
