"""Real mail clients against `moat serve`: mbsync (Debian isync) syncing a mailbox both ways,
fetchmail reading mail over POP3 and IMAP, each over STARTTLS/STLS and implicit TLS with the
server's self-signed certificate as the only one trusted. Plaintext logins are refused
(loopback not trusted), so a session that worked was encrypted. Only loopback; ports picked
at run time."""
import imaplib
import itertools
import os
import re
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from harness import MailboxMX

pytestmark = pytest.mark.skipif(not (shutil.which("mbsync") and shutil.which("fetchmail")),
                                reason="mbsync (isync) and fetchmail are in TEST_PACKAGES")


def message(n, lines=1):
    """A message with what a client might mangle: 8-bit text, a line with a leading dot, a
    tab, a blank line in the body, and `lines` lines of 76 characters (RFC 5322 lines: a
    client may split longer ones; fetchmail does past 8 KiB)."""
    body = "\r\n".join(f"{i:06d} " + "y" * 69 for i in range(lines))
    return (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: client test {n}\r\n"
            f"Message-ID: <client-{n}@example.org>\r\nMIME-Version: 1.0\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            f"Grüße aus Köln, {n}.\r\n.a line that starts with a dot\r\n\tindented\r\n\r\n"
            f"{body}\r\nlast line\r\n").encode()


def lf(data):
    return data.replace(b"\r\n", b"\n")


def without_tuid(data):
    """mbsync's own tracking header (X-TUID, isync's sync.c) out of a local copy."""
    return re.sub(rb"(?m)^X-TUID: [^\n]*\n", b"", data, count=1)


@pytest.fixture(scope="module")
def server():
    with MailboxMX(auth={"secured_networks": [], "penalty": "0s", "penalty_max": "0s"}, pop3={}) as m:
        yield m


USERS = itertools.count(1)


@pytest.fixture
def account(server):
    """A fresh user per test, so tests sharing the server share no mail."""
    address = f"user{next(USERS)}@example.com"
    server.add_user(address, password="sesame")
    return address


def tls_context(m):
    context = ssl.create_default_context(cafile=str(m.certificate))
    context.check_hostname = False
    return context


def imaps_login(m, user):
    client = imaplib.IMAP4_SSL("127.0.0.1", m.imaps_port, ssl_context=tls_context(m), timeout=10)
    client.login(user, "sesame")
    return client


# --- mbsync ---------------------------------------------------------------------------------

MBSYNC_SSL = {"starttls": ("imap_port", "STARTTLS"), "imaps": ("imaps_port", "IMAPS")}


class Mbsync:
    """One mbsync channel between the user's Moat mailboxes (far) and a local Maildir++ tree
    (near): all folders, created and expunged on both sides."""

    def __init__(self, m, user, mode):
        self.dir = Path(tempfile.mkdtemp(prefix="moat-mbsync-"))
        self.local = self.dir / "mail"
        self.local.mkdir()
        port_attribute, ssl_type = MBSYNC_SSL[mode]
        self.config = self.dir / "mbsyncrc"
        # Host localhost: mbsync checks the certificate's DNS names, never an address.
        self.config.write_text(
            f"IMAPAccount moat\nHost localhost\nPort {getattr(m, port_attribute)}\nUser {user}\nPass sesame\n"
            f"SSLType {ssl_type}\nCertificateFile {m.certificate}\n\n"
            "IMAPStore far\nAccount moat\n\n"
            f"MaildirStore near\nPath {self.local}/\nInbox {self.local}/INBOX\nSubFolders Verbatim\n\n"
            "Channel all\nFar :far:\nNear :near:\nPatterns *\nCreate Both\nExpunge Both\nSyncState *\n")

    def sync(self):
        done = subprocess.run(["mbsync", "-c", str(self.config), "-a"], capture_output=True, timeout=60)
        assert done.returncode == 0, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")

    def messages(self, folder="INBOX"):
        """{Message-ID: (flag letters, bytes)} of the local folder."""
        found = {}
        for f in [*(self.local / folder).glob("new/*"), *(self.local / folder).glob("cur/*")]:
            data = f.read_bytes()
            msgid = re.search(rb"Message-ID: (<[^>]+>)", data).group(1).decode()
            assert msgid not in found, f"{msgid} twice in the local {folder}"
            found[msgid] = (f.name.partition(":2,")[2], data)
        return found

    def file_of(self, msgid, folder="INBOX"):
        for f in [*(self.local / folder).glob("new/*"), *(self.local / folder).glob("cur/*")]:
            if f"Message-ID: {msgid}".encode() in f.read_bytes():
                return f
        raise AssertionError(f"{msgid} not in the local {folder}")


def server_messages(client, folder):
    """{Message-ID: (flags, bytes)} of a Moat folder, read over IMAP."""
    assert client.select(folder)[0] == "OK"
    typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
    assert typ == "OK", data
    found = {}
    for item in data:
        if isinstance(item, tuple):
            flags = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()) - {"\\Recent"}
            msgid = re.search(rb"Message-ID: (<[^>]+>)", item[1]).group(1).decode()
            assert msgid not in found, f"{msgid} twice in Moat's {folder}"
            found[msgid] = (flags, item[1])
    return found


@pytest.mark.parametrize("mode", sorted(MBSYNC_SSL))
def test_mbsync_syncs_both_ways(server, account, mode):
    """Moat → local: delivered mail arrives byte for byte, a flag set on the server reaches the
    local file name. Local → Moat: a new local message is uploaded byte for byte, a local
    flag and a local deletion reach the server, a local folder is created there. A third
    sync with nothing changed changes nothing."""
    stored = server.deliver(message(1), message(2), message(3, lines=2600), to=account)
    sync = Mbsync(server, account, mode)
    try:
        sync.sync()
        local = sync.messages()
        assert sorted(local) == ["<client-1@example.org>", "<client-2@example.org>", "<client-3@example.org>"]
        for n, data in enumerate(stored, 1):
            assert without_tuid(local[f"<client-{n}@example.org>"][1]) == lf(data), f"message {n} changed on its way"
        assert {d for d in sync.local.iterdir()} >= {sync.local / name for name in ("Drafts", "Junk", "Sent", "Trash")}

        # Both sides change between syncs.
        client = imaps_login(server, account)
        client.select("INBOX")
        # The MX's queue may deliver the three in any order: find client-1 by its header.
        typ, found = client.uid("SEARCH", "HEADER", "Message-ID", "<client-1@example.org>")
        assert typ == "OK" and len(found[0].split()) == 1, found
        assert client.uid("STORE", found[0], "+FLAGS", "(\\Seen)")[0] == "OK"
        client.logout()
        server.deliver(message(4), to=account)
        flagged = sync.file_of("<client-2@example.org>")
        flagged.rename(flagged.parent.parent / "cur" / (flagged.name.split(":2,")[0] + ":2,F"))
        sync.file_of("<client-3@example.org>").unlink()
        written_here = message(5)
        (sync.local / "INBOX" / "new" / "1700000000.local5.host").write_bytes(lf(written_here))
        project = sync.local / "Projects"
        for sub in ("cur", "new", "tmp"):
            (project / sub).mkdir(parents=True)
        (project / "cur" / "1700000001.local6.host:2,S").write_bytes(lf(message(6)))
        sync.sync()

        client = imaps_login(server, account)
        inbox = server_messages(client, "INBOX")
        assert sorted(inbox) == ["<client-1@example.org>", "<client-2@example.org>", "<client-4@example.org>",
                                 "<client-5@example.org>"], "client-3 deleted locally is expunged on the server"
        assert "\\Flagged" in inbox["<client-2@example.org>"][0]
        # mbsync adds its X-TUID to what it uploads; the rest arrives byte for byte, CRLF on the wire.
        assert without_tuid(lf(inbox["<client-5@example.org>"][1])) == lf(written_here)
        assert inbox["<client-5@example.org>"][1].count(b"\n") == inbox["<client-5@example.org>"][1].count(b"\r\n")
        projects = server_messages(client, "Projects")
        assert list(projects) == ["<client-6@example.org>"] and projects["<client-6@example.org>"][0] == {"\\Seen"}
        client.logout()
        local = sync.messages()
        assert "S" in local["<client-1@example.org>"][0], "\\Seen set on the server reached the local name"
        assert sorted(local) == sorted(inbox)

        before = {f: sync.messages(f) for f in ("INBOX", "Projects")}
        sync.sync()
        assert {f: sync.messages(f) for f in ("INBOX", "Projects")} == before
        server.wait_for_log(rf"imap-login: Login: user=<{re.escape(account)}>, method=PLAIN, .*, TLS")
    finally:
        shutil.rmtree(sync.dir, ignore_errors=True)


# --- fetchmail ------------------------------------------------------------------------------

# (protocol, listener, implicit TLS)
FETCHMAIL_WAYS = {"pop3-stls": ("pop3", "pop3_port", False), "pop3s": ("pop3", "pop3s_port", True),
                  "imap-starttls": ("imap", "imap_port", False), "imaps": ("imap", "imaps_port", True)}


@pytest.mark.parametrize("way", sorted(FETCHMAIL_WAYS))
def test_fetchmail_reads_every_message_byte_for_byte(server, account, way):
    """fetchmail hands each message to an MDA that writes it to a file: the files are the
    stored messages exactly (fetchmail gives an MDA LF line ends, as Moat stores them), one
    each, and fetchmail's deletes leave the mailbox empty."""
    protocol, port_attribute, implicit = FETCHMAIL_WAYS[way]
    stored = server.deliver(message(1), message(2, lines=4000), message(3), to=account)
    work = Path(tempfile.mkdtemp(prefix="moat-fetchmail-"))
    try:
        out = work / "out"
        out.mkdir()
        mda = work / "mda.sh"
        mda.write_text(f'#!/bin/sh\nexec cat > "$(mktemp {out}/msg.XXXXXX)"\n')
        mda.chmod(0o755)
        rc = work / "fetchmailrc"
        # sslcertck with the pair's certificate as the only trust; without STARTTLS/STLS
        # the plaintext login is refused, so a plain session would fetch nothing.
        rc.write_text(f'poll localhost protocol {protocol} port {getattr(server, port_attribute)}\n'
                      f'  user "{account}" password "sesame"\n'
                      f'  {"ssl " if implicit else ""}sslproto "tls1.2+" sslcertck sslcertfile "{server.certificate}"\n'
                      f'  mda "{mda}" no rewrite\n')
        rc.chmod(0o600)
        done = subprocess.run(["fetchmail", "--nodetach", "--nosyslog", "--invisible", "-f", str(rc)],
                              capture_output=True, timeout=60, env={**os.environ, "FETCHMAILHOME": str(work)})
        assert done.returncode == 0, done.stdout.decode(errors="replace") + done.stderr.decode(errors="replace")
        got = sorted(f.read_bytes() for f in out.iterdir())
        assert got == sorted(stored)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if protocol == "imap":
        client = imaps_login(server, account)
        assert client.status("INBOX", "(MESSAGES)")[1] == [b"INBOX (MESSAGES 0)"]
        client.logout()
    else:
        assert not list(server.maildir(account).glob("cur/*")) and not list(server.maildir(account).glob("new/*"))
    server.wait_for_log(rf"{protocol}-login: Login: user=<{re.escape(account)}>, method=PLAIN, .*, TLS")
