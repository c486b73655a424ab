"""Every file and directory `moat` creates is its owner's only (umask 077 for every
subcommand, 0600 SQLite indexes whose -wal/-shm follow): after a serve run that receives
through the MX, delivers to a Maildir, quarantines a virus and keeps a message queued,
nothing under var/ or the quarantine directory is group- or other-readable."""
import os
import smtplib
import stat
import time

from harness import MoatMX
from harness.mail import EICAR
from harness.net import free_port

CLEAN = b"From: s@example.org\r\nTo: alice@example.com\r\nSubject: hello\r\n\r\nHello.\r\n"
VIRUS = b"From: s@example.org\r\nTo: alice@example.com\r\nSubject: eicar\r\n\r\n" + EICAR + b"\r\n"


def send(port, rcpt, data):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.test")
        s.mail("s@example.org")
        assert s.rcpt(rcpt)[0] == 250
        return s.data(data)


def wait_for(predicate, what, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} within {timeout}s"
        time.sleep(0.05)


def files_under(*roots):
    for root in roots:
        for directory, dirs, files in os.walk(root):
            yield directory
            for name in files:
                yield os.path.join(directory, name)


def test_nothing_moat_creates_is_readable_by_others():
    closed = free_port()  # the relayhost refuses: the remote message stays queued
    with MoatMX(tls=False, delivery={"relayhost": f"[127.0.0.1]:{closed}", "tls_security_level": "none"}) as m:
        m.add_user("alice@example.com")
        assert send(m.mx_port, "alice@example.com", CLEAN)[0] == 250
        assert send(m.mx_port, "alice@example.com", VIRUS)[0] == 250  # discarded, quarantined
        assert send(m.mx_port, "bob@remote.example", CLEAN)[0] == 250
        m.delivered("alice@example.com")
        quarantine = m.base / "Quarantine"
        var = m.base / "var"
        wait_for(lambda: any(p.is_file() for p in quarantine.rglob("*")), "quarantined file")
        wait_for(lambda: any((var / "queue" / "active").glob("*.env")), "queued envelope")
        wait_for(lambda: "deferred" in m.log_text() or "Connection refused" in m.log_text(), "deferral")

        paths = list(files_under(var, quarantine))
        names = {os.path.basename(p) for p in paths}
        # what the walk must have seen for the test to mean anything
        for expected in ["quarantine.sqlite", "quarantine.sqlite-wal", "directory.sqlite", "directory.sqlite-wal",
                         "queue", "active", "messages", "mail", "new"]:
            assert expected in names, f"{expected} not found under {var}: {sorted(names)}"
        exposed = [(p, oct(stat.S_IMODE(os.lstat(p).st_mode))) for p in paths
                   if stat.S_IMODE(os.lstat(p).st_mode) & 0o077]
        assert exposed == [], exposed
