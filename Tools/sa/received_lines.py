#!/usr/bin/env python3
"""Received lines of the corpus, one of each shape, for the parser fixture.

    python3 Tools/sa/received_lines.py [CORPUS] > lines.jsonl
    perl Tests/SpamEngineTests/Fixtures/sa_received.pl < lines.jsonl > expected.jsonl

Each ASCII Received value (unfolded, name stripped) is reduced to a shape: host names,
numbers and words collapse, so that the fixture keeps one line per form a parser has to
tell apart rather than 24,000 near-copies. Output: one JSON string per line, sorted.
"""
import json
import os
import re
import sys


def received_values(root):
    for dirpath, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            if name.startswith(".") or name.upper().startswith("README") or name == "cmds":
                continue
            with open(os.path.join(dirpath, name), "rb") as fh:
                head = re.split(rb"\r?\n\r?\n", fh.read(), maxsplit=1)[0].replace(b"\r\n", b"\n")
            for field in re.split(rb"\n(?=[^ \t])", head):
                if field[:9].lower() != b"received:":
                    continue
                try:
                    yield field[9:].decode("ascii").lstrip(" \t") + "\n"
                except UnicodeDecodeError:
                    continue


def shape(line):
    s = re.sub(r"\s+", " ", line)
    s = re.sub(r"[^\s()\[\]<>;]*\.[^\s()\[\]<>;]*", "h", s)  # host names, addresses
    s = re.sub(r"[A-Za-z0-9_+-]*\d[A-Za-z0-9_+-]*", "0", s)
    s = re.sub(r"[A-Za-z]+", lambda m: m.group(0) if m.group(0).lower() in KEEP else "w", s)
    s = re.sub(r"w(?: w)+", "w", s)
    return s


# Words a form of parse_received_line keys on: kept in the shape.
KEEP = {"from", "with", "helo", "ehlo", "esmtp", "smtp", "esmtpa", "esmtps", "esmtpsa", "local", "exim",
        "postfix", "qmail", "http", "smtpsvc", "microsoft", "server", "mapi", "xmail", "ecelerity",
        "scalix", "lotus", "domino", "unknown", "forged", "authenticated", "sender", "envelope",
        "ident", "imap", "pop3", "fetchmail", "invoked", "network", "uid", "verified", "unverified",
        "softdnserr", "smap", "via", "localhost", "qpsmtpd", "lmtp", "lhlo", "bsmtp", "account",
        "login", "webmailui", "squirrelmail", "communigate"}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "/work/shared/corpus"
    chosen = {}
    for line in received_values(root):
        chosen.setdefault(shape(line), line)
    for line in sorted(chosen.values()):
        print(json.dumps(line))


if __name__ == "__main__":
    main()
