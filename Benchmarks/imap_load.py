"""The imaptest-like load: each client process loops over whole sessions on its own user's
INBOX, one command at a time, with the command mix of imaptest's default profile
(dovecot/imaptest `src/client-state.c`, used as a model only; no imaptest code or binary):

    LOGIN 100%, LIST "" * 50%, STATUS INBOX 50%, SELECT INBOX 100%,
    FETCH of up to 100 random messages, 1-4 random items (FLAGS, ENVELOPE, BODYSTRUCTURE,
      BODY.PEEK[HEADER.FIELDS (...)], ...) 100%,
    FETCH2: one message's BODY.PEEK[] / [HEADER] / [TEXT] / [1] / RFC822.HEADER 100%, again 30%,
    STORE ±FLAGS(.SILENT) of random flags on random messages 50%,
    DELETE: STORE +FLAGS(.SILENT) \\Deleted on 0-2 random messages 100%,
    EXPUNGE 100%, APPEND of a corpus message while the INBOX holds fewer than 30 (again 5%),
    LOGOUT 100%.
Differences from imaptest's load mode: no pipelining (its `no_pipelining` option), one
user per client (its `users=` form) so sessions of one user never overlap, and a DELETE
of 0-2 messages (imaptest takes 0-4 and lets the mailbox drain) so that the INBOX stays
near 30 messages for the whole run. Choices come from a seeded random generator per
client, so both servers get the same kind of work.

Every NO, BAD, unexpected BYE, timeout or lost connection is an error: counted per
command, the first few kept verbatim, and the session is abandoned (a new one starts).
"""
import multiprocessing
import os
import random
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field

from imap_wire import IMAPConnection, IMAPFailure

COMMANDS = ("LOGIN", "LIST", "STATUS", "SELECT", "FETCH", "FETCH2", "STORE", "DELETE", "EXPUNGE", "APPEND", "LOGOUT")
MESSAGE_THRESHOLD = 30
FETCH_ITEMS = (b"UID", b"FLAGS", b"ENVELOPE", b"INTERNALDATE", b"BODY", b"BODYSTRUCTURE", b"RFC822.SIZE")
HEADER_NAMES = (b"From", b"To", b"Cc", b"Subject", b"References", b"In-Reply-To", b"Message-ID", b"Delivered-To")
FETCH2_ITEMS = (b"BODY.PEEK[HEADER]", b"RFC822.HEADER", b"BODY.PEEK[]", b"BODY.PEEK[1]", b"BODY.PEEK[TEXT]")
STORE_FLAGS = (b"\\Seen", b"\\Flagged", b"\\Answered", b"\\Draft", b"$Label1", b"$Label2")
KEPT_ERRORS = 5


@dataclass
class ClientResult:
    """What one client process did between the start and the deadline."""
    ops: Counter = field(default_factory=Counter)
    seconds: Counter = field(default_factory=Counter)  # summed latency per command
    errors: Counter = field(default_factory=Counter)  # (command, kind) -> count
    samples: list = field(default_factory=list)
    sessions: int = 0
    cpu: float = 0.0

    def merge(self, other):
        self.ops.update(other.ops)
        self.seconds.update(other.seconds)
        self.errors.update(other.errors)
        self.samples = (self.samples + other.samples)[:KEPT_ERRORS]
        self.sessions += other.sessions
        self.cpu += other.cpu
        return self


class Overtime(Exception):
    """The deadline passed: the session ends without counting more."""


class Session:
    """One LOGIN … LOGOUT on a user's INBOX, keeping the message count from EXISTS and
    EXPUNGE so every sequence number it sends is valid."""

    def __init__(self, port, user, password, messages, rng, result, deadline):
        self.port, self.user, self.password = port, user, password
        self.messages, self.rng, self.result, self.deadline = messages, rng, result, deadline
        self.exists = 0
        self.conn = None

    def timed(self, name, text, literal=None, expect_bye=False):
        if time.perf_counter() >= self.deadline:
            raise Overtime()
        t0 = time.perf_counter()
        reply = self.conn.command(text, literal, expect_bye)
        t1 = time.perf_counter()
        for line in reply.untagged:
            if line.endswith(b" EXPUNGE") and line[2:3].isdigit():
                self.exists -= 1
            elif line.endswith(b" EXISTS") and line[2:3].isdigit():
                self.exists = int(line[2:line.index(b" ", 2)])
        if t1 <= self.deadline:
            self.result.ops[name] += 1
            self.result.seconds[name] += t1 - t0
        return reply

    def chance(self, percent):
        return self.rng.randrange(100) < percent

    def random_set(self, count):
        seqs = sorted({self.rng.randint(1, self.exists) for _ in range(count)})
        ranges, start, prev = [], seqs[0], seqs[0]
        for s in seqs[1:] + [None]:
            if s is not None and s == prev + 1:
                prev = s
                continue
            ranges.append(b"%d" % start if start == prev else b"%d:%d" % (start, prev))
            if s is not None:
                start = prev = s
        return b",".join(ranges)

    def fetch_items(self):
        items = []
        for _ in range(self.rng.randint(1, 4)):
            if self.rng.randrange(4):
                items.append(self.rng.choice(FETCH_ITEMS))
            else:
                names = [self.rng.choice(HEADER_NAMES) for _ in range(self.rng.randint(1, 4))]
                items.append(b"BODY.PEEK[HEADER.FIELDS (" + b" ".join(names) + b")]")
        return b"(" + b" ".join(items) + b")"

    def run(self):
        self.conn = IMAPConnection(self.port)
        try:
            self.timed("LOGIN", b'LOGIN "%s" "%s"' % (self.user.encode(), self.password.encode()))
            if not self.conn.capabilities:
                self.conn.command(b"CAPABILITY")
            if self.chance(50):
                self.timed("LIST", b'LIST "" *')
            if self.chance(50):
                self.timed("STATUS", b"STATUS INBOX (MESSAGES UNSEEN RECENT)")
            self.timed("SELECT", b"SELECT INBOX")
            if self.exists:
                self.selected_commands()
            if self.exists < MESSAGE_THRESHOLD:
                self.append()
                while self.chance(5):
                    self.append()
            self.timed("LOGOUT", b"LOGOUT", expect_bye=True)
            self.result.sessions += 1
        except Overtime:
            try:
                self.conn.command(b"LOGOUT", expect_bye=True)
            except IMAPFailure:
                pass
        finally:
            self.conn.close()

    def selected_commands(self):
        self.timed("FETCH", b"FETCH " + self.random_set(min(self.exists, 100)) + b" " + self.fetch_items())
        while True:
            self.timed("FETCH2", b"FETCH %d (UID %s)" % (self.rng.randint(1, self.exists),
                                                         self.rng.choice(FETCH2_ITEMS)))
            if not self.chance(30):
                break
        if self.chance(50):
            count = self.rng.randrange(self.exists if self.exists < 10 else min(self.exists // 5, 50))
            if count:
                sign = self.rng.choice((b"+", b"-", b""))
                silent = b".SILENT" if self.chance(50) else b""
                flags = b" ".join(sorted(set(self.rng.choice(STORE_FLAGS) for _ in range(self.rng.randint(1, 3)))))
                self.timed("STORE", b"STORE %s %sFLAGS%s (%s)" % (self.random_set(count), sign, silent, flags))
        count = self.rng.randrange(3)
        if count:
            silent = b".SILENT" if self.chance(50) else b""
            self.timed("DELETE", b"STORE %s +FLAGS%s (\\Deleted)" % (self.random_set(count), silent))
        self.timed("EXPUNGE", b"EXPUNGE")

    def append(self):
        flags = b" (\\Seen)" if self.chance(50) else b""
        self.timed("APPEND", b"APPEND INBOX" + flags, literal=self.rng.choice(self.messages))


def client_main(args):
    """One client process: whole sessions from `start_at` (wall clock, so every process
    starts together) for `duration` seconds."""
    index, port, user, password, messages, start_at, duration, seed = args
    rng = random.Random(seed)
    result = ClientResult()
    time.sleep(max(0.0, start_at - time.time()))
    cpu0 = os.times()
    deadline = time.perf_counter() + duration
    while time.perf_counter() < deadline:
        session = Session(port, user, password, messages, rng, result, deadline)
        try:
            session.run()
        except IMAPFailure as failure:
            note_error(result, failure.command, failure.kind, str(failure))
        except OSError as error:
            note_error(result, "connect", "disconnect", repr(error))
        except Exception:  # a client bug must show, not pass for a server error
            note_error(result, "client", "exception", traceback.format_exc(limit=3))
            time.sleep(0.05)
    cpu1 = os.times()
    result.cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return result


def login_main(args):
    """LOGIN/LOGOUT rate: connect, LOGIN, LOGOUT, close, as fast as the server answers."""
    index, port, user, password, start_at, duration = args
    result = ClientResult()
    time.sleep(max(0.0, start_at - time.time()))
    cpu0 = os.times()
    deadline = time.perf_counter() + duration
    login = b'LOGIN "%s" "%s"' % (user.encode(), password.encode())
    while time.perf_counter() < deadline:
        t0 = time.perf_counter()
        try:
            conn = IMAPConnection(port)
            try:
                conn.command(login)
                conn.command(b"LOGOUT", expect_bye=True)
            finally:
                conn.close()
        except IMAPFailure as failure:
            note_error(result, failure.command, failure.kind, str(failure))
            continue
        except OSError as error:
            note_error(result, "connect", "disconnect", repr(error))
            continue
        t1 = time.perf_counter()
        if t1 <= deadline:
            result.ops["LOGIN+LOGOUT"] += 1
            result.seconds["LOGIN+LOGOUT"] += t1 - t0
    cpu1 = os.times()
    result.cpu = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return result


def note_error(result, command, kind, text):
    result.errors[(command, kind)] += 1
    if len(result.samples) < KEPT_ERRORS:
        result.samples.append(text[:300])


def run_clients(target, jobs):
    """Runs `target` over `jobs` in one process each and merges what they report."""
    context = multiprocessing.get_context("fork")
    with context.Pool(len(jobs)) as pool:
        results = pool.map(target, jobs, chunksize=1)
    total = ClientResult()
    for r in results:
        total.merge(r)
    return total
