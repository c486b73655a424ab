"""A Maildir written by the real Dovecot 2.3 (run privately, unprivileged, on a loopback
port): mail saved by its LDA and APPENDed over IMAP, flags and keywords set, folders
created, messages expunged so that UIDs have gaps and UIDNEXT is past the last message.
The same tree is then served by Moat, and for every folder the two servers answer alike:
the same folders (one named in modified UTF-7) and subscriptions, UIDVALIDITY and UIDNEXT, and the same `UID FETCH 1:* (UID FLAGS)`
(\\Recent aside: it belongs to a session, not to the store). A user moving from Dovecot
keeps what their clients have cached."""
import imaplib
import os
import re
import shutil
import subprocess

import pytest

from harness import MailboxMX
from imaptest.dovecot import DOVECOT, PrivateDovecot

LDA = "/usr/lib/dovecot/dovecot-lda"

pytestmark = pytest.mark.skipif(not (os.path.exists(DOVECOT) and os.path.exists(LDA)),
                                reason="Dovecot 2.3 (dovecot-core, dovecot-imapd) is in TEST_PACKAGES")


UTF7_FOLDER = "Entw&APw-rfe"  # Entwürfe, in IMAP's modified UTF-7


def message(n):
    return (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: dovecot {n}\r\n"
            f"Message-ID: <dovecot-{n}@example.org>\r\n\r\nWritten through Dovecot, {n}.\r\n").encode()


def listing(client):
    """{folder name: (UIDVALIDITY, UIDNEXT, {UID: flags})} of every folder but Moat's
    default ones Dovecot never had."""
    typ, data = client.list()
    assert typ == "OK", data
    folders = {}
    for line in data:
        name = re.search(rb'\) "[^"]*" "?([^"]*)"?$', line).group(1).decode()
        status = client.status(f'"{name}"', "(UIDVALIDITY UIDNEXT)")[1][0]
        validity, uidnext = (int(re.search(rf"{k} (\d+)".encode(), status).group(1)) for k in ("UIDVALIDITY", "UIDNEXT"))
        assert client.select(f'"{name}"', readonly=True)[0] == "OK"
        typ, fetched = client.uid("FETCH", "1:*", "(UID FLAGS)")
        assert typ == "OK", fetched
        messages = {}
        for item in fetched:
            if item is None:
                continue  # an empty mailbox
            uid = int(re.search(rb"UID (\d+)", item).group(1))
            messages[uid] = frozenset(re.search(rb"FLAGS \(([^)]*)\)", item).group(1).decode().split()) - {"\\Recent"}
        folders[name] = (validity, uidnext, messages)
        client.close()
    return folders


def write_with_dovecot(dovecot):
    """Fills alice's Maildir through Dovecot; returns what Dovecot then answers for it."""
    for n in (1, 2):
        deliver(dovecot, message(n))
    client = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=10)
    client.login("alice", "secret")
    for n, flags in [(3, "(\\Seen)"), (4, "(\\Seen \\Answered $Forwarded)"), (5, "(\\Flagged Project-X)"),
                     (6, None), (7, "(\\Draft $Label1)"), (8, "(\\Seen)")]:
        assert client.append("INBOX", flags, None, message(n))[0] == "OK"
    for folder in ("Work", "Work.Reports", UTF7_FOLDER):
        assert client.create(folder)[0] == "OK"
    assert client.subscribe("Work")[0] == "OK" and client.subscribe(UTF7_FOLDER)[0] == "OK"
    for n in (9, 10, 11, 12):
        assert client.append("Work", "(\\Seen)", None, message(n))[0] == "OK"
    assert client.append("Work.Reports", "(\\Flagged NonJunk)", None, message(13))[0] == "OK"
    assert client.append(UTF7_FOLDER, "(\\Draft)", None, message(16))[0] == "OK"
    client.select("INBOX")
    client.uid("STORE", "1", "+FLAGS", "(\\Seen Later)")
    client.uid("STORE", "6", "+FLAGS", "(\\Deleted)")  # left with \Deleted, not expunged
    client.uid("STORE", "2,5,8", "+FLAGS", "(\\Deleted)")
    client.uid("EXPUNGE", "2,5,8")  # gaps, and UIDNEXT past the last message
    client.select("Work")
    client.uid("STORE", "1:2", "+FLAGS", "(\\Deleted)")
    client.expunge()
    client.logout()
    deliver(dovecot, message(14))  # last: its file stays in new/, its UID only in dovecot-uidlist
    client = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=10)
    client.login("alice", "secret")
    answers = listing(client), subscribed(client)
    client.logout()
    return answers


def subscribed(client):
    typ, data = client.lsub()
    assert typ == "OK", data
    return {re.search(rb'\) "[^"]*" "?([^"]*)"?$', line).group(1).decode() for line in data}


def deliver(dovecot, body):
    """Dovecot's LDA, as Postfix's mailbox_command would run it."""
    done = subprocess.run([LDA, "-c", os.path.join(dovecot.dir, "dovecot.conf"), "-d", "alice",
                           "-f", "sender@example.org"], input=body, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr.decode(errors="replace") + dovecot.log()


def dovecot_maildir(dovecot):
    return os.path.join(dovecot.dir, "home", "alice", "Maildir")


def move_tree(source, target, owner):
    """Copies a Maildir tree over `target` as one admin would move it, owned by `owner`."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source, target, symlinks=True)
    if os.geteuid() == 0:
        for root, dirs, files in os.walk(target):
            for name in [*dirs, *files]:
                os.lchown(os.path.join(root, name), *owner)
        os.chown(target, *owner)


def assert_same(expected, got, who):
    for name, (validity, uidnext, messages) in expected.items():
        assert name in got, f"{name} is not listed by {who}: {sorted(got)}"
        assert got[name][0] == validity, f"{name}: {who}'s UIDVALIDITY {got[name][0]}, expected {validity}"
        assert got[name][1] == uidnext, f"{name}: {who}'s UIDNEXT {got[name][1]}, expected {uidnext}"
        assert got[name][2] == messages, f"{name}: {who} {got[name][2]}\nexpected {messages}"


def test_moat_serves_a_dovecot_maildir_with_its_uids_flags_and_keywords():
    with PrivateDovecot({"alice": "secret"}) as dovecot:
        from_dovecot, dovecot_subscriptions = write_with_dovecot(dovecot)
        assert sorted(from_dovecot) == [UTF7_FOLDER, "INBOX", "Work", "Work.Reports"], from_dovecot
        assert dovecot_subscriptions == {"Work", UTF7_FOLDER}
        assert sorted(from_dovecot["INBOX"][2]) == [1, 3, 4, 6, 7, 9]
        assert from_dovecot["INBOX"][1] == 10 and sorted(from_dovecot["Work"][2]) == [3, 4]
        with MailboxMX() as m:
            m.add_user("alice@example.com", password="sesame")
            move_tree(dovecot_maildir(dovecot), m.maildir("alice@example.com"), (0, 0))
            client = m.imap_login()
            from_moat = listing(client)
            moat_subscriptions = subscribed(client)
            # Mail that arrives after the move goes on from Dovecot's UIDNEXT.
            typ, data = client.append("INBOX", None, None, message(15))
            assert re.search(rb"\[APPENDUID %d 10\]" % from_dovecot["INBOX"][0], data[0]), data
            client.logout()
    assert_same(from_dovecot, from_moat, "Moat")
    # Moat subscribes its default folders at the first login; Dovecot's stay subscribed.
    assert dovecot_subscriptions <= moat_subscriptions, moat_subscriptions


def test_dovecot_reads_back_what_moat_changed():
    """The way back (a rollback, or Dovecot still reading the Maildir during a move): flags
    and keywords Moat stored, one keyword Dovecot never saw, are in the file names and
    dovecot-keywords, and Dovecot's files keep their base names, so Dovecot, given the tree
    again, lists every message it had under its UID with Moat's flags and keywords."""
    with PrivateDovecot({"alice": "secret"}) as dovecot:
        write_with_dovecot(dovecot)
        with MailboxMX() as m:
            m.add_user("alice@example.com", password="sesame")
            move_tree(dovecot_maildir(dovecot), m.maildir("alice@example.com"), (0, 0))
            client = m.imap_login()
            client.select("INBOX")
            client.uid("STORE", "1", "-FLAGS", "(\\Seen Later)")
            client.uid("STORE", "3", "+FLAGS", "(\\Flagged FromMoat $Forwarded)")
            client.uid("STORE", "4", "FLAGS", "(\\Answered)")
            client.uid("STORE", "9", "+FLAGS", "(\\Seen Later)")
            assert client.append("INBOX", "(\\Seen FromMoat)", None, message(15))[0] == "OK"
            client.select("Work")
            client.uid("STORE", "3", "+FLAGS", "(\\Deleted)")
            client.expunge()
            client.close()
            from_moat = listing(client)
            client.logout()
        owner = os.stat(dovecot.dir).st_uid, os.stat(dovecot.dir).st_gid
        move_tree(m.maildir("alice@example.com"), dovecot_maildir(dovecot), owner)
        client = imaplib.IMAP4("127.0.0.1", dovecot.port, timeout=10)
        client.login("alice", "secret")
        from_dovecot = listing(client)
        client.logout()
    assert from_moat["INBOX"][2][3] == {"\\Seen", "\\Flagged", "FromMoat", "$Forwarded"}
    # Moat does not write dovecot-uidlist: Dovecot numbers the message Moat appended itself,
    # from its own next UID, so that one is compared by its flags only.
    appended = from_moat["INBOX"][2].pop(10)
    assert appended == {"\\Seen", "FromMoat"}
    validity, uidnext, messages = from_dovecot["INBOX"]
    assert [flags for uid, flags in messages.items() if uid >= 10] == [appended], messages
    from_dovecot["INBOX"] = validity, uidnext, {uid: flags for uid, flags in messages.items() if uid < 10}
    # The Quarantine folder is Moat's view of its quarantine (outside Maildir++): Dovecot has no such folder.
    moat_default = {"Drafts", "Junk", "Sent", "Trash", "Quarantine"}
    assert "Quarantine" not in from_dovecot
    assert_same({k: v for k, v in from_moat.items() if k not in moat_default}, from_dovecot, "Dovecot")
