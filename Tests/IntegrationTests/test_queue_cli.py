"""`moat queue` as an admin runs it, against a spool the binary itself fills with the
hidden `moat queue inject` (as Postfix's sendmail). No scheduler runs here, so every
state change is visible in the spool and in `moat queue list`.
"""
import json
import re
import subprocess

import pytest

from harness.moat import BINARY

MESSAGE = b"From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: queued\r\n\r\nbody\r\n"


@pytest.fixture
def spool(tmp_path):
    config = tmp_path / "moat.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path / "var"}"\n')
    message = tmp_path / "m.eml"
    message.write_bytes(MESSAGE)

    def run(*args, check=True, input=None):
        result = subprocess.run([BINARY, "queue", *args, "-c", str(config)], capture_output=True,
                                timeout=60, input=input)
        if check:
            assert result.returncode == 0, result.stderr.decode()
        return result

    run.dir = tmp_path / "var" / "queue"
    run.message = message
    return run


def inject(spool, sender="alice@example.org", *recipients):
    out = spool("inject", str(spool.message), "--from", sender,
                *[a for r in (recipients or ("bob@example.net",)) for a in ("--to", r)])
    queue_id = out.stdout.decode().strip()
    assert re.fullmatch(r"[0-9A-Z]{8,32}", queue_id), queue_id
    return queue_id


def test_empty_queue(spool):
    assert spool("list").stdout.decode().strip() == "Mail queue is empty"


def test_inject_writes_message_and_envelope_durably(spool):
    queue_id = inject(spool, "alice@example.org", "bob@example.net", "carol@example.net")
    assert (spool.dir / "messages" / f"{queue_id}.msg").read_bytes() == MESSAGE
    envelope = json.loads((spool.dir / "active" / f"{queue_id}.env").read_text())
    assert envelope["sender"] == "alice@example.org"
    assert [r["address"] for r in envelope["recipients"]] == ["bob@example.net", "carol@example.net"]
    assert {r["state"] for r in envelope["recipients"]} == {"pending"}
    assert list((spool.dir / "incoming").iterdir()) == []
    # The wake-up file a running scheduler polls was touched.
    assert (spool.dir / "wakeup").exists()


def test_list_shows_id_size_sender_and_recipients_like_mailq(spool):
    queue_id = inject(spool, "alice@example.org", "bob@example.net", "carol@example.net")
    bounce_id = inject(spool, "", "alice@example.org")
    text = spool("list").stdout.decode()
    lines = text.splitlines()
    assert lines[0].startswith("-Queue ID-")
    first = next(line for line in lines if line.startswith(queue_id))
    assert f" {len(MESSAGE)} " in first and first.endswith("alice@example.org")
    assert "                                                bob@example.net" in lines
    assert any(line.startswith(bounce_id) and line.endswith("MAILER-DAEMON") for line in lines)
    assert lines[-1] == "-- 1 Kbytes in 2 Requests."


def test_show_prints_envelope_then_message(spool):
    queue_id = inject(spool)
    out = spool("show", queue_id).stdout
    head, _, body = out.partition(b"\n\n")
    assert f"queue_id:     {queue_id}".encode() in head
    assert b"sender:       <alice@example.org>" in head
    assert b"recipient:    <bob@example.net> pending" in head
    assert body == MESSAGE


def test_hold_release_marks_and_moves(spool):
    queue_id = inject(spool)
    assert spool("hold", queue_id).stdout.decode().strip() == f"{queue_id}: held"
    assert (spool.dir / "hold" / f"{queue_id}.env").exists()
    assert any(line.startswith(f"{queue_id}!") for line in spool("list").stdout.decode().splitlines())
    again = spool("hold", queue_id, check=False)
    assert again.returncode == 1 and b"not active" in again.stderr
    spool("release", queue_id)
    assert (spool.dir / "active" / f"{queue_id}.env").exists()
    assert not any(line.startswith(f"{queue_id}!") for line in spool("list").stdout.decode().splitlines())


def test_flush_makes_deferred_mail_due(spool):
    queue_id = inject(spool)
    path = spool.dir / "active" / f"{queue_id}.env"
    envelope = json.loads(path.read_text())
    envelope["nextAttempt"] = envelope["arrival"] + 86400
    path.write_text(json.dumps(envelope))
    assert spool("flush").stdout.decode().strip() == "flushed 1 deferred message"
    assert json.loads(path.read_text())["nextAttempt"] <= envelope["arrival"] + 60


def test_delete_removes_envelope_and_message(spool):
    queue_id = inject(spool)
    assert spool("delete", queue_id).stdout.decode().strip() == f"{queue_id}: deleted"
    assert not (spool.dir / "messages" / f"{queue_id}.msg").exists()
    assert spool("list").stdout.decode().strip() == "Mail queue is empty"
    missing = spool("delete", queue_id, check=False)
    assert missing.returncode == 1 and f"no message {queue_id}".encode() in missing.stderr


@pytest.mark.parametrize("bad", ["../../etc/passwd", "abc", "x" * 40])
def test_malformed_ids_are_refused_before_touching_files(spool, bad):
    result = spool("show", bad, check=False)
    assert result.returncode == 1
    assert b"is not a queue ID" in result.stderr


def test_inject_from_stdin_and_validation(spool):
    out = subprocess.run([BINARY, "queue", "inject", "-", "--from", "a@example.org", "--to", "b@example.net",
                          "-c", str(spool.dir.parent.parent / "moat.toml")],
                         input=MESSAGE, capture_output=True, timeout=60)
    assert out.returncode == 0, out.stderr
    queue_id = out.stdout.decode().strip()
    assert (spool.dir / "messages" / f"{queue_id}.msg").read_bytes() == MESSAGE
    bad = spool("inject", str(spool.message), "--from", "a@example.org", "--to", "not an address", check=False)
    assert bad.returncode != 0 and b"not an address" in bad.stderr
