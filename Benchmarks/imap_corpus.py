"""The mail the IMAP benchmark serves: messages from the shared ham corpus, written once as
Maildir files (LF line ends, `,S=…,W=…` sizes in the name as Moat's and Dovecot's own
delivery write them) and handed to both servers as hard links of the same files, so both
index exactly the same Maildir."""
import os
import shutil
from pathlib import Path

from benchlib import REPO

CORPUS = REPO.parent / "shared" / "corpus" / "ham"
HOSTNAME = "bench.example.test"
# Spread over the past year, one message every ~50 minutes: INTERNALDATE from the mtime.
FIRST_DATE = 1_700_000_000
DATE_STEP = 3000


def corpus_messages(limit=None):
    """The corpus as LF messages without the mbox `From ` line; generated mail when the
    corpus is missing (a checkout without ../shared)."""
    files = sorted(CORPUS.iterdir()) if CORPUS.is_dir() else []
    messages = []
    for path in files[:limit]:
        data = path.read_bytes().replace(b"\r\n", b"\n")
        if data.startswith(b"From "):
            data = data.split(b"\n", 1)[1]
        messages.append(data)
    return messages or [generated_message(n) for n in range(limit or 500)]


def generated_message(n):
    body = b"".join(b"Line %d of message %d, some words to make a plain text body.\n" % (i, n) for i in range(40))
    return (b"From: Sender %d <sender%d@example.org>\nTo: user@example.com\nSubject: generated message %d\n"
            b"Date: Tue, 14 Nov 2023 12:00:00 +0000\nMessage-ID: <gen%d@example.org>\n\n" % (n, n % 50, n, n)) + body


def crlf(message):
    """The wire form of a stored LF message (for APPEND)."""
    return message.replace(b"\n", b"\r\n")


def make_maildir(root):
    for sub in ("cur", "new", "tmp"):
        (root / sub).mkdir(parents=True, exist_ok=True)


def write_maildir(root, messages, count, seen_every=3):
    """`count` messages (cycling through `messages`) as files in `root`/cur, every
    `seen_every`-th one \\Seen, with increasing mtimes; returns `root`."""
    make_maildir(root)
    pid = os.getpid()
    for n in range(count):
        data = messages[n % len(messages)]
        stamp = FIRST_DATE + n * DATE_STEP
        flags = "S" if n % seen_every == 0 else ""
        virtual_size = len(data) + data.count(b"\n")
        name = f"{stamp}.M{n % 1_000_000:06d}P{pid}Q{n}.{HOSTNAME},S={len(data)},W={virtual_size}:2,{flags}"
        path = root / "cur" / name
        path.write_bytes(data)
        os.utime(path, (stamp, stamp))
    return root


def link_maildir(pristine, target):
    """`target` as a fresh Maildir whose files are hard links of `pristine`'s: servers
    rename and unlink names, never rewrite a message, so the pristine copy stays intact."""
    if target.exists():
        shutil.rmtree(target)
    make_maildir(target)
    for sub in ("cur", "new"):
        for entry in os.scandir(pristine / sub):
            os.link(entry.path, target / sub / entry.name)
    return target
