"""Two IMAP sessions on one mailbox: what one does (flags, expunges) and what the MX delivers
reaches the other, pushed while it IDLEs and on its NOOP; UIDs are never given out twice,
neither after an expunge of the highest UID nor across a restart of moat."""
import re
import time

import pytest

from harness import MailboxMX


def message(n):
    return (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: session {n}\r\n"
            f"Message-ID: <session-{n}@example.org>\r\n\r\nBody of {n}.\r\n").encode()


@pytest.fixture
def mx():
    with MailboxMX() as m:
        m.add_user("alice@example.com", password="sesame")
        yield m


def both_selected(m):
    first, second = m.imap_login(), m.imap_login()
    assert first.select("INBOX")[0] == "OK" and second.select("INBOX")[0] == "OK"
    return first, second


class Idler:
    """Puts an imaplib session into IDLE and reads the untagged lines it is pushed."""

    def __init__(self, client):
        self.client = client
        self.tag = client._new_tag()
        client.send(self.tag + b" IDLE\r\n")
        assert client.readline().startswith(b"+ "), "IDLE continuation"
        client.sock.settimeout(5)

    def expect(self, *wanted, within=3.0):
        """Reads pushed lines until every regex in `wanted` matched one; fails after `within` s."""
        started, pending, seen = time.monotonic(), [re.compile(w) for w in wanted], []
        while pending:
            assert time.monotonic() - started < within, f"still waiting for {pending} after {seen}"
            line = self.client.readline()
            assert line, f"connection closed; saw {seen}"
            seen.append(line)
            pending = [p for p in pending if not p.fullmatch(line)]
        return time.monotonic() - started

    def done(self):
        self.client.send(b"DONE\r\n")
        while not (line := self.client.readline()).startswith(self.tag):
            assert line.startswith(b"* "), line
        assert line.startswith(self.tag + b" OK"), line


def test_idle_is_told_flags_expunges_and_deliveries(mx):
    mx.deliver(message(1), message(2), message(3))
    first, second = both_selected(mx)
    idle = Idler(second)
    timings = []
    first.uid("STORE", "1", "+FLAGS", "(\\Flagged $Work)")
    timings.append(idle.expect(rb"\* 1 FETCH \(FLAGS \([^)]*\\Flagged[^)]*\)( UID 1)?\)\r\n"))
    first.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
    first.expunge()
    timings.append(idle.expect(rb"\* 2 EXPUNGE\r\n"))
    mx.deliver(message(4))
    timings.append(idle.expect(rb"\* 3 EXISTS\r\n"))
    idle.done()
    # What IDLE announced is what the session now sees.
    typ, data = second.uid("FETCH", "1:*", "(FLAGS)")
    listing = b" ".join(data)
    assert re.findall(rb"UID (\d+)", listing) == [b"1", b"3", b"4"], data
    assert b"$Work" in data[0] and b"\\Flagged" in data[0]
    assert max(timings) < 1.5, f"IDLE updates took {timings} s (the issue asks within a second, plus scheduling)"
    first.logout()
    second.logout()


def test_noop_is_told_flags_expunges_and_deliveries(mx):
    mx.deliver(message(1), message(2), message(3))
    first, second = both_selected(mx)
    first.uid("STORE", "3", "+FLAGS", "(\\Answered)")
    first.uid("STORE", "1", "+FLAGS", "(\\Deleted)")
    first.expunge()
    mx.deliver(message(4))
    tag = second._new_tag()
    second.send(tag + b" NOOP\r\n")
    told = []
    while not (line := second.readline()).startswith(tag):
        told.append(line)
    assert line.startswith(tag + b" OK"), line
    assert b"* 1 EXPUNGE\r\n" in told and b"* 3 EXISTS\r\n" in told, told
    # session-3's new flag under the number it has where the line falls: 3 before the
    # EXPUNGE of message 1 is announced, 2 after.
    expunge_at = told.index(b"* 1 EXPUNGE\r\n")
    fetches = [(i, l) for i, l in enumerate(told) if re.fullmatch(rb"\* \d+ FETCH \(FLAGS \(\\Answered\)( UID 3)?\)\r\n", l)]
    assert len(fetches) == 1, told
    at, fetch = fetches[0]
    assert fetch.startswith(b"* 3 FETCH" if at < expunge_at else b"* 2 FETCH"), told
    assert told.index(b"* 3 EXISTS\r\n") > expunge_at, "EXISTS counts after the EXPUNGE: 3, not 4"
    # Numbers were renumbered by the EXPUNGE before the delivery: session-4 is message 3.
    typ, data = second.fetch("3", "(UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert b"<session-4@example.org>" in data[0][1] and b"UID 4" in data[0][0], data
    first.logout()
    second.logout()


def appended_uid(client, body):
    typ, data = client.append("INBOX", None, None, body)
    assert typ == "OK", data
    return int(re.search(rb"\[APPENDUID \d+ (\d+)\]", data[0]).group(1))


def uid_validity(client):
    return client.status("INBOX", "(UIDVALIDITY)")[1][0]


def test_uids_are_never_reused_after_expunge_or_restart(mx):
    """Expunging the highest UID and appending again must not hand that UID out again; nor
    may a restart (index reopened, UIDNEXT from disk), twice over."""
    first, second = both_selected(mx)
    given = [appended_uid(first, message(n)) for n in (1, 2, 3)]
    assert given == [1, 2, 3]
    validity = uid_validity(first)
    for n in (4, 5):
        highest = max(given)
        first.uid("STORE", str(highest), "+FLAGS", "(\\Deleted)")
        first.expunge()
        given.append(appended_uid(second, message(n)))  # from the other session
        assert given[-1] > highest, f"UID {given[-1]} after {highest} was expunged: reused"
    first.logout()
    second.logout()
    for n in (6, 7):
        client = mx.imap_login()
        client.select("INBOX")
        client.uid("STORE", str(max(given)), "+FLAGS", "(\\Deleted)")
        client.expunge()
        client.logout()
        mx.stop()
        mx.start()
        client = mx.imap_login()
        assert uid_validity(client) == validity, "UIDVALIDITY kept across the restart"
        given.append(appended_uid(client, message(n)))
        assert given[-1] > given[-2], f"UID {given[-1]} after a restart reuses {given[-2]}"
        client.logout()
    assert len(set(given)) == len(given)
