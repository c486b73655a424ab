"""[quarantine] max_age carried out by the running server: at start-up it purges what was
quarantined longer ago than max_age and keeps the rest, then purges again every
purge_interval, logging each run with its count."""
import json
import sqlite3
import time

from harness import Moat
from harness.mail import EICAR, message
from harness.net import send


def quarantined(moat):
    entries = json.loads(moat.cli("quarantine", "list", "--json").stdout)
    return {e["mail_id"] for e in entries}


def quarantine_virus(moat, subject):
    data = message(subject, attachments=[("eicar.com.txt", EICAR, "text/plain")])
    assert send("sender@example.org", ["rcpt@example.com"], data, moat.port)[0] == 250


def test_serve_purges_old_quarantine_at_start_and_then_every_interval(smtp_sink):
    # First run keeps everything (0 = forever): two viruses are quarantined.
    moat = Moat(smtp_sink.port, quarantine={"max_age": "0"})
    try:
        moat.start()
        quarantine_virus(moat, "old virus")
        quarantine_virus(moat, "young virus")
        moat.wait_for_log(r"Blocked INFECTED", count=2)
    finally:
        moat.stop()
    assert "quarantine: purged" not in moat.log_text()
    ids = quarantined(moat)
    assert len(ids) == 2
    index = moat.base / "var" / "quarantine.sqlite"
    with sqlite3.connect(index) as db:
        [(old,)] = db.execute("SELECT mail_id FROM quarantine WHERE subject = 'old virus'").fetchall()
        db.execute("UPDATE quarantine SET time = time - 7200 WHERE mail_id = ?", (old,))
    files = sorted(p.name for p in (moat.base / "Quarantine").iterdir())
    assert any(old in name for name in files), files

    # Restarted with max_age 1h: the start-up run removes the 2-hour-old entry only.
    moat.config_path.write_text(moat.config_path.read_text().replace(
        "max_age = '0'", "max_age = '1h'\npurge_interval = '1s'"))
    try:
        moat.start()
        moat.wait_for_log(r"quarantine: purged 1 message older than 1h")
        [young] = ids - {old}
        assert quarantined(moat) == {young}
        assert not any(old in p.name for p in (moat.base / "Quarantine").iterdir())
        assert any(young in p.name for p in (moat.base / "Quarantine").iterdir())
        # The next runs, a second apart, find nothing more that old.
        moat.wait_for_log(r"quarantine: purged 0 messages older than 1h", timeout=10)
        assert quarantined(moat) == {young}
    finally:
        moat.stop()


def test_quarantine_purge_defaults_to_max_age_and_needs_an_age_when_kept_forever(smtp_sink):
    moat = Moat(smtp_sink.port, quarantine={"max_age": "0"})
    p = moat.cli("quarantine", "purge", check=False)
    assert p.returncode == 64, p.stderr
    assert b"max_age is 0" in p.stderr and b"Usage: moat quarantine purge" in p.stderr, p.stderr
    moat.config_path.write_text(moat.config_path.read_text().replace("max_age = '0'", "max_age = '30d'"))
    assert moat.cli("quarantine", "purge").stdout == b"purged 0 messages\n"
