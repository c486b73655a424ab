"""Bad input at the MX: oversized messages, recipient floods, huge lines, NUL bytes, bare
LF, commands split into single bytes, slow and idle clients. Each gets Postfix's reply,
nothing crashes, memory stays bounded, and the server keeps serving."""
import socket
import smtplib
import time

import pytest

from harness import MoatMX

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


class Client:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")
        self.greeting = self.reply()

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            if not line:
                raise EOFError("closed")
            lines.append(line.decode(errors="replace").rstrip("\r\n"))
            if line[3:4] != b"-":
                return lines

    def cmd(self, text):
        self.sock.sendall(text if isinstance(text, bytes) else text.encode())
        return self.reply()

    def close(self):
        self.sock.close()


def test_50mb_message_over_the_limit_is_refused_with_bounded_memory(mx):
    before = mx.rss_kib()
    c = Client(mx.mx_port)
    c.cmd("EHLO client.example.test\r\n")
    assert c.cmd("MAIL FROM:<s@example.org> SIZE=52428800\r\n")[0] == "552 5.3.4 Message size exceeds fixed limit"
    c.cmd("MAIL FROM:<s@example.org>\r\n")
    c.cmd("RCPT TO:<alice@example.com>\r\n")
    assert c.cmd("DATA\r\n")[0].startswith("354")
    chunk = (b"x" * 998 + b"\r\n") * 1024  # 1 MiB
    for _ in range(50):
        c.sock.sendall(chunk)
    assert c.cmd(".\r\n")[0] == "552 5.3.4 Error: message file too big"
    assert c.cmd("QUIT\r\n")[0].startswith("221")
    c.close()
    assert mx.rss_kib() - before < 100 * 1024, "the oversized body was not kept in memory"
    still_serving(mx)


def test_ten_thousand_recipients(mx):
    c = Client(mx.mx_port)
    c.cmd("EHLO client.example.test\r\n")
    c.cmd("MAIL FROM:<s@example.org>\r\n")
    c.sock.sendall(b"".join(b"RCPT TO:<alice+%d@example.com>\r\n" % n for n in range(10_000)))
    codes = [c.reply()[0][:9] for _ in range(10_000)]
    assert codes.count("250 2.1.5") == 1000
    assert codes.count("452 4.5.3") == 9000
    assert c.cmd("DATA\r\n")[0].startswith("354")
    assert c.cmd(MESSAGE + b".\r\n")[0].startswith("250 2.0.0 Ok: queued as")
    c.close()
    still_serving(mx)


def test_megabyte_command_lines_nul_bytes_and_bare_lf(mx):
    c = Client(mx.mx_port)
    assert c.cmd(b"EHLO " + b"a" * (1 << 20) + b"\r\n")[0] == "500 5.5.2 Error: line too long"
    assert c.cmd(b"EHLO client.example.test\n")[0].startswith("250-"), "bare LF ends a command line"
    nul = c.cmd(b"MAIL FROM:<s\x00@example.org>\r\n")[0]
    assert nul[:1] == "5", nul
    c.cmd("MAIL FROM:<s@example.org>\r\n")
    c.cmd("RCPT TO:<alice@example.com>\r\n")
    c.cmd("DATA\r\n")
    # bare-LF dot lines are content; only CRLF.CRLF ends the message (no smuggling)
    reply = c.cmd(b"Subject: nul\r\n\r\nbefore\x00after\n.\nMAIL FROM:<smuggled@example.org>\n.\r\n"
                  b"QUIT\r\n.\r\n")
    assert reply[0].startswith("250 2.0.0 Ok: queued as"), reply
    assert c.cmd("RSET\r\n")[0].startswith("250"), "the smuggled MAIL FROM was not a command"
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
    c = Client(mx.mx_port)
    replies = []
    for command in [b"EHLO client.example.test\r\n", b"MAIL FROM:<s@example.org>\r\n", b"RCPT TO:<alice@example.com>\r\n"]:
        for byte in command:
            c.sock.sendall(bytes([byte]))
        replies.append(c.reply()[-1][:3])
    assert replies == ["250", "250", "250"]
    c.close()


def test_idle_and_slow_clients(mx):
    idle = Client(mx.mx_port)
    started = time.monotonic()
    assert idle.reply() == ["421 4.4.2 mx.example.test Error: timeout exceeded"]
    assert time.monotonic() - started < 10
    # slowloris: many half-open sessions from one client hit the per-client limit
    held = [Client(mx.mx_port) for _ in range(20)]
    extra = socket.create_connection(("127.0.0.1", mx.mx_port), timeout=10)
    assert extra.makefile("rb").readline() == b"421 4.7.0 mx.example.test Error: too many connections from 127.0.0.1\r\n"
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
