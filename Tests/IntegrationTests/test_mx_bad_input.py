"""Bad input at the MX: oversized messages, recipient floods, huge lines, NUL bytes, bare
LF, commands split into single bytes, slow and idle clients. Each gets Postfix's reply,
nothing crashes, memory stays bounded, and the server keeps serving."""
import smtplib
import time

import pytest

from harness import MoatMX, RawClient

MESSAGE = b"From: s@example.org\r\nSubject: t\r\n\r\nbody\r\n"


@pytest.fixture(scope="module")
def mx():
    m = MoatMX(tls=False, mx={"idle_timeout": "3s", "max_connections_per_client": 20,
                              "mynetworks": ["192.0.2.0/24"], "hard_error_limit": 100, "soft_error_limit": 100})
    m.start()
    m.add_user("alice@example.com")
    yield m
    assert m.proc.poll() is None, "moat must survive all of it"
    m.stop()


def still_serving(m):
    with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
        s.ehlo("client.example.test")
        s.mail("s@example.org")
        assert s.rcpt("alice@example.com")[0] == 250
        assert s.data(MESSAGE)[0] == 250


def greeted(port):
    c = RawClient(port, timeout=30)
    assert c.reply()[0] == 220
    return c


def test_50mb_message_over_the_limit_is_refused_with_bounded_memory(mx):
    before = mx.rss_kib()
    c = greeted(mx.mx_port)
    c.cmd("EHLO client.example.test")
    assert c.cmd("MAIL FROM:<s@example.org> SIZE=52428800") == (552, "5.3.4 Message size exceeds fixed limit")
    c.cmd("MAIL FROM:<s@example.org>")
    c.cmd("RCPT TO:<alice@example.com>")
    assert c.cmd("DATA")[0] == 354
    chunk = (b"x" * 998 + b"\r\n") * 1024  # 1 MiB
    for _ in range(50):
        c.send(chunk)
    assert c.cmd(".") == (552, "5.3.4 Error: message file too big")
    assert c.cmd("QUIT")[0] == 221
    c.close()
    assert mx.rss_kib() - before < 100 * 1024, "the oversized body was not kept in memory"
    still_serving(mx)


def test_ten_thousand_recipients(mx):
    c = greeted(mx.mx_port)
    c.cmd("EHLO client.example.test")
    c.cmd("MAIL FROM:<s@example.org>")
    c.send(b"".join(b"RCPT TO:<alice+%d@example.com>\r\n" % n for n in range(10_000)))
    codes = [f"{code} {text[:5]}" for code, text in (c.reply() for _ in range(10_000))]
    assert codes.count("250 2.1.5") == 1000
    assert codes.count("452 4.5.3") == 9000
    assert c.cmd("DATA")[0] == 354
    c.send(MESSAGE + b".\r\n")
    code, text = c.reply()
    assert code == 250 and text.startswith("2.0.0 Ok: queued as"), text
    c.close()
    still_serving(mx)


def test_megabyte_command_lines_nul_bytes_and_bare_lf(mx):
    c = greeted(mx.mx_port)
    c.send(b"EHLO " + b"a" * (1 << 20) + b"\r\n")
    assert c.reply() == (500, "5.5.2 Error: line too long")
    c.send(b"EHLO client.example.test\n")
    code, text = c.reply()
    assert code == 250 and "\n" in text, "bare LF ends a command line (the multi-line EHLO reply)"
    c.send(b"MAIL FROM:<s\x00@example.org>\r\n")
    nul = c.reply()
    assert nul[0] >= 500, nul
    c.cmd("MAIL FROM:<s@example.org>")
    c.cmd("RCPT TO:<alice@example.com>")
    c.cmd("DATA")
    # bare-LF dot lines are content; only CRLF.CRLF ends the message (no smuggling)
    c.send(b"Subject: nul\r\n\r\nbefore\x00after\n.\nMAIL FROM:<smuggled@example.org>\n.\r\n"
           b"QUIT\r\n.\r\n")
    code, text = c.reply()
    assert code == 250 and text.startswith("2.0.0 Ok: queued as"), text
    assert c.cmd("RSET")[0] == 250, "the smuggled MAIL FROM was not a command"
    c.close()
    deadline = time.monotonic() + 30
    stored = []
    while not stored and time.monotonic() < deadline:
        new = mx.maildir("alice@example.com") / "new"
        stored = [f.read_bytes() for f in new.glob("*") if b"Subject: nul" in f.read_bytes()] if new.is_dir() else []
        time.sleep(0.1)
    assert stored, "the message with NUL bytes was delivered"
    assert b"before\x00after" in stored[0] and b"smuggled@example.org" in stored[0] and b"QUIT" in stored[0]


def test_commands_one_byte_per_packet(mx):
    c = greeted(mx.mx_port)
    replies = []
    for command in [b"EHLO client.example.test\r\n", b"MAIL FROM:<s@example.org>\r\n", b"RCPT TO:<alice@example.com>\r\n"]:
        for byte in command:
            c.send(bytes([byte]))
        replies.append(c.reply()[0])
    assert replies == [250, 250, 250]
    c.close()


def test_idle_and_slow_clients(mx):
    idle = greeted(mx.mx_port)
    started = time.monotonic()
    assert idle.reply() == (421, "4.4.2 mx.example.test Error: timeout exceeded")
    assert time.monotonic() - started < 10
    # slowloris: many half-open sessions from one client hit the per-client limit
    held = [greeted(mx.mx_port) for _ in range(20)]
    extra = RawClient(mx.mx_port, timeout=10)
    assert extra.reply() == (421, "4.7.0 mx.example.test Error: too many connections from 127.0.0.1")
    extra.close()
    for h in held:
        h.close()
    # the server notices the closed sessions within moments; then there is room again
    deadline = time.monotonic() + 10
    while True:
        try:
            still_serving(mx)
            break
        except smtplib.SMTPConnectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
