"""Permanent versus temporary answers at RCPT, and the line limit of the Received header,
against the real MX: an address no mailbox can have is refused for good (553 5.1.3, not
"451 4.3.0 Temporary lookup failure" that senders retry for days), a bare <postmaster> is
accepted (RFC 5321 §4.1.1.3) and delivered, and a client's 2,000-octet HELO does not make a
Received line longer than RFC 5322's 998 octets."""
import smtplib

import pytest

from harness import MoatMX, RawClient

MESSAGE = b"From: s@example.org\r\nSubject: t\r\n\r\nbody\r\n"


@pytest.fixture(scope="module")
def mx():
    # hostname mx.example.test: a bare <postmaster> is postmaster@example.test
    with MoatMX(tls=False, mx={"mynetworks": ["192.0.2.0/24"]},
                **{"mx.restrictions": {"recipient": ["reject_non_fqdn_recipient"]}}) as m:
        m.add_user("alice@example.com")
        m.add_user("admin@example.test")
        m.cli("alias", "add", "postmaster@example.test", "admin@example.test")
        yield m


SYNTAX = "553 5.1.3 <{}>: Recipient address rejected: Bad recipient address syntax"
UNKNOWN = "550 5.1.1 <{}>: Recipient address rejected: User unknown in virtual mailbox table"


@pytest.mark.parametrize("address,expected", [
    ('"../admin"@example.com', SYNTAX.format('"../admin"@example.com')),   # needs its quotes: not a mailbox name here
    ('"x\\"y"@example.com', SYNTAX.format('"x\\"y"@example.com')),
    ('"a/b"@example.com', UNKNOWN.format("a/b@example.com")),               # the quotes were not needed
    ('"alice"@example.com', "250 2.1.5 Ok"),                                # nor here: Postfix unquotes too
])
def test_quoted_local_parts_get_a_permanent_answer(mx, address, expected):
    c = RawClient(mx.mx_port)
    assert c.reply()[0] == 220
    c.cmd("EHLO client.example.test")
    assert c.cmd("MAIL FROM:<s@example.org>")[0] == 250
    code, text = c.cmd(f"RCPT TO:<{address}>")
    c.close()
    assert f"{code} {text}" == expected


@pytest.mark.parametrize("path", ["<postmaster>", "<Postmaster>", "<POSTMASTER>"])
def test_bare_postmaster_is_accepted_and_delivered(mx, path):
    before = len(list(mx.maildir("admin@example.test").glob("new/*")))
    c = RawClient(mx.mx_port)
    assert c.reply()[0] == 220
    c.cmd("EHLO client.example.test")
    assert c.cmd("MAIL FROM:<s@example.org>")[0] == 250
    assert c.cmd(f"RCPT TO:{path}") == (250, "2.1.5 Ok")
    assert c.cmd("DATA")[0] == 354
    c.send(MESSAGE + b".\r\n")
    assert c.reply()[0] == 250
    c.cmd("QUIT")
    c.close()
    stored = mx.delivered("admin@example.test", count=before + 1)
    # the alias of postmaster@example.test delivered it; the trace names the qualified address
    assert any(b"\tfor <postmaster@example.test>;" in m for m in stored[before:]), stored[-1][:400]


def test_other_bare_names_stay_a_syntax_error(mx):
    c = RawClient(mx.mx_port)
    assert c.reply()[0] == 220
    c.cmd("EHLO client.example.test")
    c.cmd("MAIL FROM:<s@example.org>")
    assert c.cmd("RCPT TO:<webmaster>")[0] == 501
    c.close()


def test_long_helo_keeps_received_within_998_octets(mx):
    helo = "h" * 2_000
    before = len(list(mx.maildir("alice@example.com").glob("new/*")))
    with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=30) as s:
        s.ehlo(helo)
        s.mail("s@example.org")
        assert s.rcpt("alice@example.com")[0] == 250
        assert s.data(MESSAGE)[0] == 250
    stored = mx.delivered("alice@example.com", count=before + 1)[-1]
    head = stored.split(b"\n\n", 1)[0]
    assert max(len(line) for line in head.split(b"\n")) <= 998
    # the HELO is all there, cut across lines
    assert helo.encode() in head.replace(b"\n ", b""), head[:1200]
