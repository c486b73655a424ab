"""Quarantine release when Moat is the MX (issue 10, item 6): the message goes into
Moat's own queue and on to the original recipients, without being filtered again (an
admin's release is the verdict)."""
import json
import smtplib

from harness import MoatMX
from harness.mail import EICAR

VIRUS = b"From: sender@example.org\r\nTo: alice@example.com\r\nSubject: held\r\n\r\n" + EICAR + b"\r\n"


def test_release_in_mx_mode_lands_in_the_maildir_unfiltered():
    with MoatMX() as m:
        m.add_user("alice@example.com")
        with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
            s.sendmail("sender@example.org", ["alice@example.com"], VIRUS)
        m.wait_for_log(r"Blocked INFECTED")
        [entry] = json.loads(m.cli("quarantine", "list", "--json").stdout)
        assert entry["origin"] == "mx" and entry["recipients"] == ["alice@example.com"]
        assert not list((m.maildir("alice@example.com") / "new").glob("*"))

        done = m.cli("quarantine", "release", entry["mail_id"], "--force")
        assert done.stdout.decode() == f"released {entry['mail_id']} to <alice@example.com> via queue\n"
        [delivered] = m.delivered("alice@example.com")  # the scheduler was woken: no queue run wait
        assert EICAR in delivered and b"Subject: held" in delivered
        [entry] = json.loads(m.cli("quarantine", "list", "--json").stdout)
        assert entry["released_to"] == ["alice@example.com"] and entry["released_by"]
