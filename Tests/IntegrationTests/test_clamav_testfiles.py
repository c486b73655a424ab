"""Debian's clamav-testfiles corpus, each file mailed as an attachment, against Moat's own
test signatures (Rules/clamav): offline with `moat scan`, and a few end to end
Postfix -> moat -> Postfix, where they must be quarantined and never delivered.
"""
import json
from email.message import EmailMessage
from pathlib import Path

import pytest

from harness import Moat


TESTFILES = Path("/usr/share/clamav-testfiles")
THROUGH_POSTFIX = ("clam.exe", "clam.zip", "clam.pdf", "clam.tar.gz")


def corpus_files():
    if not TESTFILES.is_dir():
        return []
    return sorted(p for p in TESTFILES.iterdir() if p.is_file())


def mail_with(path):
    m = EmailMessage()
    m["From"] = "Sender <sender@example.org>"
    m["To"] = "rcpt@example.com"
    m["Subject"] = f"testfile {path.name}"
    m["Message-ID"] = f"<testfile.{path.name}@example.org>"
    m.set_content(f"Attached: {path.name}\n")
    # application/octet-stream keeps the email package on base64 for every file, text ones included.
    m.add_attachment(path.read_bytes(), maintype="application", subtype="octet-stream", filename=path.name)
    data = m.as_bytes()
    assert b"Content-Transfer-Encoding: base64" in data
    return data


@pytest.fixture
def corpus():
    files = corpus_files()
    if not files:
        pytest.skip(f"{TESTFILES} is missing (apt-get install clamav-testfiles)")
    return files


def test_every_testfile_attachment_is_infected(corpus, tmp_path):
    moat = Moat(10025)  # never started: scan only reads its config
    mails = []
    for path in corpus:
        mails.append(tmp_path / f"{path.name}.eml")
        mails[-1].write_bytes(mail_with(path))
    p = moat.cli("scan", "--json", *map(str, mails), check=False)
    lines = [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]
    by_file = {line["file"]: line for line in lines}
    assert sorted(by_file) == sorted(map(str, mails)), p.stderr.decode()
    missed = {Path(f).name: (l["category"], l["virus"]) for f, l in by_file.items()
              if l["category"] != "INFECTED" or not l["virus"]}
    assert not missed, f"not detected as INFECTED with a virus name: {missed}"
    assert p.returncode == 2, p.stderr.decode()


def test_testfiles_through_postfix_are_quarantined_not_delivered(corpus, gateway):
    pf, moat = gateway
    paths = [TESTFILES / name for name in THROUGH_POSTFIX]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        pytest.skip(f"missing from {TESTFILES}: {missing}")
    for path in paths:
        code, _ = pf.send("sender@example.org", ["rcpt@example.com"], mail_with(path))
        assert code == 250  # Postfix queued it; moat's verdict is on the next hop
    # One virus notice per message to the admin, after the quarantine entry is written.
    pf.wait_for_maildir("admin@example.com", count=len(paths), timeout=60)
    moat.wait_for_log(r"Blocked INFECTED \([^)]+\) \{DiscardedInbound,Quarantined\}", count=len(paths))
    pf.wait_for_log(r"status=sent \(250 2\.7\.0 Ok, discarded", count=len(paths))
    entries = json.loads(moat.cli("quarantine", "list", "--json", "--category", "virus").stdout)
    by_subject = {e["subject"]: e for e in entries}
    assert sorted(by_subject) == sorted(f"testfile {p.name}" for p in paths)
    for e in entries:
        assert e["category"] == "virus"
        assert e["virus_names"], e
        assert e["recipients"] == ["rcpt@example.com"]
        assert e["sender"] == "sender@example.org"
    assert pf.maildir_messages("rcpt@example.com") == []
