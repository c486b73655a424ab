"""[bayes] per_user end to end: alice teaches her own Bayes database (IMAP Junk moves and
`moat learn --user`), then the same kind of mail goes to alice and to bob through the MX:
alice's verdict carries BAYES_xx from her database (BAYES_USER), bob's and a message for
both use the site's (untrained here, so no Bayes at all). Loopback only, ports picked at
run time; min_ham/min_spam lowered to 3 to keep it quick."""
import email
import imaplib
import re
import smtplib
import subprocess
import time

from harness import MailboxMX
from harness.moat import BINARY, REPO

RULES = [str(REPO / "Rules" / "10_moat_gtube.cf"), str(REPO / "Rules" / "70_moat_bayes.cf")]
PILLS = "cheap pills viagra discount pharmacy winner prize casino bonus lottery replica watches"
MEETING = "meeting agenda project schedule review minutes quarterly budget report deadline proposal"


def message(n, to, words, subject):
    vocabulary = words.split()
    body = " ".join(vocabulary[(n + i) % len(vocabulary)] for i in range(60))
    return (f"From: Sender <sender@example.org>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <pu{n}@example.org>\r\n\r\n{body}\r\n").encode()


def send(m, to, body):
    with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
        s.sendmail("sender@example.org", to, body)


def find(m, address, subject, timeout=30):
    """The delivered message with `subject` in the user's INBOX (new/ or cur/)."""
    root = m.maildir(address)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for path in list(root.glob("new/*")) + list(root.glob("cur/*")):
            parsed = email.message_from_bytes(path.read_bytes())
            if parsed["Subject"] == subject:
                return parsed
        time.sleep(0.05)
    raise AssertionError(f"no {subject!r} for {address}\n{m.log_text()[-3000:]}")


def spam_tests(parsed):
    status = re.sub(r"\s+", " ", parsed["X-Spam-Status"])
    return re.search(r"tests=\[([^\]]*)\]", status).group(1), status


def counts(m, *user):
    out = m.cli("learn", "--stats", *user).stdout.decode()
    return int(re.search(r"nspam:\s+(\d+)", out).group(1)), int(re.search(r"nham:\s+(\d+)", out).group(1))


def test_alice_is_judged_by_her_own_database_bob_by_the_sites(tmp_path):
    with MailboxMX(spam={"rules": RULES},
                   bayes={"enabled": True, "per_user": True, "autolearn": False, "min_ham": 3, "min_spam": 3}) as m:
        for user in ("alice@example.com", "bob@example.com"):
            m.add_user(user, password="sesame")
        # Spam taught over IMAP: three pill messages moved into Junk.
        for n in range(3):
            send(m, ["alice@example.com"], message(n, "alice@example.com", PILLS, f"pills {n}"))
        m.delivered("alice@example.com", count=3)
        client = imaplib.IMAP4("127.0.0.1", m.imap_port, timeout=10)
        client.login("alice@example.com", "sesame")
        client.select("INBOX")
        assert client._simple_command("MOVE", "1:3", "Junk")[0] == "OK"
        m.wait_for_log(r"imap\(alice@example\.com\): MOVE into Junk: learned 3 message\(s\) as spam .*"
                       r"into alice@example\.com's own Bayes database")
        client.logout()
        # Ham taught from files.
        hams = []
        for n in range(3):
            path = tmp_path / f"ham{n}.eml"
            path.write_bytes(message(n, "alice@example.com", MEETING, f"meeting {n}"))
            hams.append(str(path))
        m.cli("learn", "--user", "alice@example.com", "--ham", *hams)
        assert counts(m, "--user", "alice@example.com") == (3, 3)
        assert counts(m) == (0, 0), "the site's database learned nothing"
        users = m.base / "var" / "bayes-users"
        assert users.stat().st_mode & 0o777 == 0o700
        for own in users.glob("alice@example.com.sqlite*"):  # with its -wal and -shm
            assert own.stat().st_mode & 0o777 == 0o600, own

        # After alias resolution: sales@ reaches only alice (hers), team@ alice and bob (the site's).
        m.cli("alias", "add", "sales@example.com", "alice@example.com")
        m.cli("alias", "add", "team@example.com", "alice@example.com", "bob@example.com")
        send(m, ["Sales+Q4@example.com"], message(23, "sales@example.com", PILLS, "offer for sales"))
        send(m, ["team@example.com"], message(24, "team@example.com", PILLS, "offer for team"))
        send(m, ["alice@example.com"], message(20, "alice@example.com", PILLS, "offer for alice"))
        send(m, ["bob@example.com"], message(21, "bob@example.com", PILLS, "offer for bob"))
        send(m, ["alice@example.com", "bob@example.com"], message(22, "alice@example.com", PILLS, "offer for both"))

        alice, status = spam_tests(find(m, "alice@example.com", "offer for alice"))
        assert re.search(r"BAYES_(9\d+|80)=", alice) and "BAYES_USER=0" in alice, status
        bob, status = spam_tests(find(m, "bob@example.com", "offer for bob"))
        assert "BAYES_" not in bob, status
        for user in ("alice@example.com", "bob@example.com"):
            both, status = spam_tests(find(m, user, "offer for both"))
            assert "BAYES_" not in both, status
        sales, status = spam_tests(find(m, "alice@example.com", "offer for sales"))
        assert "BAYES_USER=0" in sales, status
        for user in ("alice@example.com", "bob@example.com"):
            team, status = spam_tests(find(m, user, "offer for team"))
            assert "BAYES_" not in team, status
        m.wait_for_log(r"<alice@example\.com>, Message-ID: <pu20@example\.org>, .*bayes: user")
        assert not re.search(r"Message-ID: <pu2[124]@example\.org>.*bayes: user", m.log_text())
        bob_stats = m.cli("learn", "--user", "bob@example.com", "--stats")
        assert "bob@example.com has no Bayes database yet" in bob_stats.stderr.decode(), bob_stats.stderr.decode()
        assert not (users / "bob@example.com.sqlite").exists(), "classifying or asking creates nothing"


def test_config_check_refuses_per_user_without_bayes(tmp_path):
    path = tmp_path / "moat.toml"
    path.write_text("[bayes]\nenabled = false\nper_user = true\n")
    p = subprocess.run([BINARY, "config", "check", "-c", str(path)], cwd=REPO, capture_output=True, timeout=60)
    assert p.returncode == 1, p.stdout.decode() + p.stderr.decode()
    assert f"{path}:3: [bayes] per_user: needs enabled = true" in p.stderr.decode(), p.stderr.decode()
