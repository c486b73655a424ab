"""Each user's quarantine as a read-only IMAP folder (issue 12, item 4): the MX quarantines
spam and a virus; alice and bob see what was held for their addresses (aliases included) in
`Quarantine`; moving out releases to that user alone through the library release (recorded,
logged); EXPUNGE or a move into Trash deletes for that user only; a virus is listed by name
and never released by a user; nothing can be put into the folder. Loopback only; ports
picked at run time."""
import imaplib
import json
import re
import smtplib
import time

import pytest

from harness import MailboxMX
from harness.mail import EICAR, GTUBE


def spam(subject):
    return (f"From: Offers <offers@example.org>\r\nSubject: {subject}\r\nMessage-ID: <{subject.replace(' ', '.')}@example.org>\r\n\r\n"
            ).encode() + GTUBE + b"\r\n"


VIRUS = b"From: Friend <friend@example.org>\r\nSubject: invoice\r\n\r\n" + EICAR + b"\r\n"


@pytest.fixture(scope="module")
def held():
    # Spam is quarantined and not delivered (discard), so the folder is the only place it shows.
    with MailboxMX(spam={"destiny": "discard"}, bayes={"enabled": True, "autolearn": False},
                   auth={"penalty": "200ms", "penalty_max": "800ms"}) as m:
        for user in ("alice@example.com", "bob@example.com"):
            m.add_user(user, password="sesame")
        m.cli("alias", "add", "team@example.com", "alice@example.com", "bob@example.com")
        with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
            s.sendmail("offers@example.org", ["team@example.com"], spam("team offer"))
            s.sendmail("friend@example.org", ["alice@example.com"], VIRUS)
            s.sendmail("offers@example.org", ["bob@example.com"], spam("bob offer"))
        m.wait_for_log(r"Blocked INFECTED")
        m.wait_for_log(r"Blocked SPAM", count=2)
        yield m


def login(m, user):
    client = imaplib.IMAP4("127.0.0.1", m.imap_port, timeout=10)
    client.login(user, "sesame")
    return client


def subjects(client):
    typ, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK"
    found = {}
    for item in data:
        if isinstance(item, tuple):
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            found[uid] = item[1].decode().strip()
    return found


def entries(m):
    return {e["subject"]: e for e in json.loads(m.cli("quarantine", "list", "--json").stdout)}


def test_the_folder_lists_what_was_held_for_the_user_and_takes_nothing_in(held):
    alice = login(held, "alice@example.com")
    typ, listing = alice.list()
    assert any(line.endswith(b' "." Quarantine') for line in listing), listing
    typ, subscribed = alice.lsub()
    assert any(line.endswith(b' "." Quarantine') for line in subscribed), "subscribed at first login"
    typ, status = alice.status("Quarantine", "(MESSAGES UNSEEN)")
    assert status == [b"Quarantine (MESSAGES 2 UNSEEN 2)"], status
    typ, data = alice.select("Quarantine")
    assert typ == "OK" and data == [b"2"]
    shown = subjects(alice)
    assert sorted(shown.values()) == ["Subject: [VIRUS] invoice", "Subject: team offer"], "the message as it arrived"
    virus_uid = next(uid for uid, s in shown.items() if "[VIRUS]" in s)
    typ, body = alice.uid("FETCH", str(virus_uid), "(BODY.PEEK[])")
    text = body[0][1]
    assert EICAR not in text, "the infected bytes never reach a client"
    assert b"Virus: Moat.Test.Eicar" in text and b"Reference: virus-" in text and b"Sender: <friend@example.org>" in text

    typ, data = alice.append("Quarantine", None, None, b"Subject: mine\r\n\r\nx\r\n")
    assert typ == "NO" and b"[CANNOT]" in data[0]
    typ, data = alice.uid("COPY", str(virus_uid), "INBOX")
    assert typ == "NO" and b"[CANNOT]" in data[0] and b"holds a virus" in data[0], data
    alice.select("INBOX")
    alice.append("INBOX", None, None, b"Subject: mine\r\n\r\nx\r\n")
    typ, data = alice.copy("1", "Quarantine")
    assert typ == "NO" and b"[CANNOT]" in data[0]
    for command, args in (("CREATE", ("Quarantine",)), ("DELETE", ("Quarantine",)), ("RENAME", ("Quarantine", "Other"))):
        typ, data = getattr(alice, command.lower())(*args)
        assert typ == "NO", (command, data)
    typ, data = alice.status("Quarantine", "(MESSAGES)")
    assert data == [b"Quarantine (MESSAGES 2)"], "nothing went in, nothing came out"
    alice.logout()


def test_moving_out_releases_to_that_user_alone_and_expunge_deletes_for_that_user_only(held):
    alice = login(held, "alice@example.com")
    alice.select("Quarantine")
    shown = subjects(alice)
    team_uid = next(uid for uid, s in shown.items() if "team offer" in s)
    team_number = sorted(shown).index(team_uid) + 1
    typ, data = alice.uid("MOVE", str(team_uid), "Archive")
    assert typ == "NO" and b"[TRYCREATE]" in data[0], "a missing target is TRYCREATE, as for any MOVE"
    typ, data = alice.uid("MOVE", str(team_uid), "INBOX")
    assert typ == "OK", data
    assert alice.untagged_responses.pop("EXPUNGE", None) == [str(team_number).encode()], "MOVE reports it expunged"
    delivered = held.delivered("alice@example.com", count=1)
    assert any(b"team offer" in m for m in delivered)
    held.wait_for_log(r"Released spam quarantine: spam-\S+ by alice@example\.com to <alice@example\.com> via queue")
    held.wait_for_log(r"imap\(alice@example\.com\): MOVE into INBOX \(released from the quarantine\): "
                      r"learned 1 message\(s\) as ham")
    team = entries(held)["team offer"]
    assert team["released_to"] == ["alice@example.com"] and team["released_by"] == "alice@example.com"
    typ, data = alice.select("Quarantine")
    assert data == [b"1"], "the released message left alice's folder"
    time.sleep(1)
    assert not any(b"team offer" in m for m in held.delivered("bob@example.com", count=0, timeout=0)), \
        "released to alice only"

    bob = login(held, "bob@example.com")
    typ, data = bob.select("Quarantine")
    assert data == [b"2"], "bob still sees the team offer, and his own"
    shown = subjects(bob)
    team_uid = next(uid for uid, s in shown.items() if "team offer" in s)
    own_uid = next(uid for uid, s in shown.items() if "bob offer" in s)
    bob.uid("STORE", str(team_uid), "+FLAGS", "(\\Deleted)")
    typ, data = bob.expunge()
    assert typ == "OK" and data == [str(sorted(shown).index(team_uid) + 1).encode()], data
    typ, data = bob.uid("MOVE", str(own_uid), "Trash")
    assert typ == "OK", data
    held.wait_for_log(r"imap\(bob@example\.com\): MOVE into Trash: deleted 1 message\(s\) from the quarantine")
    typ, data = bob.select("Trash")
    assert data == [b"0"], "a move into Trash deletes; nothing lands in Trash"
    typ, data = bob.select("Quarantine")
    assert data == [b"0"], "deleted for bob, and it stays deleted"
    bob.logout()
    assert {"team offer", "bob offer"} <= set(entries(held)), "the entries stay for the others and the admin"
    alice.logout()


def test_new_quarantine_entries_show_up_on_noop(held):
    alice = login(held, "alice@example.com")
    typ, data = alice.select("Quarantine")
    before = int(data[0])
    with smtplib.SMTP("127.0.0.1", held.mx_port, timeout=30) as s:
        s.sendmail("offers@example.org", ["alice@example.com"], spam("late offer"))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        typ, data = alice.noop()
        exists = [int(x) for x in alice.untagged_responses.pop("EXISTS", [])]
        if exists and exists[-1] == before + 1:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the new quarantine entry never showed up")
    assert "late offer" in " ".join(subjects(alice).values())
    alice.logout()
