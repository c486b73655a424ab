"""The harness itself works: Postfix delivers, both smtpds accept, the sink sinks."""
import select
import smtplib
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from harness import AMAVIS_MASTER_CF, send


def message(subject, body="hello\n"):
    return (f"From: sender@example.org\nTo: rcpt@example.com\nSubject: {subject}\n"
            f"Message-ID: <{uuid.uuid4()}@example.org>\n\n{body}").encode()


def test_public_smtpd_delivers_to_maildir(postfix):
    code, _ = postfix.send("sender@example.org", ["rcpt@example.com"], message("smoke 1"))
    assert code == 250
    [msg] = postfix.wait_for_maildir("rcpt@example.com", 1)
    assert b"Subject: smoke 1" in msg
    assert b"by mx.example.test (Postfix)" in msg
    assert "content_filter=smtp-amavis" not in postfix.master_cf()


def test_reinject_port_delivers_to_maildir(postfix):
    assert f"127.0.0.1:{postfix.reinject_port} inet" in postfix.master_cf()
    assert AMAVIS_MASTER_CF.split("\n\n")[0] in postfix.master_cf()
    code, _ = send("sender@example.org", ["user1@example.com", "user2@example.com"],
                   message("smoke 2"), postfix.reinject_port)
    assert code == 250
    for rcpt in ("user1@example.com", "user2@example.com"):
        [msg] = postfix.wait_for_maildir(rcpt, 1)
        assert b"Subject: smoke 2" in msg
    postfix.wait_for_log(r"status=sent \(delivered to maildir\)", count=2)
    assert postfix.queue_ids() == []


def test_unknown_virtual_recipient_is_refused(postfix):
    with pytest.raises(smtplib.SMTPRecipientsRefused) as e:
        postfix.send("sender@example.org", ["nobody-here@example.com"], message("x"))
    assert e.value.recipients["nobody-here@example.com"][0] == 550


def test_sink_stores_and_can_tempfail(smtp_sink):
    body = "line\n.leading dot\n"
    assert send("a@example.org", ["b@example.com"], message("sink", body), smtp_sink.port)[0] == 250
    [msg] = smtp_sink.wait_for(1)
    assert (msg.mail_from, msg.rcpt_tos) == ("a@example.org", ["b@example.com"])
    assert b"\r\n.leading dot\r\n" in msg.data
    with smtplib.SMTP("127.0.0.1", smtp_sink.port) as s:
        s.ehlo()
        assert {"pipelining", "8bitmime", "smtputf8"} <= set(s.esmtp_features)
    smtp_sink.data_reply = (451, "4.3.0 try later")
    assert send("a@example.org", ["b@example.com"], message("sink 2"), smtp_sink.port)[0] == 451
    assert (smtp_sink.accepted, smtp_sink.rejected) == (1, 1)


def test_content_filter_defer_then_retry(postfix, smtp_sink):
    """Route the public smtpd through a fake filter (the sink): a 451 from it
    leaves the mail deferred in Postfix's queue; once it says 250, the retry
    (within seconds, thanks to the short backoff) reaches it."""
    postfix.reconfigure(smtp_sink.port)
    smtp_sink.data_reply = (451, "4.3.0 try later")
    assert postfix.send("sender@example.org", ["rcpt@example.com"], message("filtered"))[0] == 250
    postfix.wait_for_log(r"relay=127\.0\.0\.1\[127\.0\.0\.1\]:%d.*status=deferred" % smtp_sink.port)
    assert len(postfix.queue_ids()) == 1
    smtp_sink.data_reply = (250, "2.0.0 Ok")
    postfix.flush()
    [msg] = smtp_sink.wait_for(1)
    assert msg.rcpt_tos == ["rcpt@example.com"] and b"Subject: filtered" in msg.data
    postfix.wait_for_log(r"status=sent")


def test_sink_runs_as_a_script():
    """Benchmarks run the sink as its own process: it prints its port, counts,
    and reports the count on SIGTERM. (sys.executable, not a `python3` shim,
    so the signal reaches the interpreter.)"""
    script = Path(__file__).parent / "harness" / "sink.py"
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert select.select([proc.stdout], [], [], 10)[0], "sink printed no port"
        port = int(proc.stdout.readline())
        assert send("a@example.org", ["b@example.com"], message("script"), port)[0] == 250
        proc.terminate()
        _, err = proc.communicate(timeout=10)
        assert "accepted=1 rejected=0" in err
    finally:
        proc.kill()
        proc.wait(timeout=10)
