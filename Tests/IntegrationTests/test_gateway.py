"""Postfix -> moat:PORT (content_filter) -> Postfix reinjection -> Maildir, end to end.

Each test runs a private Postfix with amavisd-new's master.cf snippet and a moat started
on a port it picked; mail goes in with smtplib on Postfix's public port, exactly as an
admin's setup would see it.
"""
import email
import json
import re
import socket
import threading
import time


from harness import Moat
from harness.mail import EICAR, GTUBE, message



def quarantine_list(moat, *args):
    return json.loads(moat.cli("quarantine", "list", "--json", *args).stdout)


def test_clean_mail_is_passed_with_amavis_headers(gateway):
    pf, moat = gateway
    code, _ = pf.send("sender@example.org", ["rcpt@example.com"], message("clean one"))
    assert code == 250
    [delivered] = pf.wait_for_maildir("rcpt@example.com")
    head = delivered.split(b"\n\n", 1)[0].decode()
    assert "X-Virus-Scanned: Moat at example.test" in head
    assert "X-Spam-Flag: NO" in head
    assert "X-Spam-Status: No, score=0 tagged_above=-9999 required=6.31" in head
    assert "(Moat, port %d) with ESMTP" % moat.port in head
    # XFORWARD: the identity moat records is Postfix's client, not Postfix itself.
    assert "Received: from client.example.test ([127.0.0.1])" in head
    assert head.index("X-Virus-Scanned") < head.index("Received: from client.example.test ([127.0.0.1])\n by moat")
    line = moat.wait_for_log(r"Passed CLEAN \{RelayedInbound\}, \[127\.0\.0\.1\] <sender@example\.org> -> "
                             r"<rcpt@example\.com>, Message-ID: <clean\.one@example\.org>, mail_id: [\w-]+, "
                             r"Hits: 0, size: \d+, queued_as: \w+, \d+ ms")
    assert line
    assert b"Hello." in delivered


def test_virus_is_discarded_quarantined_and_admin_notified(gateway):
    pf, moat = gateway
    code, text = pf.send("sender@example.org", ["rcpt@example.com"],
                         message("virus inside", attachments=[("eicar.com.txt", EICAR, "text/plain")]))
    assert code == 250  # Postfix accepted; moat's discard happens on its hop
    [notice] = pf.wait_for_maildir("admin@example.com")
    parsed = email.message_from_bytes(notice)
    assert parsed["Subject"].startswith("VIRUS (Moat.Test.Eicar.UNOFFICIAL) in mail FROM")
    assert "Content-filter at moat.example.test" in parsed["From"]
    moat.wait_for_log(r"Blocked INFECTED \(Moat\.Test\.Eicar\.UNOFFICIAL\) \{DiscardedInbound,Quarantined\}")
    pf.wait_for_log(r"status=sent \(250 2\.7\.0 Ok, discarded")
    assert pf.maildir_messages("rcpt@example.com") == []
    [entry] = quarantine_list(moat, "--category", "virus")
    assert entry["virus_names"] == ["Moat.Test.Eicar.UNOFFICIAL"]
    assert entry["recipients"] == ["rcpt@example.com"]
    raw = moat.cli("quarantine", "show", entry["mail_id"], "--raw").stdout
    assert EICAR in raw.replace(b"=\n", b"") or b"eicar.com.txt" in raw


def test_gtube_is_tagged_passed_and_quarantined(gateway):
    pf, moat = gateway
    code, _ = pf.send("sender@example.org", ["rcpt@example.com"], message("buy now", body=GTUBE.decode() + "\n"))
    assert code == 250
    [delivered] = pf.wait_for_maildir("rcpt@example.com")
    parsed = email.message_from_bytes(delivered)
    assert parsed["Subject"] == "***SPAM*** buy now"
    assert parsed["X-Spam-Flag"] == "YES"
    assert parsed["X-Spam-Score"] == "1000"
    assert parsed["X-Spam-Level"] == "*" * 64
    assert "tests=[GTUBE=1000]" in parsed["X-Spam-Status"]
    assert parsed["X-Quarantine-ID"]
    [entry] = quarantine_list(moat, "--category", "spam")
    assert entry["score"] == 1000 and entry["tests"] == ["GTUBE"]
    moat.wait_for_log(r"Passed SPAM \{RelayedTaggedInbound,Quarantined\}")


def test_banned_double_extension_bounces_to_sender(gateway):
    pf, moat = gateway
    code, _ = pf.send("sender@example.org", ["rcpt@example.com"],
                      message("invoice", attachments=[("invoice.pdf.exe", b"MZ\x90\x00" + b"\x00" * 60,
                                                       "application/pdf")]))
    assert code == 250
    [dsn] = pf.wait_for_maildir("sender@example.org")
    parsed = email.message_from_bytes(dsn)
    assert parsed.get_content_type() == "multipart/report"
    assert parsed.get_param("report-type") == "delivery-status"
    status = [p for p in parsed.walk() if p.get_content_type() == "message/delivery-status"]
    assert status, "no message/delivery-status part"
    assert b"Status: 5.7.0" in dsn and b"invoice.pdf.exe" in dsn
    [notice] = pf.wait_for_maildir("admin@example.com")
    assert email.message_from_bytes(notice)["Subject"].startswith("BANNED contents")
    assert pf.maildir_messages("rcpt@example.com") == []
    [entry] = quarantine_list(moat, "--category", "banned")
    assert any("invoice.pdf.exe" in b for b in entry["banned_names"])
    moat.wait_for_log(r"Blocked BANNED \(.*invoice\.pdf\.exe.*\) \{BouncedInbound,Quarantined\}")


def test_quarantine_release_once_then_force(gateway):
    pf, moat = gateway
    pf.send("sender@example.org", ["rcpt@example.com"],
            message("release me", attachments=[("eicar.txt", EICAR, "text/plain")]))
    pf.wait_for_maildir("admin@example.com")
    [entry] = quarantine_list(moat)
    mail_id = entry["mail_id"]
    # A virus goes out only with --force.
    refused = moat.cli("quarantine", "release", mail_id, "--to", "user1@example.com", check=False)
    assert refused.returncode == 1 and b"holds a virus (Moat.Test.Eicar.UNOFFICIAL)" in refused.stderr
    # The name the log line prints works as well as the bare mail_id.
    done = moat.cli("quarantine", "release", f"virus-{mail_id}", "--to", "user1@example.com", "--force")
    assert done.stdout.decode() == f"released {mail_id} to <user1@example.com> via smtp:[127.0.0.1]:{pf.reinject_port}\n"
    assert re.search(rf"Released virus quarantine: virus-{mail_id} by \S+ to <user1@example\.com> via smtp:",
                     done.stderr.decode()), done.stderr
    [released] = pf.wait_for_maildir("user1@example.com")
    assert b"release me" in released
    again = moat.cli("quarantine", "release", mail_id, check=False)
    assert again.returncode == 1 and b"already released" in again.stderr
    moat.cli("quarantine", "release", mail_id, "--to", "user2@example.com", "--force")
    pf.wait_for_maildir("user2@example.com")
    [entry] = quarantine_list(moat)
    assert entry["released_at"] is not None
    assert entry["released_to"] == ["user1@example.com", "user2@example.com"]
    assert entry["released_by"] and entry["origin"] == "gateway"
    shown = moat.cli("quarantine", "show", mail_id).stdout.decode()
    assert len(re.findall(r"^release: .* by \S+ to user\d@example\.com via smtp:", shown, re.M)) == 2, shown

    stats = json.loads(moat.cli("quarantine", "stats", "--json").stdout)
    assert stats["virus"]["count"] == 1
    assert moat.cli("quarantine", "purge", "--older-than", "30d").stdout.strip() == b"purged 0 messages"
    moat.cli("quarantine", "delete", mail_id)
    assert quarantine_list(moat) == []


def test_refused_reinjection_makes_postfix_retry(postfix_factory, smtp_sink):
    """A 4xx from the next hop becomes 4xx to Postfix: it keeps the message."""
    pf = postfix_factory()
    smtp_sink.data_reply = (451, "4.3.0 try later")
    moat = Moat(smtp_sink.port).start()
    try:
        pf.reconfigure(moat.port)
        pf.start()
        pf.send("sender@example.org", ["rcpt@example.com"], message("deferred"))
        pf.wait_for_log(r"status=deferred .*451 4\.6\.0|status=deferred .*451 4\.3\.0")
        assert pf.queue_ids("deferred")
    finally:
        moat.stop()


def test_kill_mid_data_loses_nothing(postfix_factory):
    """SIGKILL while moat holds Postfix's DATA: Postfix defers, a new moat delivers it."""
    pf = postfix_factory()
    # A next hop that accepts the connection and never greets: moat blocks in re-injection.
    blackhole = socket.socket()
    blackhole.bind(("127.0.0.1", 0))
    blackhole.listen(8)
    held = []
    stop = threading.Event()

    def accept():
        blackhole.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(blackhole.accept()[0])
            except OSError:
                pass

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    first = Moat(blackhole.getsockname()[1]).start()
    try:
        pf.reconfigure(first.port)
        pf.start()
        pf.send("sender@example.org", ["rcpt@example.com"], message("survivor"))
        deadline = time.monotonic() + 30
        while not held and time.monotonic() < deadline:
            time.sleep(0.05)
        assert held, "moat never tried to re-inject"
        first.kill()
        pf.wait_for_log(r"status=deferred")
        assert pf.queue_ids()
        second = Moat(pf.reinject_port, listen_port=first.port).start()
        try:
            pf.flush()
            [delivered] = pf.wait_for_maildir("rcpt@example.com", timeout=60)
            assert b"survivor" in delivered
        finally:
            second.stop()
    finally:
        first.kill()
        stop.set()
        t.join()
        for c in held:
            c.close()
        blackhole.close()
