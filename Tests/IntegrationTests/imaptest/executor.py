"""Runs one parsed script against a server: set-up to the script's state, then
its command groups, stopping at the first mismatch.

Set-up is imaptest's: every connection logs in; the first checks the required
capabilities (a missing one skips the script), deletes and unsubscribes every
mailbox matching `<mailbox>*`, creates the mailbox, appends the first
`messages:` messages of the mbox, and every connection SELECTs it.
"""
import time
import urllib.parse
from dataclasses import dataclass, field

from imaptest.connection import Connection, ProtocolError, ServerTimeout
from imaptest.imapargs import List, Literal, ParseError, Quoted, astring, atom, parse, render
from imaptest.matcher import MATCHED, Matcher, SequenceMap, UninitializedVariable, Variables
from imaptest.mbox import MessageSource
from imaptest.script import ALL_MESSAGES, APPENDED, CREATED, MUST, MUST_NOT, NONAUTH, SELECTED, STATES

PASS, FAIL, SKIP = "pass", "fail", "skip"


@dataclass
class Settings:
    """Where and as whom to run; the timeouts bound a silent or broken server."""
    host: str
    port: int
    user: str
    password: str
    user2: str = None
    password2: str = None
    mailbox: str = "imaptest"
    command_timeout: float = 10.0   # for one command's tagged reply
    script_timeout: float = 60.0    # for a whole script, set-up included


@dataclass
class Result:
    name: str
    status: str
    reason: str = ""
    line: int = 0
    command: str = ""
    expected: str = ""
    got: str = ""
    seconds: float = 0.0
    detail: dict = field(default_factory=dict)


class ScriptFailure(Exception):
    def __init__(self, reason, command=None, expected="", got=""):
        super().__init__(reason)
        self.reason, self.command, self.expected, self.got = reason, command, expected, got


class ScriptSkipped(Exception):
    pass


@dataclass
class _Pending:
    tag: str
    command: object   # script.Command
    text: str          # as sent, variables expanded


def _quote(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mailbox_url(name):
    return urllib.parse.quote(_mutf7_to_utf8(name), safe="!$&'()*+,=:@/-._~")


def _mutf7_to_utf8(name):
    import base64
    out, i = [], 0
    while i < len(name):
        if name[i] == "&":
            j = name.index("-", i)
            if j == i + 1:
                out.append("&")
            else:
                b64 = name[i + 1:j].replace(",", "/")
                out.append(base64.b64decode(b64 + "=" * (-len(b64) % 4)).decode("utf-16-be"))
            i = j + 1
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


class ScriptRun:
    def __init__(self, script, settings):
        self.script = script
        self.s = settings
        self.deadline = time.monotonic() + settings.script_timeout
        self.conns = []
        self.tag_counter = 0
        self.source = MessageSource(script.mbox_path)
        self.vars = Variables()
        self.seqmap = SequenceMap()
        self.matcher = Matcher(self.vars, self.seqmap)
        self.group = None        # the group being run; None during set-up
        self.found = []
        self.best = []
        self.mismatches = 0
        self.first_extra = None
        self.pending = {}        # tag -> _Pending, on the group's connection
        self.first_tag = None
        self.continuation = False

    # -- plumbing ------------------------------------------------------------------

    def _cmd_deadline(self):
        return min(self.deadline, time.monotonic() + self.s.command_timeout)

    def _next_tag(self, conn_index):
        self.tag_counter += 1
        return f"{conn_index + 1}.{self.tag_counter}"

    def _read(self, conn, deadline, waiting_for):
        try:
            resp = conn.read_response(deadline)
        except ServerTimeout:
            raise ScriptFailure(f"timed out waiting for {waiting_for}")
        except ProtocolError as e:
            raise ScriptFailure(f"protocol error: {e}")
        return resp

    def _track(self, conn, resp):
        """What every response teaches about the connection's state, matched or not."""
        args = resp.args
        first = (astring(args[0]) or "").upper() if args else ""
        second = (atom(args[1]) or "").upper() if len(args) > 1 else ""
        if first.isdigit() and second == "EXISTS":
            conn.exists = int(first)
        elif first.isdigit() and second == "EXPUNGE":
            conn.exists = max(0, conn.exists - 1)
        elif first == "BYE":
            conn.seen_bye = True
        elif first == "CAPABILITY":
            conn.capabilities = {fold_cap(astring(a)) for a in args[1:] if astring(a)}

    # -- sending -----------------------------------------------------------------

    def _send_command(self, conn_index, text, on_response, tag=None):
        """Send one command; wait for '+' before each synchronizing literal.

        Returns the tag. If the server answers the command before a continuation
        (rejecting the literal), the rest of the command is not sent.
        """
        conn = self.conns[conn_index]
        tag = tag or self._next_tag(conn_index)
        full = f"{tag} {text}"
        try:
            _, marks = parse(full, lenient=True)
        except ParseError:
            marks = []
        pos = 0
        for mark in marks:
            if not mark.synchronizing:
                continue
            conn.send(full[pos:mark.data_start])
            pos = mark.data_start
            self.continuation = False
            deadline = self._cmd_deadline()
            while not self.continuation:
                resp = self._read(conn, deadline, f"a continuation for the literal in: {text[:80]}")
                if resp is None:
                    return tag
                on_response(conn_index, resp)
                if resp.tag == tag:
                    return tag  # answered (rejected) before the literal's data
        conn.send(full[pos:] + "\r\n")
        return tag

    # -- set-up --------------------------------------------------------------------

    def _simple(self, conn_index, text, allow_no=False):
        """A set-up command: returns (status word, untagged responses); BAD fails set-up."""
        conn = self.conns[conn_index]
        untagged = []
        replies = []

        def on_resp(_i, resp):
            if resp.tag == "+":
                self.continuation = True
            elif resp.tag == "*":
                self._track(conn, resp)
                untagged.append(resp)
            else:
                replies.append(resp)

        tag = self._send_command(conn_index, text, on_resp)
        deadline = self._cmd_deadline()
        while not any(r.tag == tag for r in replies):
            resp = self._read(conn, deadline, f"the reply to set-up command {text[:80]}")
            if resp is None:
                raise ScriptFailure(f"server closed connection {conn_index + 1} during set-up: {text[:80]}")
            on_resp(conn_index, resp)
        resp = next(r for r in replies if r.tag == tag)
        status = (atom(resp.args[0]) or "").upper() if resp.args else ""
        if status == "OK" or (status == "NO" and allow_no):
            return status, untagged, resp
        raise ScriptFailure(f"set-up command failed: {text[:120]}", got=resp.text.strip()[:300])

    def _setup(self):
        s, script = self.s, self.script
        for i in range(script.connections):
            conn = Connection(s.host, s.port, s.command_timeout)
            self.conns.append(conn)
            greeting = self._read(conn, self._cmd_deadline(), "the greeting")
            if greeting is None or greeting.tag != "*":
                raise ScriptFailure(f"no greeting on connection {i + 1}")
        self._set_user_variables()
        if script.require_user2 and not s.user2:
            raise ScriptSkipped("needs a second user (--user2/--password2)")
        if script.state == NONAUTH:
            # imaptest never checks a nonauth script's capabilities; the runner does,
            # before login, so a server without e.g. ID skips `id` instead of failing it.
            self._simple(0, "CAPABILITY")
            self._require_capabilities(self.conns[0])
            return
        for i in range(script.connections):
            user, password = self._credentials(i)
            self._simple(i, f"LOGIN {_quote(user)} {_quote(password)}")
        self._simple(0, "CAPABILITY")
        self._require_capabilities(self.conns[0])
        self._delete_test_mailboxes()
        if STATES.index(script.state) >= STATES.index(CREATED) and s.mailbox.upper() != "INBOX":
            self._simple(0, f"CREATE {_quote(s.mailbox)}")
        if STATES.index(script.state) >= STATES.index(APPENDED):
            count, appended = script.message_count, 0
            while (not self.source.at_end) if count == ALL_MESSAGES else appended < count:
                self._append(0, _quote(s.mailbox), add_date=True, setup=True)
                appended += 1
        if script.state == SELECTED:
            for i in range(script.connections):
                self._simple(i, f"SELECT {_quote(s.mailbox)}")

    def _append(self, conn_index, args_text, add_date, setup):
        body, date = self.source.next()
        conn = self.conns[conn_index]
        plus = "+" if "LITERAL+" in conn.capabilities else ""
        text = f"APPEND {args_text}" + (f' "{date}"' if add_date else "") + f" {{{len(body)}{plus}}}\r\n{body}"
        if setup:
            self._simple(conn_index, text)
        return text

    def _credentials(self, i):
        name = self.script.users.get(i)
        if name in ("$user2", "${user2}"):
            return self.s.user2, self.s.password2
        if name:
            return name, self.s.password
        return self.s.user, self.s.password

    def _set_user_variables(self):
        for i in range(self.script.connections):
            user, password = self._credentials(i)
            if user is None:
                continue
            suffix = "" if i == 0 else str(i + 1)
            local, at, domain = user.partition("@")
            self.vars.values["user" + suffix] = user
            self.vars.values["username" + suffix] = local
            self.vars.values["domain" + suffix] = domain if at else self.s.host
            self.vars.values["password" + suffix] = password
        self.vars.values["mailbox"] = self.s.mailbox
        self.vars.values["mailbox_url"] = _mailbox_url(self.s.mailbox)

    def _require_capabilities(self, conn):
        missing = [c for c in self.script.capabilities if fold_cap(c) not in conn.capabilities]
        if missing:
            raise ScriptSkipped("server lacks " + " ".join(missing))

    def _delete_test_mailboxes(self):
        pattern = _quote(self.s.mailbox + "*")
        to_delete, to_unsubscribe = [], []
        for verb, names in (("LIST", to_delete), ("LSUB", to_unsubscribe)):
            _, untagged, _ = self._simple(0, f'{verb} "" {pattern}')
            for resp in untagged:
                a = resp.args
                if len(a) >= 4 and (atom(a[0]) or "").upper() == verb and isinstance(a[1], List):
                    name = astring(a[3])
                    if name is not None:
                        names.append(name)
        # Children before parents: reverse case-insensitive order, as imaptest.
        for name in sorted(to_delete, key=str.lower, reverse=True):
            self._simple(0, f"DELETE {_quote(name)}", allow_no=True)
        for name in sorted(to_unsubscribe, key=str.lower, reverse=True):
            self._simple(0, f"UNSUBSCRIBE {_quote(name)}", allow_no=True)

    # -- the script's groups -------------------------------------------------------------

    def _command_text(self, conn_index, cmd):
        try:
            text = self.matcher.expand(cmd.text)
        except UninitializedVariable as e:
            raise ScriptFailure(str(e), cmd)
        lower = text.lower()
        if lower == "append":
            return self._append(conn_index, _quote(self.s.mailbox), add_date=True, setup=False)
        if lower.startswith("append ") and not _append_has_body(text[7:]):
            return self._append(conn_index, text[7:], add_date=False, setup=False)
        return text

    def _run_group(self, group):
        conn_index = group.connection
        if conn_index >= len(self.conns):
            raise ScriptFailure(f"no connection {conn_index + 1}", group.commands[0])
        conn = self.conns[conn_index]
        if conn.closed:
            raise ScriptFailure(f"connection {conn_index + 1} is closed", group.commands[0])
        self.group = group
        self.found = [False] * len(group.untagged)
        self.best = [(0, "")] * len(group.untagged)
        self.mismatches = 0
        self.first_extra = None
        self.pending = {}
        self.seqmap.seqs = list(range(1, conn.exists + 1))
        self.first_tag = None
        for cmd in group.commands:
            if cmd.linenum == 0 or cmd.text.lower() == "logout" or group.have_bye:
                conn.logging_out = True
            text = self._command_text(conn_index, cmd)
            tag = self._next_tag(conn_index)
            if self.first_tag is None:
                self.first_tag = tag
            self.pending[tag] = _Pending(tag, cmd, text)
            self._send_command(conn_index, text, self._on_response, tag)
        deadline = self._cmd_deadline()
        while self.pending:
            first = next(iter(self.pending.values()))
            resp = self._read(conn, deadline, "the tagged reply")
            if resp is None:
                self._disconnected(group, first)
                return
            self._on_response(conn_index, resp)
        self._finish_group(group)

    def _disconnected(self, group, first):
        conn = self.conns[group.connection]
        if group.have_bye and conn.seen_bye:
            for cmd in group.commands:
                if not (len(cmd.reply) == 1 and atom(cmd.reply[0]) == ""):
                    raise ScriptFailure("BYE came before the tagged reply; only \"\" is allowed as its reply",
                                        cmd, expected=render(cmd.reply))
            self._finish_group(group)
            return
        raise ScriptFailure("Unexpected disconnection", first.command, got="(connection closed)")

    def _on_response(self, conn_index, resp):
        conn = self.conns[conn_index]
        if resp.tag == "+":
            self.continuation = True
            return
        if resp.tag == "*":
            self._track(conn, resp)
            self._match_untagged(conn, resp)
            args = resp.args
            if len(args) > 1 and (atom(args[0]) or "").isdigit() and (atom(args[1]) or "").upper() == "EXPUNGE":
                self.seqmap.expunge(int(atom(args[0])))
            return
        self._match_tagged(resp)

    def _match_untagged(self, conn, resp):
        group = self.group
        args = resp.args
        if not group.untagged and (self.script.ignore_extra_untagged or conn.logging_out):
            return
        prefix = (atom(args[0]) or "").lower() in ("ok", "no", "bad", "bye") if args else False
        # $tag is the first command's tag while that command runs (ESEARCH's TAG).
        tag_value = self.first_tag if self.first_tag in self.pending else None
        found_some = False
        for i, ut in enumerate(group.untagged):
            if self.found[i]:
                continue
            saved_tag = self.vars.values.get("tag")
            if tag_value is not None:
                self.vars.values["tag"] = tag_value
            self.vars.checkpoint()
            count = self.matcher.match_args(ut.args, args, prefix=prefix)
            if tag_value is not None:
                self.vars.values.pop("tag", None)
                if saved_tag is not None:
                    self.vars.values["tag"] = saved_tag
            if count == MATCHED:
                if ut.existence == MUST_NOT:
                    raise ScriptFailure(f"Unexpected untagged match (line {ut.linenum})",
                                        group.commands[0], expected="! " + render(ut.args, directives=False),
                                        got="* " + render(args))
                self.found[i] = True
                found_some = True
                self.vars.checkpoint()
                continue
            if count > self.best[i][0] or not self.best[i][1]:
                self.best[i] = (max(count, self.best[i][0]), render(args))
            self.vars.revert()
        if not found_some:
            self.mismatches += 1
            if not self.script.ignore_extra_untagged and self.first_extra is None:
                self.first_extra = "* " + render(args)

    def _match_tagged(self, resp):
        pend = self.pending.pop(resp.tag, None)
        if pend is None:
            raise ScriptFailure(f"Unexpected tagged reply {resp.tag}", self.group.commands[0], got=resp.text.strip())
        args = resp.args
        status = (atom(args[0]) or "").lower() if args else ""
        if status not in ("ok", "no", "bad"):
            raise ScriptFailure("Broken tagged reply", pend.command, got=resp.text.strip()[:300])
        expected = pend.command.reply
        if status == "bad" and (atom(expected[0]) or "").lower() != "bad":
            raise ScriptFailure("BAD reply", pend.command, expected=render(expected), got=render(args))
        saved = self.vars.values.get("tag")
        self.vars.values["tag"] = resp.tag
        count = self.matcher.match_args(expected, args, prefix=True)
        self.vars.values.pop("tag", None)
        if saved is not None:
            self.vars.values["tag"] = saved
        if count != MATCHED:
            raise ScriptFailure("Expected tagged reply", pend.command, expected=render(expected), got=render(args))

    def _finish_group(self, group):
        missing = [i for i, ut in enumerate(group.untagged) if ut.existence == MUST and not self.found[i]]
        if missing:
            ut = group.untagged[missing[0]]
            expanded = self.matcher.expand(render(ut.args, limit=400, directives=False), skip_uninitialized=True)
            raise ScriptFailure(
                f"Missing {len(missing)} untagged replies ({self.mismatches} mismatches), first at line {ut.linenum}",
                group.commands[0], expected="* " + expanded,
                got=("best match: * " + self.best[missing[0]][1]) if self.best[missing[0]][1] else "(nothing close)")
        if self.first_extra is not None:
            raise ScriptFailure(f"{self.mismatches} unexpected untagged replies", group.commands[0],
                                got=self.first_extra)
        for line in group.output:
            print(self.matcher.expand(line))
        if group.sleep_ms:
            time.sleep(group.sleep_ms / 1000)
        self.group = None

    def run(self):
        started = time.monotonic()
        result = Result(self.script.name, PASS)
        phase = "set-up"
        try:
            self._setup()
            phase = "script"
            for group in self.script.groups:
                if time.monotonic() > self.deadline:
                    raise ScriptFailure(f"script took over {self.s.script_timeout:g}s", group.commands[0])
                self._run_group(group)
        except ScriptSkipped as e:
            result.status, result.reason = SKIP, str(e)
        except ScriptFailure as e:
            result.status = FAIL
            result.reason = e.reason if phase == "script" else f"{phase}: {e.reason}"
            if e.command is not None:
                result.line, result.command = e.command.linenum, e.command.text[:300]
            result.expected, result.got = e.expected, e.got
        except OSError as e:
            result.status, result.reason = FAIL, f"{phase}: {e}"
        finally:
            for c in self.conns:
                c.close()
        result.seconds = round(time.monotonic() - started, 3)
        return result


def fold_cap(word):
    return word.upper()


def _append_has_body(args_text):
    """Whether `append <args>` carries its own message (else the mbox supplies one)."""
    try:
        args, _ = parse(args_text, lenient=True)
    except ParseError:
        return False
    if not args:
        return False
    i = 0
    if len(args) > i + 1 and isinstance(args[i + 1], List):
        i += 1
    if len(args) > i + 1 and isinstance(args[i + 1], Quoted):
        i += 1
    if len(args) <= i + 1:
        return False
    nxt = args[i + 1]
    return isinstance(nxt, Literal) or (atom(nxt) or "").lower() == "catenate"


def run_script(script, settings):
    """Run one parsed script; a Result whatever happens."""
    return ScriptRun(script, settings).run()
