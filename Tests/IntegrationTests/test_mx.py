"""The MX end to end: `moat serve` with [mx] on, real clients (smtplib, openssl s_client,
swaks), the directory CLI, Maildirs on disk. Only loopback; ports picked at run time."""
import re
import shutil
import smtplib
import ssl
import subprocess
import time

import pytest

from harness import MoatMX, RawClient, Sink
from harness.mail import EICAR

MESSAGE = b"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: hello\r\nMessage-ID: <m1@example.org>\r\n\r\nHello Alice.\r\n"
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


@pytest.fixture
def mx():
    with MoatMX() as m:
        m.add_user("alice@example.com")
        yield m


def test_greeting_and_ehlo_say_nothing_about_the_software(mx):
    with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=10) as s:
        s.ehlo("client.example.test")
        assert s.has_extn("starttls") and s.has_extn("pipelining") and s.has_extn("size")
        assert not s.has_extn("xforward") and not s.has_extn("auth")
        assert s.docmd("VRFY", "alice@example.com")[0] == 502
    assert RawClient(mx.mx_port).reply() == (220, "mx.example.test ESMTP")


def test_local_delivery_with_trace_and_filter_headers(mx):
    with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=30) as s:
        s.ehlo("client.example.test")
        s.mail("sender@example.org")
        assert s.rcpt("alice+news@example.com")[0] == 250
        code, text = s.data(MESSAGE)
    assert code == 250 and re.match(rb"2\.0\.0 Ok: queued as [0-9A-Z]+$", text), text
    queue_id = text.split()[-1].decode()
    [stored] = mx.delivered("alice@example.com")
    head = stored.split(b"\n\n", 1)[0].decode()
    assert head.startswith("Return-Path: <sender@example.org>\nDelivered-To: alice+news@example.com\n"), head
    assert re.search(r"Received: from client\.example\.test \(localhost \[127\.0\.0\.1\]\)\n"
                     rf"\tby mx\.example\.test with ESMTP id {queue_id}\n\tfor <alice\+news@example\.com>;", head), head
    assert "X-Virus-Scanned: Moat at example.test" in head
    assert "X-Spam-Status: No" in head
    assert stored.endswith(b"Hello Alice.\n")


def test_unknown_user_and_relaying_are_refused_at_rcpt():
    with MoatMX(mx={"mynetworks": ["192.0.2.0/24"]}) as m:  # 127.0.0.1 is a stranger here
        m.add_user("alice@example.com")
        with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
            s.ehlo("client.example.test")
            s.mail("sender@example.org")
            code, text = s.rcpt("nobody@example.com")
            assert (code, text) == (550, b"5.1.1 <nobody@example.com>: Recipient address rejected: "
                                         b"User unknown in virtual mailbox table")
            code, text = s.rcpt("victim@elsewhere.example")
            assert (code, text) == (554, b"5.7.1 <victim@elsewhere.example>: Relay access denied")
            assert s.rcpt("alice@example.com")[0] == 250
            assert s.data(MESSAGE)[0] == 250
        m.delivered("alice@example.com")
        assert "NOQUEUE: reject: RCPT from localhost[127.0.0.1]: 554 5.7.1 <victim@elsewhere.example>" in m.log_text()


def test_mynetworks_may_relay_through_the_relayhost():
    with Sink() as sink:
        with MoatMX(delivery={"relayhost": f"[127.0.0.1]:{sink.port}", "tls_security_level": "none"}) as m:
            with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
                s.ehlo("client.example.test")
                s.mail("alice@example.com")
                assert s.rcpt("bob@remote.example")[0] == 250
                assert s.data(MESSAGE)[0] == 250
            [got] = sink.wait_for(1, timeout=30)
            assert got.rcpt_tos == ["bob@remote.example"] and got.mail_from == "alice@example.com"
            assert b"by mx.example.test with ESMTP id" in got.data


def test_starttls_with_openssl_and_the_received_header_names_the_cipher(mx):
    if not shutil.which("openssl"):
        pytest.skip("openssl CLI missing")
    # s_client sends stdin as it comes: wait after EHLO and before the message as RFC 2920
    # asks (the MX refuses clients that talk ahead: reject_unauth_pipelining).
    p = subprocess.Popen(["openssl", "s_client", "-quiet", "-starttls", "smtp", "-connect", f"127.0.0.1:{mx.mx_port}",
                          "-servername", "mx.example.test"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for step in [b"EHLO client.example.test\r\n",
                     b"MAIL FROM:<sender@example.org>\r\nRCPT TO:<alice@example.com>\r\nDATA\r\n"]:
            p.stdin.write(step)
            p.stdin.flush()
            time.sleep(1.5)
        p.stdin.write(MESSAGE + b".\r\nQUIT\r\n")
        p.stdin.close()
        out = p.stdout.read().decode(errors="replace")
        p.wait(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    assert re.search(r"250 2\.0\.0 Ok: queued as", out), out + p.stderr.read().decode(errors="replace")
    [stored] = mx.delivered("alice@example.com")
    head = stored.split(b"\n\n", 1)[0].decode()
    assert re.search(r"\n\t\(using TLSv1\.[23] with cipher [A-Z0-9_-]+ \((128|256)/(128|256) bits\)\)\n"
                     r"\tby mx\.example\.test with ESMTPS id ", head), head


def test_starttls_with_smtplib_and_tls_12(mx):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.maximum_version = ssl.TLSVersion.TLSv1_2
    with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=30) as s:
        s.ehlo("client.example.test")
        s.starttls(context=context)
        assert s.sock.version() == "TLSv1.2"
        s.ehlo("client.example.test")
        assert not s.has_extn("starttls")
        s.sendmail("sender@example.org", ["alice@example.com"], MESSAGE)
    [stored] = mx.delivered("alice@example.com")
    assert b"(using TLSv1.2 with cipher ECDHE-RSA-" in stored


def test_plaintext_sent_after_starttls_is_dropped(mx):
    """CVE-2011-0411: commands pipelined behind STARTTLS must not run after the switch."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    c = RawClient(mx.mx_port)
    assert c.reply()[0] == 220
    assert c.cmd("EHLO client.example.test")[0] == 250
    c.send(b"STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
    assert c.reply()[0] == 220
    c.tls(context, "mx.example.test")
    code, text = c.cmd("EHLO client.example.test")
    assert code == 250 and text.split("\n")[0] == "mx.example.test", "the first reply after the switch is EHLO's"
    assert c.cmd("RCPT TO:<alice@example.com>")[0] == 503, "the injected MAIL FROM was not executed"
    c.close()


def test_gtube_is_filed_in_junk_and_eicar_is_discarded(mx):
    spam = b"From: s@example.org\r\nSubject: offer\r\n\r\n" + GTUBE + b"\r\n"
    with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=30) as s:
        s.sendmail("sender@example.org", ["alice@example.com"], spam)
        s.sendmail("sender@example.org", ["alice@example.com"], b"Subject: v\r\n\r\n" + EICAR + b"\r\n")
    [junk] = mx.delivered("alice@example.com", folder="Junk")
    assert b"X-Spam-Flag: YES" in junk and b"Subject: ***SPAM*** offer" in junk
    time.sleep(1)
    inbox = mx.maildir("alice@example.com") / "new"
    assert not any(inbox.glob("*")), "the virus is discarded, nothing reaches the inbox"
    assert re.search(r"Blocked INFECTED \([^)]*Eicar", mx.log_text())


def test_reject_destiny_answers_554_in_the_dialogue():
    with MoatMX(virus={"destiny": "reject"}) as m:
        m.add_user("alice@example.com")
        with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
            s.ehlo("client.example.test")
            s.mail("sender@example.org")
            s.rcpt("alice@example.com")
            code, text = s.data(b"Subject: v\r\n\r\n" + EICAR + b"\r\n")
        assert code == 554 and text.startswith(b"5.7.0 Reject, id="), text
        assert not list(m.maildir("alice@example.com").glob("new/*"))


def test_past_the_filter_budget_the_message_is_filtered_from_the_queue():
    with MoatMX(mx={"filter_budget": "1ms"}) as m:
        m.add_user("alice@example.com")
        with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
            s.sendmail("sender@example.org", ["alice@example.com"], MESSAGE)
        [stored] = m.delivered("alice@example.com")
        assert b"X-Virus-Scanned: Moat at example.test" in stored, "filtered before delivery"
        assert "accepted unfiltered" in m.log_text()


def test_over_quota_answers_452_at_rcpt_when_known_and_defers_otherwise(mx):
    mx.add_user("full@example.com", quota="2K")
    big = MESSAGE + b"x" * 3000 + b"\r\n"
    with smtplib.SMTP("127.0.0.1", mx.mx_port, timeout=30) as s:
        s.ehlo("client.example.test")
        s.mail("sender@example.org", [f"SIZE={len(big)}"])
        code, text = s.rcpt("full@example.com")
        assert (code, text) == (452, b"4.2.2 <full@example.com>: Recipient address rejected: Mailbox full")
        s.rset()
        # Without SIZE= the size is unknown at RCPT: accepted, then deferred by delivery.
        s.mail("sender@example.org")
        assert s.rcpt("full@example.com")[0] == 250
        assert s.data(big)[0] == 250
    mx.wait_for_log(r"to=<full@example\.com>, status=deferred \(mailbox full")
    listing = mx.cli("queue", "list").stdout.decode()
    assert "full@example.com" in listing and "mailbox full" in listing, listing


def test_helo_required_and_the_hard_error_limit():
    with MoatMX(tls=False, mx={"helo_required": True, "hard_error_limit": 5, "soft_error_limit": 2}) as m:
        c = RawClient(m.mx_port)
        assert c.reply()[0] == 220
        assert c.cmd("MAIL FROM:<a@example.org>") == (503, "5.5.1 Error: send HELO/EHLO first")
        for _ in range(3):
            assert c.cmd("BOGUS")[0] == 502
        assert c.cmd("BOGUS")[0] == 502
        assert c.reply() == (421, "4.7.0 mx.example.test Error: too many errors")
        assert c.at_eof()


def test_connection_limit_per_client():
    with MoatMX(tls=False, mx={"max_connections_per_client": 2, "mynetworks": ["192.0.2.0/24"]}) as m:
        held = [RawClient(m.mx_port) for _ in range(2)]
        for h in held:
            assert h.reply()[0] == 220
        third = RawClient(m.mx_port)
        assert third.reply() == (421, "4.7.0 mx.example.test Error: too many connections from 127.0.0.1")
        third.close()
        for h in held:
            h.close()


def test_swaks_with_tls_delivers(mx):
    if not shutil.which("swaks"):
        pytest.skip("swaks missing")
    p = subprocess.run(["swaks", "--server", f"127.0.0.1:{mx.mx_port}", "--tls", "--from", "sender@example.org",
                        "--to", "alice@example.com", "--helo", "client.example.test", "--silent", "2"],
                       capture_output=True, timeout=60)
    assert p.returncode == 0, p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace")
    [stored] = mx.delivered("alice@example.com")
    assert b"with ESMTPS id" in stored
