"""moat with `listen = "lmtp:host:port"`: LHLO, and one reply per recipient after the data
(RFC 2033 §4.2). Re-injection still goes to an SMTP next hop (the sink)."""
import re
import smtplib
import socket
from email.message import EmailMessage

import pytest

from harness import Moat
from harness.mail import EICAR

RCPTS = ["user1@example.com", "user2@example.com"]


def message(subject, attachments=()):
    m = EmailMessage()
    m["From"] = "Sender <sender@example.org>"
    m["To"] = ", ".join(RCPTS)
    m["Subject"] = subject
    m["Message-ID"] = f"<{subject.replace(' ', '.')}@example.org>"
    m.set_content("Hello.\n")
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return re.sub(rb"\r?\n", b"\r\n", m.as_bytes())


class RawLMTP:
    """A line-level LMTP client, so the replies after the dot are read exactly as sent."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")

    def reply(self):
        lines = []
        while True:
            line = self.file.readline()
            assert line, f"connection closed after {lines}"
            lines.append(line.decode().rstrip("\r\n"))
            if line[3:4] != b"-":
                return int(lines[-1][:3]), "\n".join(l[4:] for l in lines)

    def command(self, text):
        self.sock.sendall(text.encode() + b"\r\n")
        return self.reply()

    def close(self):
        self.file.close()
        self.sock.close()


@pytest.fixture
def lmtp_moat(smtp_sink, request):
    moat = Moat(smtp_sink.port, lmtp=True, **getattr(request, "param", {}))
    try:
        yield moat.start()
    finally:
        moat.stop()


def test_lmtp_greeting_and_lhlo_only(lmtp_moat):
    c = RawLMTP(lmtp_moat.port)
    try:
        code, text = c.reply()
        assert code == 220 and "LMTP" in text
        code, text = c.command("EHLO client.example.test")
        assert code == 500 and "LHLO" in text
        code, text = c.command("LHLO client.example.test")
        assert code == 250 and text.splitlines()[0] == "moat.example.test"
    finally:
        c.close()


def test_lmtp_two_recipients_get_two_replies(lmtp_moat, smtp_sink):
    with smtplib.LMTP("127.0.0.1", lmtp_moat.port, timeout=30) as lmtp:
        code, _ = lmtp.ehlo("client.example.test")  # smtplib.LMTP sends LHLO
        assert code == 250
        assert lmtp.mail("sender@example.org")[0] == 250
        for rcpt in RCPTS:
            assert lmtp.rcpt(rcpt)[0] == 250
        # smtplib reads one reply to DATA; LMTP owes one per accepted recipient.
        replies = [lmtp.data(message("lmtp clean")), lmtp.getreply()]
        assert [code for code, _ in replies] == [250, 250], replies
        assert lmtp.noop()[0] == 250  # nothing left unread: the session is still in step
    [msg] = smtp_sink.wait_for(1)
    assert sorted(msg.rcpt_tos) == RCPTS
    assert b"lmtp clean" in msg.data
    lmtp_moat.wait_for_log(r"Passed CLEAN .*<sender@example\.org> -> <user1@example\.com>,<user2@example\.com>")


@pytest.mark.parametrize("lmtp_moat", [{"virus": {"destiny": "reject"}}], indirect=True)
def test_lmtp_rejected_virus_gets_554_per_recipient(lmtp_moat, smtp_sink):
    c = RawLMTP(lmtp_moat.port)
    try:
        assert c.reply()[0] == 220
        assert c.command("LHLO client.example.test")[0] == 250
        assert c.command("MAIL FROM:<sender@example.org>")[0] == 250
        for rcpt in RCPTS:
            assert c.command(f"RCPT TO:<{rcpt}>")[0] == 250
        assert c.command("DATA")[0] == 354
        data = message("lmtp virus", attachments=[("eicar.com.txt", EICAR, "text/plain")])
        c.sock.sendall(data.replace(b"\r\n.", b"\r\n..") + b".\r\n")
        replies = [c.reply(), c.reply()]
        assert [code for code, _ in replies] == [554, 554], replies
        assert all(text.startswith("5.7.0") for _, text in replies), replies
        assert c.command("QUIT")[0] == 221
    finally:
        c.close()
    lmtp_moat.wait_for_log(r"Blocked INFECTED \(Moat\.Test\.Eicar\.UNOFFICIAL\) \{RejectedInbound")
    # The only mail re-injected is the virus notice to [notify] admin; the recipients get nothing.
    [notice] = smtp_sink.wait_for(1)
    assert notice.rcpt_tos == ["admin@example.com"], notice.rcpt_tos
    assert b"Subject: VIRUS (Moat.Test.Eicar.UNOFFICIAL)" in notice.data
