#!/usr/bin/env python3
"""Extracts the client command lines of imaptest's scripted tests (dovecot/imaptest,
release-2.3, MIT licence) into imaptest-commands.json for IMAPTests/ImaptestCommandTests.

Usage: extract_imaptest_commands.py /path/to/imaptest/tests > imaptest-commands.json

Follows docs/scripted_test.md: the header ends at the first blank line; a command is
`[conn] ok|no|bad|"" command` (method 1), `[conn] command` (method 2) or `[conn] tag command`
(method 3); `*` and `!` lines are replies; `[conn] [tag] ok|no|bad [prefix]` ends a method
2/3 command. `{{{`…`}}}` is a literal (`~{{{` a literal8). Variables get sample values. A bare
`append [mailbox] [flags]` gets the mailbox and a message, as imaptest appends from the mbox.
"""
import base64
import json
import os
import re
import sys

STATUSES = {"ok", "no", "bad", '""'}
# First words of method-2 commands (anything else first on a line is a method-3 tag).
COMMANDS = {
    "capability", "noop", "logout", "starttls", "authenticate", "login", "enable", "select", "examine",
    "create", "delete", "rename", "subscribe", "unsubscribe", "list", "lsub", "status", "append", "check",
    "close", "unselect", "expunge", "search", "fetch", "store", "copy", "move", "uid", "sort", "thread",
    "idle", "namespace", "id", "getquota", "getquotaroot", "setquota", "notify", "urlfetch", "genurlauth",
    "resetkey", "compress", "getmetadata", "setmetadata",
}
VARIABLES = {
    "mailbox": "imaptest", "mailbox_url": "imap://user@localhost/imaptest", "sep": "/", "user": "user@localhost",
    "username": "user", "domain": "localhost", "user2": "user2@localhost", "password": "pass",
}
MESSAGE = b"From: user@domain.org\r\nSubject: sample\r\n\r\nbody\r\n"


def substitute(text):
    def value(match):
        name = match.group(1) or match.group(2)
        if name in VARIABLES:
            return VARIABLES[name]
        if re.fullmatch(r"(uid|modseq|highestmodseq|uidvalidity|uidv|size|pos|srcuid)\d*|uidnext|\d+", name):
            return "7"
        if name.startswith("mail_url") or name == "searchtag":
            return "x" + name
        return "$" + name
    text = text.replace("$$", "\x00DOLLAR\x00")
    text = re.sub(r"\$\{([a-zA-Z_0-9]+)\}|\$([a-zA-Z_][a-zA-Z_0-9]*|\d+)", value, text)
    return text.replace("\x00DOLLAR\x00", "$")


def parse_script(path):
    data = open(path, "rb").read()
    lines = data.split(b"\n")
    header = {}
    index = 0
    while index < len(lines) and lines[index].strip():
        key, _, value = lines[index].decode().partition(":")
        header[key.strip().lower()] = value.strip()
        index += 1
    connections = int(header.get("connections", "1"))
    commands = []
    while index < len(lines):
        number = index + 1
        line = lines[index]
        index += 1
        text = line.decode("latin-1").rstrip("\r")
        if not text.strip() or text.startswith("#"):
            continue
        if text.startswith(("*", "!")):
            # A reply; its `{{{` literals run to a line starting with `}}}`.
            while text.endswith("{{{"):
                while not lines[index].startswith(b"}}}"):
                    index += 1
                text = lines[index].decode("latin-1").rstrip("\r")
                index += 1
            continue
        words = text.split(" ")
        if connections > 1 and words[0].isdigit():
            words = words[1:]
        expect = None
        if words[0].lower() in STATUSES:
            if len(words) == 1 or words[1].startswith("["):
                continue  # end of a method-2 command
            expect, words = words[0].lower(), words[1:]
            tag = "t1"
        elif len(words) > 1 and words[1].lower() in STATUSES:
            continue  # end of a method-3 command
        elif words[0].lower() in COMMANDS:
            tag = "t1"
        else:
            tag, words = words[0], words[1:]
        command = substitute(" ".join(words)).encode("latin-1")
        # Literals: `{{{` at a line end, content up to a line starting with `}}}`.
        while command.endswith(b"{{{"):
            binary = command.endswith(b"~{{{")
            command = command[: -4 if binary else -3]
            content = []
            while not lines[index].startswith(b"}}}"):
                content.append(lines[index].rstrip(b"\r"))
                index += 1
            rest = lines[index][3:].decode("latin-1").rstrip("\r")
            index += 1
            body = b"\r\n".join(content) + b"\r\n"
            command += (b"~" if binary else b"") + b"{%d}\r\n" % len(body) + body + substitute(rest).encode("latin-1")
        if re.match(rb"(?i)append( |$)", command) and b"{" not in command:
            if command.strip().lower() == b"append":
                command = b"append imaptest"
            command += b" {%d}\r\n" % len(MESSAGE) + MESSAGE
        commands.append({
            "line": number, "expect": expect, "command": base64.b64encode(tag.encode() + b" " + command + b"\r\n").decode(),
            "text": (tag + " " + command.decode("latin-1"))[:200],
        })
    return header, commands


def main():
    directory = sys.argv[1]
    scripts = []
    for root, _, files in sorted(os.walk(directory)):
        for name in sorted(files):
            if name.endswith(".mbox"):
                continue
            path = os.path.join(root, name)
            header, commands = parse_script(path)
            scripts.append({
                "script": os.path.relpath(path, directory), "capabilities": header.get("capabilities", "").upper().split(),
                "commands": commands,
            })
    json.dump(scripts, sys.stdout, indent=1)
    sys.stdout.write("\n")


main()
