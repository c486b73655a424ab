"""Moat's SMTP listener on the wire: raw sockets and smtplib against a real `moat serve`
that re-injects into the harness sink. No Postfix needed.

Only 127.0.0.1, ports picked by moat and the sink, every socket with a timeout.
"""
import re
import smtplib
import socket
import subprocess
import threading
import time
import uuid

import pytest

from harness import Moat
from harness import RawClient as Client

TIMEOUT = 20


def message(subject, body="Hello.\r\n"):
    return (f"From: sender@example.org\r\nTo: rcpt@example.com\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.org>\r\n\r\n{body}").encode()


@pytest.fixture
def moat_factory(smtp_sink):
    """make(**filter_settings) -> started Moat re-injecting to the sink; stopped at teardown."""
    started, clients = [], []

    def make(**filter_settings):
        moat = Moat(smtp_sink.port, filter=filter_settings)
        started.append(moat)
        return moat.start()

    make.clients = clients
    yield make
    for c in clients:
        c.close()
    for moat in started:
        try:
            moat.stop()
        except subprocess.TimeoutExpired:
            moat.kill()


@pytest.fixture
def moat(moat_factory):
    return moat_factory()


def connect(factory, port, timeout=TIMEOUT):
    c = Client(port, timeout)
    factory.clients.append(c)
    return c


def greeted(factory, port, ehlo=True):
    c = connect(factory, port)
    code, text = c.reply()
    assert code == 220 and "moat.example.test ESMTP" in text
    if ehlo:
        code, text = c.cmd("EHLO client.example")
        assert code == 250, text
    return c


def test_ehlo_advertises_extensions(moat_factory, moat):
    c = greeted(moat_factory, moat.port, ehlo=False)
    code, text = c.cmd("EHLO client.example")
    assert code == 250
    lines = text.split("\n")
    assert lines[0] == "moat.example.test"
    for ext in ("PIPELINING", "SIZE", "ENHANCEDSTATUSCODES", "8BITMIME", "SMTPUTF8", "XFORWARD"):
        assert any(l.split(" ")[0] == ext for l in lines[1:]), (ext, lines)
    assert c.cmd("QUIT")[0] == 221
    assert c.at_eof()


def test_vrfy_is_disabled(moat_factory, moat):
    c = greeted(moat_factory, moat.port)
    code, text = c.cmd("VRFY root")
    assert code == 502 and text.startswith("5.5.1"), (code, text)
    assert c.cmd("NOOP")[0] == 250
    assert c.cmd("QUIT")[0] == 221


def test_unknown_command(moat_factory, moat):
    c = greeted(moat_factory, moat.port)
    code, text = c.cmd("FROBNICATE now")
    assert code == 502 and text.startswith("5.5.2"), (code, text)
    code, text = c.cmd("RCPT TO:<rcpt@example.com>")
    assert code == 503 and text.startswith("5.5.1"), (code, text)
    assert c.cmd("QUIT")[0] == 221


def test_pipelining_replies_in_order(moat_factory, moat, smtp_sink):
    c = greeted(moat_factory, moat.port, ehlo=False)
    c.send(b"EHLO client.example\r\nMAIL FROM:<sender@example.org>\r\n"
           b"RCPT TO:<rcpt@example.com>\r\nRCPT TO:<other@example.com>\r\nDATA\r\n")
    codes = [c.reply()[0] for _ in range(5)]
    assert codes == [250, 250, 250, 250, 354]
    c.send(message("pipelined") + b".\r\nNOOP\r\nQUIT\r\n")
    code, text = c.reply()
    assert code == 250, text
    assert [c.reply()[0], c.reply()[0]] == [250, 221]
    [msg] = smtp_sink.wait_for(1)
    assert b"Subject: pipelined" in msg.data
    assert msg.mail_from == "sender@example.org"
    assert sorted(msg.rcpt_tos) == ["other@example.com", "rcpt@example.com"]


def test_whole_session_in_one_write(moat_factory, moat, smtp_sink):
    """A client that does not even wait for 354 (RFC 2920 forbids it, some do it anyway)."""
    c = greeted(moat_factory, moat.port, ehlo=False)
    c.send(b"EHLO client.example\r\nMAIL FROM:<sender@example.org>\r\nRCPT TO:<rcpt@example.com>\r\nDATA\r\n"
           + message("all at once") + b".\r\nQUIT\r\n")
    codes = [c.reply()[0] for _ in range(6)]
    assert codes == [250, 250, 250, 354, 250, 221]
    [msg] = smtp_sink.wait_for(1)
    assert b"Subject: all at once" in msg.data


def test_dot_stuffed_lines_arrive_unstuffed(moat_factory, moat, smtp_sink):
    c = greeted(moat_factory, moat.port)
    assert c.cmd("MAIL FROM:<sender@example.org>")[0] == 250
    assert c.cmd("RCPT TO:<rcpt@example.com>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    body = "..leading dot\r\n..\r\n...\r\nmid.dle.\r\n"
    c.send(message("dots", body) + b".\r\n")
    assert c.reply()[0] == 250
    assert c.cmd("QUIT")[0] == 221
    [msg] = smtp_sink.wait_for(1)
    # The sink removes the dot-stuffing moat's client adds again on re-injection.
    lines = [l.rstrip(b"\r") for l in msg.data.split(b"\n")]
    i = lines.index(b".leading dot")
    assert lines[i:i + 4] == [b".leading dot", b".", b"..", b"mid.dle."]


def test_oversized_message_gets_552_and_session_continues(moat_factory, smtp_sink):
    moat = moat_factory(max_message_size="1M")
    c = greeted(moat_factory, moat.port)
    code, text = c.cmd("MAIL FROM:<sender@example.org> SIZE=2000000")
    assert code == 552 and text.startswith("5.3.4"), (code, text)
    assert c.cmd("MAIL FROM:<sender@example.org>")[0] == 250
    assert c.cmd("RCPT TO:<rcpt@example.com>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    line = b"x" * 998 + b"\r\n"
    c.send(message("too big").rstrip(b"\r\n") + b"\r\n" + line * 2100 + b".\r\n")  # ~2 MB
    code, text = c.reply()
    assert code == 552 and text.startswith("5.3.4"), (code, text)
    assert c.cmd("RSET")[0] == 250
    assert c.cmd("NOOP")[0] == 250
    # And a small message still goes through on the same connection.
    assert c.cmd("MAIL FROM:<sender@example.org>")[0] == 250
    assert c.cmd("RCPT TO:<rcpt@example.com>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(message("small after big") + b".\r\n")
    assert c.reply()[0] == 250
    assert c.cmd("QUIT")[0] == 221
    [msg] = smtp_sink.wait_for(1)
    assert b"Subject: small after big" in msg.data


def test_overlong_command_line(moat_factory, moat):
    c = greeted(moat_factory, moat.port)
    code, text = c.cmd("NOOP " + "x" * 4995)
    assert code == 500 and text.startswith("5.5.2"), (code, text)
    assert c.cmd("NOOP")[0] == 250
    assert c.cmd("MAIL FROM:<sender@example.org>")[0] == 250
    assert c.cmd("QUIT")[0] == 221


def test_nul_byte_in_command(moat_factory, moat):
    c = greeted(moat_factory, moat.port)
    c.send(b"MAIL FROM:<sender@exa\x00mple.org>\r\n")
    code, text = c.reply()
    assert code == 500, (code, text)
    assert c.cmd("QUIT")[0] == 221


def test_concurrent_sessions(moat, smtp_sink):
    n = 30
    results, errors = [None] * n, []
    start = threading.Barrier(n, timeout=TIMEOUT)

    def one(i):
        try:
            start.wait()
            with smtplib.SMTP("127.0.0.1", moat.port, timeout=120) as s:
                s.ehlo("client.example")
                s.mail("sender@example.org")
                s.rcpt("rcpt@example.com")
                results[i] = s.data(message(f"concurrent {i}"))[0]
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append((i, repr(e)))

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    assert errors == []
    assert results == [250] * n
    msgs = smtp_sink.wait_for(n, timeout=60)
    subjects = sorted(re.search(rb"Subject: (concurrent \d+)", m.data).group(1) for m in msgs)
    assert subjects == sorted(f"concurrent {i}".encode() for i in range(n))


def test_max_connections(moat_factory):
    moat = moat_factory(max_connections=2)
    a = greeted(moat_factory, moat.port, ehlo=False)
    b = greeted(moat_factory, moat.port, ehlo=False)
    c = connect(moat_factory, moat.port)
    code, text = c.reply()
    assert code == 421 and text.startswith("4.3.2"), (code, text)
    assert c.at_eof()
    # The admitted ones still work; once one leaves, a new connection is admitted.
    assert a.cmd("NOOP")[0] == 250
    assert a.cmd("QUIT")[0] == 221
    assert a.at_eof()
    deadline = time.monotonic() + 10
    while True:
        d = connect(moat_factory, moat.port)
        code, text = d.reply()
        if code == 220 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert code == 220, text
    assert d.cmd("QUIT")[0] == 221
    assert b.cmd("QUIT")[0] == 221


def test_idle_timeout(moat_factory):
    moat = moat_factory(idle_timeout="2s")
    c = connect(moat_factory, moat.port, timeout=10)
    started = time.monotonic()
    assert c.reply()[0] == 220
    code, text = c.reply()
    elapsed = time.monotonic() - started
    assert code == 421 and text.startswith("4.4.2"), (code, text)
    assert 1.0 <= elapsed <= 5.0, elapsed
    assert c.at_eof()


def test_idle_timeout_is_between_commands(moat_factory, smtp_sink):
    """A client that keeps talking, slower than nothing but faster than the timeout, stays."""
    moat = moat_factory(idle_timeout="2s")
    c = greeted(moat_factory, moat.port)
    for _ in range(3):
        time.sleep(1)
        assert c.cmd("NOOP")[0] == 250
    assert c.cmd("QUIT")[0] == 221


def test_slow_client_one_byte_at_a_time(moat_factory, moat, smtp_sink):
    c = greeted(moat_factory, moat.port)
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def trickle(data):
        for i in range(len(data)):
            c.send(data[i:i + 1])
            time.sleep(0.001)

    trickle(b"MAIL FROM:<sender@example.org>\r\n")
    assert c.reply()[0] == 250
    trickle(b"RCPT TO:<rcpt@example.com>\r\n")
    assert c.reply()[0] == 250
    trickle(b"DATA\r\n")
    assert c.reply()[0] == 354
    trickle(message("slowly", "line one\r\n..dotted\r\n") + b".\r\n")
    code, text = c.reply()
    assert code == 250, text
    assert c.cmd("QUIT")[0] == 221
    [msg] = smtp_sink.wait_for(1)
    assert b"Subject: slowly" in msg.data
    assert re.search(rb"^\.dotted\r?$", msg.data, re.M)
