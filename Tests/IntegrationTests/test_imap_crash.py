"""SIGKILL of moat in the middle of an IMAP APPEND (a large literal half sent), EXPUNGE and
MOVE of many messages, at a random point, a few rounds each. After every restart:
- nothing is lost: every message not being expunged is still there, every message being
  moved is in the source or the destination, each byte for byte as written;
- no folder holds a message twice, no UID is listed twice, and a UID once seen never names
  another message later (UIDs are not reused across the crash);
- the index agrees with the Maildir: what IMAP lists is what is on disk (the `U=` of each
  file name is the UID IMAP gives it), and after a clean stop every row of
  moat-index.sqlite names a file that exists and every file has its row.
The seed is printed, so a failing round can be replayed."""
import os
import random
import re
import sqlite3
import time

import pytest

from harness import MailboxMX

ROUNDS = 3
SEED = int(os.environ.get("MOAT_CRASH_SEED", time.time_ns() % 1_000_000))
MESSAGES = 120


def message(tag, n, filler=3):
    lines = "".join(f"{tag} {n} line {i:04d} " + "z" * 50 + "\r\n" for i in range(filler))
    return (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: {tag} {n}\r\n"
            f"Message-ID: <{tag}-{n}@example.org>\r\n\r\n{lines}").encode()


def message_id(data):
    return re.search(rb"Message-ID: <([^>]+)>", data).group(1).decode()


def lf(data):
    return data.replace(b"\r\n", b"\n")


@pytest.fixture
def mx():
    print(f"\ncrash seed {SEED} (MOAT_CRASH_SEED replays it)")
    m = MailboxMX()
    m.start()
    m.add_user("alice@example.com", password="sesame")
    try:
        yield m
    finally:
        m.stop()


class Ledger:
    """What the test wrote, and every UID each folder has ever shown for which message."""

    def __init__(self, m):
        self.m = m
        self.written = {}  # Message-ID → bytes as written (CRLF)
        self.uids = {}     # (folder, UID) → Message-ID

    def drop(self, folder, bodies):
        """Writes messages straight into the folder's new/, as any delivery agent would."""
        new = self.folder_path(folder) / "new"
        new.mkdir(parents=True, exist_ok=True)
        for n, body in enumerate(bodies):
            self.written[message_id(body)] = body
            (new / f"{time.time_ns()}.P{os.getpid()}Q{n}.test").write_bytes(lf(body))

    def folder_path(self, folder):
        return self.m.maildir("alice@example.com", None if folder == "INBOX" else folder)

    def check(self, folder):
        """Lists the folder over IMAP and holds it against the disk and the ledger;
        returns {Message-ID: flags}."""
        client = self.m.imap_login()
        assert client.select(folder)[0] == "OK"
        typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[])")
        client.logout()
        listed = {}
        flags = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            uid = int(re.search(rb"UID (\d+)", item[0]).group(1))
            assert uid not in listed, f"UID {uid} listed twice in {folder}"
            msgid = message_id(item[1])
            assert msgid in self.written, f"{folder} UID {uid}: a message nobody wrote: {item[1][:200]!r}"
            assert item[1] == self.written[msgid], f"{folder} UID {uid} ({msgid}): bytes differ from what was written"
            assert msgid not in flags, f"{msgid} twice in {folder}"
            previous = self.uids.setdefault((folder, uid), msgid)
            assert previous == msgid, f"{folder} UID {uid} named {previous}, now {msgid}: UID reused"
            listed[uid] = item[1]
            flags[msgid] = set(re.search(rb"FLAGS \(([^)]*)\)", item[0]).group(1).decode().split()) - {"\\Recent"}
        path = self.folder_path(folder)
        assert not list(path.glob("new/*")), f"{folder}: new/ not emptied by a read-write SELECT"
        on_disk = {}
        for f in path.glob("cur/*"):
            uid = re.search(r",U=(\d+)", f.name)
            assert uid, f"{folder}: {f.name} has no U= field"
            assert int(uid.group(1)) not in on_disk, f"{folder}: two files with U={uid.group(1)}"
            on_disk[int(uid.group(1))] = f.read_bytes()
        assert sorted(on_disk) == sorted(listed), f"{folder}: IMAP lists UIDs {sorted(listed)}, disk has {sorted(on_disk)}"
        for uid, data in listed.items():
            assert on_disk[uid] == lf(data), f"{folder} UID {uid}: IMAP's bytes are not the file's"
        return flags

    def check_index(self, folder):
        """With moat stopped: the index's rows and the files are the same set."""
        path = self.folder_path(folder)
        with sqlite3.connect(f"file:{path / 'moat-index.sqlite'}?mode=ro", uri=True) as db:
            rows = dict(db.execute("SELECT uid, file_name FROM message").fetchall())
        files = {str(f.relative_to(path)) for f in [*path.glob("cur/*"), *path.glob("new/*")]}
        assert set(rows.values()) == files, f"{folder}: index rows {sorted(set(rows.values()) - files)} have no file, " \
                                            f"files {sorted(files - set(rows.values()))} have no row"
        for uid, name in rows.items():
            assert f",U={uid}:" in name or f",U={uid}," in name, f"{folder}: row UID {uid} for {name}"


def restart_and_check(m, ledger, folders):
    m.start()
    flags = {folder: ledger.check(folder) for folder in folders}
    m.stop()
    for folder in folders:
        ledger.check_index(folder)
    m.start()
    return flags


def kill_when(m, condition, limit=10.0):
    """SIGKILLs moat as soon as `condition()` holds (polled), or after `limit` s; True if the
    condition held, so the kill fell inside the operation."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            m.kill()
            return True
        time.sleep(0.001)  # two cores: leave moat the other one
    m.kill()
    return False


def count(directory):
    try:
        return len(os.listdir(directory))
    except FileNotFoundError:
        return 0


def uids_by_message_id(client):
    typ, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
    assert typ == "OK", data
    return {message_id(item[1]): int(re.search(rb"UID (\d+)", item[0]).group(1)) for item in data if isinstance(item, tuple)}


def send_unanswered(client, line):
    """Sends a command and reads nothing: moat is killed while it works on it."""
    client.send(client._new_tag() + b" " + line + b"\r\n")


def test_sigkill_during_append_keeps_the_message_whole_or_not_at_all(mx):
    rng = random.Random(SEED)
    ledger = Ledger(mx)
    ledger.drop("INBOX", [message("before", n) for n in range(5)])
    outcomes = []
    for round_ in range(ROUNDS):
        body = message("append", round_, filler=rng.randint(20_000, 60_000))  # 1.4-4 MiB
        ledger.written[message_id(body)] = body
        client = mx.imap_login()
        send_unanswered(client, b"APPEND INBOX {%d}" % len(body))
        assert client.readline().startswith(b"+")
        # The rounds stop mid-literal but the last, which sends it all: the kill may then
        # land while the message is being stored, or after.
        cut = len(body) if round_ == ROUNDS - 1 else rng.randrange(len(body))
        client.sock.sendall(body[:cut] + (b"\r\n" if cut == len(body) else b""))
        time.sleep(rng.uniform(0, 0.05))
        mx.kill()
        client.sock.close()
        flags = restart_and_check(mx, ledger, ["INBOX"])["INBOX"]
        present = f"append-{round_}@example.org" in flags
        if cut < len(body):
            assert not present, f"round {round_}: a literal cut at {cut}/{len(body)} was stored"
        assert {f"before-{n}@example.org" for n in range(5)} <= set(flags), "earlier messages lost"
        outcomes.append((cut, len(body), present))
    left = [f.name for f in (ledger.folder_path("INBOX") / "tmp").iterdir()]
    print(f"APPEND kills (sent/size, stored): {outcomes}; files left in tmp/: {len(left)}")
    # After the crashes the mailbox still takes mail, under a UID none of the rounds had.
    client = mx.imap_login()
    typ, data = client.append("INBOX", None, None, message("after", 0))
    uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
    assert ("INBOX", uid) not in ledger.uids, f"UID {uid} given again after the crashes"
    client.logout()


def test_sigkill_during_expunge_loses_only_what_was_being_expunged(mx):
    rng = random.Random(SEED + 1)
    ledger = Ledger(mx)
    inside = 0
    marked = set()  # \Deleted on them: a crashed EXPUNGE may have left some
    for round_ in range(ROUNDS):
        bodies = [message(f"expunge{round_}", n) for n in range(MESSAGES)]
        ledger.drop("INBOX", bodies)
        marked |= {message_id(b) for b in bodies if rng.random() < 0.7}
        client = mx.imap_login()
        client.select("INBOX")
        uids = uids_by_message_id(client)
        doomed = sorted(uids[msgid] for msgid in marked)
        assert client.uid("STORE", ",".join(map(str, doomed)), "+FLAGS.SILENT", "(\\Deleted)")[0] == "OK"
        cur = ledger.folder_path("INBOX") / "cur"
        threshold = count(cur) - rng.randint(1, len(doomed) - 1)
        send_unanswered(client, b"EXPUNGE")
        inside += kill_when(mx, lambda: count(cur) <= threshold)
        client.sock.close()
        flags = restart_and_check(mx, ledger, ["INBOX"])["INBOX"]
        for msgid in ledger.written:
            if msgid in marked:
                assert msgid not in flags or "\\Deleted" in flags[msgid], f"{msgid} survived without its \\Deleted"
            else:
                assert msgid in flags, f"round {round_}: {msgid} was not being expunged and is gone"
        ledger.written = {k: v for k, v in ledger.written.items() if k in flags}
        marked &= set(flags)
    print(f"EXPUNGE: {inside}/{ROUNDS} kills fell inside the expunge")


def test_sigkill_during_move_leaves_every_message_in_source_or_destination(mx):
    rng = random.Random(SEED + 2)
    ledger = Ledger(mx)
    client = mx.imap_login()
    assert client.create("Archive")[0] == "OK"
    client.logout()
    inside, in_both = 0, [0] * ROUNDS
    for round_ in range(ROUNDS):
        bodies = [message(f"move{round_}", n) for n in range(MESSAGES)]
        ledger.drop("INBOX", bodies)
        client = mx.imap_login()
        client.select("INBOX")
        # This round's messages only: an earlier round's copies left in both folders would
        # rightly be copied again.
        uids = uids_by_message_id(client)
        moving = ",".join(str(uids[message_id(b)]) for b in bodies).encode()
        assert client.uid("STORE", moving, "+FLAGS.SILENT", "($Moving)")[0] == "OK"
        # MOVE copies every message, then expunges the originals: odd rounds are killed
        # while it copies, even ones while it expunges.
        archive_cur, inbox_cur = ledger.folder_path("Archive") / "cur", ledger.folder_path("INBOX") / "cur"
        step = rng.randint(1, MESSAGES - 1)
        if round_ % 2:
            threshold = count(archive_cur) + step
            condition = lambda: count(archive_cur) >= threshold  # noqa: E731
        else:
            threshold = count(inbox_cur) - step
            condition = lambda: count(inbox_cur) <= threshold  # noqa: E731
        send_unanswered(client, b"UID MOVE " + moving + b" Archive")
        inside += kill_when(mx, condition)
        client.sock.close()
        flags = restart_and_check(mx, ledger, ["INBOX", "Archive"])
        for msgid in ledger.written:
            places = [folder for folder in ("INBOX", "Archive") if msgid in flags[folder]]
            assert places, f"round {round_}: {msgid} is in neither INBOX nor Archive"
            if len(places) == 2 and msgid.startswith(f"move{round_}-"):
                in_both[round_] += 1
            for folder in places:
                assert "$Moving" in flags[folder][msgid], f"{msgid} in {folder} lost its keyword"
    print(f"MOVE: {inside}/{ROUNDS} kills fell inside the move; of each round's {MESSAGES}, in both folders "
          f"after the kill: {in_both}")
