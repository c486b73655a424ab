"""`moat domain|user|alias`, as an admin coming from Postfix Admin + Dovecot runs them.

Each test gets its own config whose [storage] data_dir is a temp directory, so the
directory database is fresh. Password hashes are checked against Dovecot's own
`doveadm pw` in both directions.
"""
import shutil
import sqlite3
import subprocess

import pytest

from harness import Moat

DOVEADM = shutil.which("doveadm")
needs_doveadm = pytest.mark.skipif(DOVEADM is None, reason="doveadm not installed (Debian package dovecot-core)")


@pytest.fixture
def moat(tmp_path):
    """A configured, never started moat: only its config is used (`moat ... -c`)."""
    m = Moat(10025, base_dir=tmp_path, storage={"data_dir": str(tmp_path / "data")})
    m.db = tmp_path / "data" / "directory.sqlite"
    return m


def run(moat, *args, password=None):
    """`moat ARGS` with stdin a pipe (never the terminal), returning (rc, stdout, stderr)."""
    p = moat.cli(*args, input=b"" if password is None else password.encode() + b"\n", check=False)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def ok(moat, *args, password=None):
    rc, out, err = run(moat, *args, password=password)
    assert rc == 0, f"moat {' '.join(args)} exited {rc}: {out}{err}"
    return out


def rows(text):
    return [line.split("\t") for line in text.splitlines()]


@pytest.fixture
def populated(moat):
    ok(moat, "domain", "add", "Example.COM")
    ok(moat, "user", "add", "Alice@example.com", "--quota", "2G", "--password-stdin", password="secret")
    return moat


def test_domain_add_list_del(moat):
    assert ok(moat, "domain", "add", "example.com") == "added domain example.com\n"
    ok(moat, "domain", "add", "backup.example", "--backup-mx")
    assert rows(ok(moat, "domain", "list")) == [["backup.example", "backup-mx", "active", "0", "0"],
                                                ["example.com", "local", "active", "0", "0"]]
    rc, _, err = run(moat, "domain", "add", "EXAMPLE.com")
    assert rc == 1 and 'domain "example.com" already exists' in err
    ok(moat, "domain", "del", "backup.example")
    assert [r[0] for r in rows(ok(moat, "domain", "list"))] == ["example.com"]
    rc, _, err = run(moat, "domain", "del", "nowhere.example")
    assert rc == 1 and "no domain" in err
    assert oct(moat.db.stat().st_mode & 0o777) == "0o600"


def test_domain_del_refuses_non_empty_without_force(populated):
    rc, _, err = run(populated, "domain", "del", "example.com")
    assert rc == 1 and "still has 1 mailbox(es)" in err and "--force" in err
    ok(populated, "domain", "del", "example.com", "--force")
    assert ok(populated, "user", "list") == ""


def test_user_add_list_show_hash_del(populated):
    assert rows(ok(populated, "user", "list")) == [["alice@example.com", "2G", "active", "imap,pop3"]]
    ok(populated, "user", "add", "bob@example.com", "--password-stdin", password="pw")
    listed = rows(ok(populated, "user", "list", "--domain", "example.com", "--show-hash"))
    assert [r[:3] for r in listed] == [["alice@example.com", "2G", "active"], ["bob@example.com", "unlimited", "active"]]
    assert all(r[4].startswith("{SHA512-CRYPT}$6$") and len(r[4]) == len("{SHA512-CRYPT}$6$") + 16 + 1 + 86
               for r in listed)
    assert "$6$" not in ok(populated, "user", "list")
    rc, _, err = run(populated, "user", "add", "alice@EXAMPLE.com", "--password-stdin", password="x")
    assert rc == 1 and "already exists" in err
    ok(populated, "user", "del", "bob@example.com")
    assert [r[0] for r in rows(ok(populated, "user", "list"))] == ["alice@example.com"]


def test_user_access_per_service(populated):
    """`user access` takes IMAP or POP3 away from one user; the listing shows what is left."""
    assert "POP3 denied for alice@example.com" in ok(populated, "user", "access", "alice@example.com", "--pop3", "off")
    assert rows(ok(populated, "user", "list"))[0][3] == "imap"
    ok(populated, "user", "access", "alice@example.com", "--imap", "off")
    assert rows(ok(populated, "user", "list"))[0][3] == "-"
    ok(populated, "user", "access", "alice@example.com", "--imap", "on", "--pop3", "on")
    assert rows(ok(populated, "user", "list"))[0][3] == "imap,pop3"
    rc, _, err = run(populated, "user", "access", "alice@example.com")
    assert rc == 64 and "--imap" in err
    rc, _, err = run(populated, "user", "access", "nobody@example.com", "--imap", "off")
    assert rc == 1 and "nobody@example.com" in err


def test_user_errors(moat):
    rc, _, err = run(moat, "user", "add", "a@example.com", "--password-stdin", password="x")
    assert rc == 1 and 'no domain "example.com"' in err
    ok(moat, "domain", "add", "example.com")
    rc, _, err = run(moat, "user", "add", "a@example.com", "--quota", "lots", "--password-stdin", password="x")
    assert rc == 1 and "invalid quota" in err
    rc, _, err = run(moat, "user", "add", "a@example.com")
    assert rc == 1 and "--password-stdin" in err
    rc, _, err = run(moat, "user", "add", "a@example.com", "--password-stdin", password="")
    assert rc == 1 and "empty" in err
    rc, _, err = run(moat, "user", "add", "not-an-address", "--password-stdin", password="x")
    assert rc == 1 and "invalid address" in err
    rc, _, err = run(moat, "user", "del", "nobody@example.com")
    assert rc == 1 and "no mailbox" in err


def test_passwd_and_verify(populated):
    assert ok(populated, "user", "verify", "alice@example.com", "--password-stdin", password="secret") == "ok\n"
    rc, _, err = run(populated, "user", "verify", "alice@example.com", "--password-stdin", password="wrong")
    assert rc == 1 and "does not match" in err
    ok(populated, "user", "passwd", "ALICE@example.com", "--password-stdin", password="new secret")
    assert run(populated, "user", "verify", "alice@example.com", "--password-stdin", password="secret")[0] == 1
    ok(populated, "user", "verify", "alice@example.com", "--password-stdin", password="new secret")


def test_alias_add_list_del(populated):
    out = ok(populated, "alias", "add", "Team@example.com", "alice@example.com", "x@Other.example")
    assert out.splitlines() == ["added alias team@example.com -> alice@example.com",
                                "added alias team@example.com -> x@other.example"]
    ok(populated, "alias", "add", "@example.com", "alice@example.com")
    assert rows(ok(populated, "alias", "list")) == [["@example.com", "alice@example.com", "active"],
                                                    ["team@example.com", "alice@example.com", "active"],
                                                    ["team@example.com", "x@other.example", "active"]]
    rc, _, err = run(populated, "alias", "add", "team@example.com", "alice@example.com")
    assert rc == 1 and "already exists" in err
    assert ok(populated, "alias", "del", "team@example.com", "x@other.example") == \
        "deleted 1 alias row of team@example.com\n"
    ok(populated, "alias", "del", "@example.com")
    assert rows(ok(populated, "alias", "list", "--domain", "example.com")) == \
        [["team@example.com", "alice@example.com", "active"]]
    rc, _, err = run(populated, "alias", "del", "nobody@example.com")
    assert rc == 1 and "no alias" in err
    rc, _, err = run(populated, "alias", "add", "x@nowhere.example", "alice@example.com")
    assert rc == 1 and "no domain" in err


def test_config_error_exits_3(tmp_path):
    broken = Moat(10025, base_dir=tmp_path, storage={"data_dir": str(tmp_path), "no_such_key": 1})
    rc, _, err = run(broken, "domain", "list")
    assert rc == 3 and "no_such_key" in err


def test_schema_is_postfix_admin_shaped(populated):
    with sqlite3.connect(populated.db) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT address, domain, quota_bytes, active, enableimap, enablepop3 FROM mailbox").fetchall() == \
            [("alice@example.com", "example.com", 2 << 30, 1, 1, 1)]
        assert [r[0] for r in db.execute("SELECT identifier FROM grdb_migrations")] == \
            ["v1: domain, mailbox, alias", "v2: per-mailbox IMAP and POP3 access"]


@needs_doveadm
def test_doveadm_hash_is_accepted_by_moat(populated):
    hash_ = subprocess.run([DOVEADM, "pw", "-s", "SHA512-CRYPT", "-p", "secret"], capture_output=True,
                           check=True, text=True).stdout.strip()
    assert hash_.startswith("{SHA512-CRYPT}$6$")
    ok(populated, "user", "passwd", "alice@example.com", "--password-stdin", password="other")
    with sqlite3.connect(populated.db) as db:
        db.execute("UPDATE mailbox SET password_hash = ? WHERE address = 'alice@example.com'", (hash_,))
    ok(populated, "user", "verify", "alice@example.com", "--password-stdin", password="secret")
    assert run(populated, "user", "verify", "alice@example.com", "--password-stdin", password="Secret")[0] == 1


@needs_doveadm
def test_moat_hash_verifies_with_doveadm(populated):
    hash_ = rows(ok(populated, "user", "list", "--show-hash"))[0][4]
    good = subprocess.run([DOVEADM, "pw", "-t", hash_, "-p", "secret"], capture_output=True, text=True)
    assert good.returncode == 0 and "verified" in good.stdout + good.stderr, good.stdout + good.stderr
    bad = subprocess.run([DOVEADM, "pw", "-t", hash_, "-p", "wrong"], capture_output=True, text=True)
    assert bad.returncode != 0


def _on_terminal(moat, args, answers):
    """Runs `moat ARGS` on a pseudo-terminal, typing each answer after a prompt; returns
    (exit status, everything the terminal showed)."""
    import os
    import pty
    import select
    import signal
    import time
    from harness.moat import BINARY
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(BINARY, [BINARY, *args, "-c", str(moat.config_path)])
    shown = b""
    given = 0
    deadline = time.monotonic() + 60
    while True:
        if not select.select([fd], [], [], max(0, deadline - time.monotonic()))[0]:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise AssertionError(f"moat {args} still waiting after 60 s; the terminal showed {shown!r}")
        try:
            chunk = os.read(fd, 1024)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
        # Answer each prompt once, only after it appeared: the prompt flushes pending input.
        if given < len(answers) and shown.lower().count(b"password:") > given:
            os.write(fd, answers[given].encode() + b"\n")
            given += 1
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), shown.decode(errors="replace")


def test_password_prompt_twice_without_echo(populated):
    rc, shown = _on_terminal(populated, ["user", "passwd", "alice@example.com"], ["typed pw", "typed pw"])
    assert rc == 0, shown
    assert "Password:" in shown and "Retype password:" in shown and "typed pw" not in shown
    ok(populated, "user", "verify", "alice@example.com", "--password-stdin", password="typed pw")
    rc, shown = _on_terminal(populated, ["user", "passwd", "alice@example.com"], ["one", "two"])
    assert rc == 1 and "do not match" in shown
