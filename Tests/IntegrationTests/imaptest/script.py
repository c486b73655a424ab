"""An imaptest script file parsed into groups of commands and expected replies.

The format (dovecot/imaptest docs/scripted_test.md; semantics from its
src/test-parser.c): a `key: value` header, a blank line, then commands. A
command is `[conn] [tagN] [ok|no|bad|""] text`; when the reply is not on the
command's line, the commands up to their `[tagN] ok|no|bad|""` lines form one
pipelined group. `* `, `! `, `? ` lines are untagged replies that must, must
not, or may come. `{{{ ... }}}` spans lines and becomes a literal (`~{{{` a
literal8). `!ifenv`/`!ifnenv`/`!else`/`!endif`, `!sleep`, `!output` as imaptest.
"""
import os
import re
from dataclasses import dataclass, field

from imaptest.imapargs import Atom, List, ParseError, atom, parse

ALL_MESSAGES = -1

# Startup states, each doing the work of the ones before it.
NONAUTH, AUTH, CREATED, APPENDED, SELECTED = "nonauth", "auth", "created", "appended", "selected"
STATES = (NONAUTH, AUTH, CREATED, APPENDED, SELECTED)

MUST, MUST_NOT, MAY = "*", "!", "?"


class ScriptError(ValueError):
    """The script cannot be parsed; carries file and line."""

    def __init__(self, path, linenum, message):
        super().__init__(f"{path} line {linenum}: {message}")


@dataclass
class Command:
    linenum: int
    tag: int            # the script's tagN (0: none)
    text: str           # as written; $variables are expanded when sent
    reply: list = None  # expected tagged reply, e.g. [Atom('ok'), Atom('[read-write]')]


@dataclass
class Untagged:
    args: list
    existence: str  # MUST, MUST_NOT or MAY
    linenum: int


@dataclass
class Group:
    connection: int  # 0-based
    commands: list = field(default_factory=list)
    untagged: list = field(default_factory=list)
    output: list = field(default_factory=list)
    sleep_ms: int = 0
    have_bye: bool = False  # one expected untagged reply is a BYE

    @property
    def replies_pending(self):
        return sum(1 for c in self.commands if c.reply is None)


@dataclass
class Script:
    name: str
    path: str
    mbox_path: str
    capabilities: list = field(default_factory=list)
    connections: int = 1
    message_count: int = 0  # imaptest's default is 0, whatever its docs say
    state: str = SELECTED
    users: dict = field(default_factory=dict)  # 0-based connection -> username
    require_user2: bool = False
    ignore_extra_untagged: bool = True
    groups: list = field(default_factory=list)


REPLY_WORDS = {"ok": "ok", "no": "no", "bad": "bad", '""': ""}


def split_reply(line):
    """Take an optional `tagN ` and `ok|no|bad|"" ` off line: (tag, reply word or None, rest)."""
    tag = 0
    first, _, rest = line.partition(" ")
    m = re.fullmatch(r"(?i)tag(\d+)", first)
    if m and int(m.group(1)) > 0 and " " in line:
        tag, line = int(m.group(1)), rest
        first, _, rest = line.partition(" ")
    word = REPLY_WORDS.get(first.lower())
    if word is None:
        return tag, None, line
    return tag, word, rest


def _has_directives(items):
    return bool(items) and (atom(items[0]) or "").startswith("$!")


def _walk(items, reply_name, ancestry):
    """ancestry: for this list, [(index in top-level args, ...), ...] from the top."""
    for i, arg in enumerate(items):
        if not isinstance(arg, List):
            continue
        prev = next((atom(a).lower() for a in reversed(items[:i]) if atom(a) is not None), None)
        here = ancestry + [i]
        if not _has_directives(arg.items):
            inserted = _defaults_for(reply_name, here, prev)
            arg.items[0:0] = [Atom(d) for d in inserted]
        _walk(arg.items, reply_name, here)


def _defaults_for(reply_name, here, prev_atom):
    depth = len(here)
    if reply_name in ("list", "lsub") and depth == 1 and here[0] == 1:
        return ["$!unordered"]
    if reply_name == "status" and depth == 1 and here[0] == 2:
        return ["$!unordered=2"]
    if reply_name == "fetch":
        if depth == 1 and here[0] == 2:
            return ["$!unordered=2"]
        if depth == 2 and here[0] == 2 and prev_atom == "flags":
            return ["$!ignore=$HasNoAttachment", "$!ignore=$HasAttachment",
                    "$!ignore=\\recent", "$!noextra", "$!unordered"]
    return []


def _check_directives(items, path, linenum):
    for arg in items:
        word = atom(arg)
        if word is None or not word.startswith("$!"):
            break
        d = word[2:]
        if not (re.fullmatch(r"unordered(=\d+)?|ordered|noextra|extra", d) or
                d.startswith("ignore=") or d.startswith("ban=")):
            raise ScriptError(path, linenum, f"Unknown directive: {d}")
    for arg in items:
        if isinstance(arg, List):
            _check_directives(arg.items, path, linenum)


class _Parser:
    def __init__(self, script):
        self.script = script
        self.group = None
        self.ifenv = []  # stack of (linenum, skip before, else seen)
        self.skip = False

    def fail(self, linenum, message):
        raise ScriptError(self.script.path, linenum, message)

    def header(self, linenum, line):
        s = self.script
        key, colon, value = line.partition(":")
        if not colon:
            self.fail(linenum, "Missing ':'")
        key, value = key.rstrip(" ").lower(), value.lstrip(" ")
        if key == "capabilities":
            s.capabilities = value.split()
        elif key == "connections":
            s.connections = 2 if value == "n" else _leading_int(value)
        elif key == "ignore_extra_untagged":
            s.ignore_extra_untagged = value.startswith("y")
        elif key.startswith("user ") and key[5:].isdigit() and int(key[5:]) > 0:
            if value in ("$user2", "${user2}"):
                s.require_user2 = True
            s.users[int(key[5:]) - 1] = value
        elif key == "messages":
            s.message_count = ALL_MESSAGES if value == "all" else _leading_int(value)
        elif key == "state":
            if value.lower() not in STATES:
                self.fail(linenum, "Unknown state value")
            s.state = value.lower()
        else:
            self.fail(linenum, "Unknown setting")

    def command_line(self, linenum, line):
        if line.startswith("!ifenv ") or line.startswith("!ifnenv "):
            name = line.split(" ", 1)[1]
            present = name in os.environ
            self.ifenv.append([linenum, self.skip, False])
            if present != line.startswith("!ifenv "):
                self.skip = True
            return
        if line == "!else":
            if not self.ifenv:
                self.fail(linenum, "!else without !ifenv")
            top = self.ifenv[-1]
            if top[2]:
                self.fail(linenum, "!else already seen")
            top[2] = True
            if not top[1]:
                self.skip = not self.skip
            return
        if line == "!endif":
            if not self.ifenv:
                self.fail(linenum, "!endif without !ifenv")
            self.skip = self.ifenv.pop()[1]
            return
        if self.skip:
            return
        group = self.group
        if group is not None:
            if line.startswith("!sleep "):
                group.sleep_ms = _duration_ms(line[7:], lambda m: self.fail(linenum, m))
                return
            if line.startswith("!output "):
                group.output.append(line[8:])
                return
            if line[:2] in ("* ", "! ", "? "):
                self.untagged(linenum, line[2:], line[0])
                return
            if group.replies_pending > 0:
                tag, word, _ = split_reply(line)
                if word is not None:
                    self.finish(linenum, tag, line)
                    return
        self.new_command(linenum, line)

    def untagged(self, linenum, text, existence):
        try:
            args, _ = parse(text)
        except ParseError as e:
            self.fail(linenum, str(e))
        _check_directives(args, self.script.path, linenum)
        name = atom(args[0]) if args else None
        if name is not None and (name.startswith("$") or name[:1].isdigit()):
            name = atom(args[1]) if len(args) > 1 else None
        name = (name or "").lower()
        _walk(args, name, [])
        if name.startswith("bye"):
            if existence == MAY:
                self.fail(linenum, "? BYE not currently supported")
            if existence == MUST:
                self.group.have_bye = True
        self.group.untagged.append(Untagged(args, existence, linenum))

    def finish(self, linenum, tag, line):
        cmd = next((c for c in self.group.commands if c.tag == tag), None)
        if cmd is None:
            self.fail(linenum, "Reply for unknown tag")
        if cmd.reply is not None:
            self.fail(linenum, "Command already has a reply")
        try:
            args, _ = parse(line)
        except ParseError as e:
            self.fail(linenum, str(e))
        cmd.reply = args[1:] if tag else args

    def new_command(self, linenum, line):
        s = self.script
        group = self.group
        if group is None or group.replies_pending == 0:
            group = Group(connection=0)
            self.group = group
            s.groups.append(group)
        if s.connections > 1:
            first, _, rest = line.partition(" ")
            if not first.isdigit() or int(first) == 0:
                self.fail(linenum, "Missing client index")
            conn = int(first)
            if group.commands and group.connection != conn - 1:
                self.fail(linenum, "All pipelined commands must use the same connection")
            group.connection = conn - 1
            s.connections = max(s.connections, conn)
            line = rest
        tag, word, text = split_reply(line)
        if tag == 0 and group.replies_pending > 0:
            self.fail(linenum, "Missing reply from previous command group")
        if tag and any(c.tag == tag for c in group.commands):
            self.fail(linenum, "Tag reused within command group")
        reply = None if word is None else [Atom(word)]
        group.commands.append(Command(linenum, tag, text, reply))


def _leading_int(value):
    m = re.match(r"\d+", value)
    return int(m.group()) if m else 0


def _duration_ms(text, fail):
    m = re.fullmatch(r"\s*(\d+)\s*(ms|msecs?|s|secs?|)\s*", text)
    if not m:
        fail(f"Invalid !sleep value {text}")
    n = int(m.group(1))
    return n if m.group(2).startswith("m") else n * 1000


def parse_script(path, default_mbox):
    """Read one script file; its messages come from <path>.mbox or default_mbox."""
    name = os.path.basename(path)
    mbox = path + ".mbox"
    script = Script(name=name, path=path, mbox_path=mbox if os.path.exists(mbox) else default_mbox)
    with open(path, "rb") as f:
        data = f.read().decode("latin-1")
    if data and not data.endswith("\n"):
        raise ScriptError(path, data.count("\n") + 1, "Last line doesn't end with LF")
    parser = _Parser(script)
    header = True
    continues = binary = False
    multiline = ""
    start_pos = last_line_end = start_linenum = 0
    for linenum, raw in enumerate(data.split("\n")[:-1], start=1):
        if continues:
            if not raw.startswith("}}}"):
                multiline += raw
                last_line_end = len(multiline)
                # Like imaptest: a binary literal keeps the file's bytes (a CRLF
                # line keeps its CR); a text literal's lines end in CRLF.
                multiline += "\n" if binary else "\r\n"
                continue
            multiline = multiline[:last_line_end]
            size = len(multiline) - start_pos
            multiline = multiline[:start_pos] + ("~" if binary else "") + "{%d}\r\n" % size + multiline[start_pos:]
            line = raw[3:]
            if line.endswith("{{{"):
                head, binary = _open_multiline(line)
                multiline += head
                start_pos = last_line_end = len(multiline)
                continue
            line = multiline + line
            continues = False
        else:
            start_linenum = linenum
            line = raw[:-1] if raw.endswith("\r") else raw
            if line == "":
                header = False
                continue
            if line.startswith("#"):
                continue
            if line.endswith("{{{"):
                multiline, binary = _open_multiline(line)
                start_pos = last_line_end = len(multiline)
                continues = True
                continue
        if header:
            parser.header(start_linenum, line)
        else:
            parser.command_line(start_linenum, line)
    if continues:
        raise ScriptError(path, start_linenum, "Multiline reply not ended")
    if not script.groups:
        raise ScriptError(path, 0, "No commands in file")
    if parser.group.replies_pending:
        cmd = next(c for c in parser.group.commands if c.reply is None)
        raise ScriptError(path, cmd.linenum, "Missing reply for this command")
    if parser.ifenv:
        raise ScriptError(path, parser.ifenv[0][0], "!ifenv not closed with !endif")
    _add_logout(script)
    return script


def _open_multiline(line):
    head = line[:-3]
    if head.endswith("~"):
        return head[:-1], True
    return head, False


def _add_logout(script):
    """Like imaptest, end with LOGOUT on the first connection unless the script logs out itself."""
    for g in script.groups:
        if g.have_bye or any(c.text.lower() == "logout" for c in g.commands):
            return
    script.groups.append(Group(connection=0, commands=[Command(0, 0, "logout", [Atom("ok")])]))


def list_scripts(directory):
    """Script paths in name order; *.mbox, dot files and directories are not scripts
    (imaptest skips directories, so the data's broken/ is never run)."""
    names = sorted(n for n in os.listdir(directory)
                   if not n.startswith(".") and not n.endswith(".mbox")
                   and os.path.isfile(os.path.join(directory, n)))
    return [os.path.join(directory, n) for n in names]
