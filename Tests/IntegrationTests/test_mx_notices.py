"""Virus and banned notices reach someone when Moat is the MX (issue 10, item 7): with
no `[notify] admin`, they go to postmaster@ the first local domain, which `moat domain
add` asks to be given; start-up says so when nobody would get them."""
import email
import re
import smtplib

from harness import MoatMX
from harness.mail import EICAR


def without_notify_admin(m):
    """The harness names an admin for the gateway tests; these tests want the default."""
    text = m.config_path.read_text()
    m.config_path.write_text(re.sub(r"(?m)^admin = .*\n", "", text, count=1))
    return m


def test_a_virus_notice_lands_in_postmasters_maildir():
    with without_notify_admin(MoatMX()) as m:
        m.wait_for_log(r"notify: virus and banned notices go to postmaster@ the first local domain, and there is none yet")
        added = m.cli("domain", "add", "example.com", "--postmaster", "alice@example.com").stdout.decode()
        assert "added alias postmaster@example.com -> alice@example.com" in added
        m.add_user("alice@example.com")
        m.add_user("bob@example.com")
        with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
            s.sendmail("sender@example.org", ["bob@example.com"],
                       b"From: sender@example.org\r\nTo: bob@example.com\r\nSubject: v\r\n\r\n" + EICAR + b"\r\n")
        [notice] = m.delivered("alice@example.com")
        parsed = email.message_from_bytes(notice)
        assert parsed["Subject"].startswith("VIRUS ("), parsed["Subject"]
        assert parsed["To"] == "<postmaster@example.com>"
        assert not list((m.maildir("bob@example.com") / "new").glob("*")), "the virus itself is discarded"


def test_domain_add_without_a_postmaster_warns():
    m = without_notify_admin(MoatMX(tls=False))
    p = m.cli("domain", "add", "example.net", input=b"")  # no terminal to ask on
    assert p.stdout.decode() == "added domain example.net\n"
    assert "postmaster@example.net has no mailbox or alias yet" in p.stderr.decode()
    assert "moat alias add postmaster@example.net <mailbox>" in p.stderr.decode()
    # A backup-MX domain's postmaster is the primary's business.
    p = m.cli("domain", "add", "backup.example", "--backup-mx", input=b"")
    assert p.stderr == b""


def test_startup_warns_when_the_admin_address_is_not_deliverable():
    m = MoatMX(tls=False, notify={"admin": "nobody@example.com"})
    m.cli("domain", "add", "example.com", "--postmaster", "alice@example.com")
    with m:
        m.wait_for_log(r"notify: virus and banned notices go to <nobody@example\.com>, which has no mailbox or alias here")
