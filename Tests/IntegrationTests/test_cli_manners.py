"""CLI manners: `learn` names what it could not read and why and exits 1; `scan` reads a
directory or Maildir as `learn` does; progress lines appear on a terminal only; usage
errors print the subcommand's usage with status 64."""
import os
import pty
import select
import socket
import subprocess

import pytest

from harness.mail import GTUBE, message
from harness.moat import BINARY, REPO


def moat(*args, config, stderr=subprocess.PIPE):
    return subprocess.run([BINARY, *map(str, args), "-c", str(config)], stdout=subprocess.PIPE, stderr=stderr,
                          timeout=300, cwd=REPO)


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "moat.toml"
    path.write_text(f"""[spam]
rules = ['{REPO / "Rules" / "10_moat_gtube.cf"}']
spamassassin_rules = "off"
use_network = false
cache_directory = '{tmp_path / "cache"}'
[bayes]
database = '{tmp_path / "bayes.sqlite"}'
[virus]
databases = ['{REPO / "Rules" / "clamav"}']
[quarantine]
directory = '{tmp_path / "Quarantine"}'
index = '{tmp_path / "quarantine.sqlite"}'
""")
    return path


def mails(directory, count, prefix="m"):
    directory.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (directory / f"{prefix}{i:03}").write_bytes(message(f"{prefix} {i}", body=f"words {prefix} {i} here\n"))
    return directory


def test_learn_names_unreadable_paths_with_the_reason_and_exits_1(tmp_path, config):
    good = mails(tmp_path / "good", 2)
    missing = tmp_path / "missing"
    # A socket cannot be opened even by root: open(2) fails with ENXIO.
    sock_path = tmp_path / "not-a-message"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(sock_path))
    try:
        p = moat("learn", "--spam", good, missing, sock_path, config=config)
    finally:
        sock.close()
    err, out = p.stderr.decode(), p.stdout.decode()
    assert p.returncode == 1, err
    assert f"{missing}: no such file or directory" in err, err
    assert f"skipped: open {sock_path}: No such device or address" in err, err
    # The readable ones were still learned, and the summary counts the skipped one.
    assert "Learned tokens from 2 message(s) (2 message(s) examined, 1 skipped on errors)" in out, out
    again = moat("learn", "--spam", good, config=config)
    assert again.returncode == 0, again.stderr
    assert "0 message(s) (2 message(s) examined, 2 already learned as spam)" in again.stdout.decode()


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a mode-000 directory")
def test_learn_reports_a_directory_it_may_not_read(tmp_path, config):
    locked = mails(tmp_path / "locked", 1)
    locked.chmod(0)
    try:
        p = moat("learn", "--ham", locked, config=config)
    finally:
        locked.chmod(0o700)
    assert p.returncode == 1 and f"opendir {locked}: Permission denied" in p.stderr.decode()


def test_scan_reads_a_directory_and_a_maildir(tmp_path, config):
    plain = mails(tmp_path / "plain", 1)
    maildir = tmp_path / "Maildir"
    mails(maildir / "cur", 1, prefix="c")
    (maildir / "new").mkdir()
    (maildir / "new" / "spam").write_bytes(message("spam", body=GTUBE.decode() + "\n"))
    (maildir / "tmp").mkdir()
    (maildir / "tmp" / "partial").write_bytes(b"never scanned")
    p = moat("scan", plain, maildir, config=config)
    out = p.stdout.decode()
    assert p.returncode == 1, out + p.stderr.decode()  # the worst verdict: spam
    lines = out.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        str(plain / "m000"), str(maildir / "cur" / "c000"), str(maildir / "new" / "spam")]
    assert "CLEAN" in lines[0] and "GTUBE" in lines[2]
    missing = moat("scan", plain, tmp_path / "nowhere", config=config)
    assert missing.returncode == 3 and f"{tmp_path / 'nowhere'}: no such file or directory" in missing.stderr.decode()
    assert len(missing.stdout.decode().splitlines()) == 1  # the readable one is still scanned


def run_on_terminal(*args, config):
    """Runs moat with standard error on a pseudo-terminal; returns (status, what the terminal got)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([BINARY, *map(str, args), "-c", str(config)], stdout=subprocess.PIPE, stderr=slave,
                            cwd=REPO)
    os.close(slave)
    seen = b""
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        assert ready, "no output within 60s"
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    proc.stdout.read()
    return proc.wait(timeout=60), seen


def test_progress_is_drawn_on_a_terminal_only(tmp_path, config):
    corpus = mails(tmp_path / "corpus", 30)
    status, terminal = run_on_terminal("learn", "--ham", corpus, config=config)
    assert status == 0
    assert b"\r\x1b[Klearning 30/30 (100%)" in terminal, terminal
    assert terminal.endswith(b"\r\x1b[K"), terminal  # erased at the end
    piped = moat("learn", "--forget", corpus, config=config)
    assert piped.returncode == 0 and b"\r" not in piped.stderr and b"forgetting" not in piped.stderr
    status, terminal = run_on_terminal("rules", "lint", REPO / "Rules" / "10_moat_gtube.cf", config=config)
    assert status == 0 and b"rules lint: compiling" in terminal, terminal


@pytest.mark.parametrize("args, usage", [
    (["quarantine", "list", "--category", "bogus"], "moat quarantine list"),
    (["quarantine", "list", "--since", "2x"], "moat quarantine list"),
    (["learn", "--spam"], "moat learn"),
    (["scan", "--no-such-option"], "moat scan"),
])
def test_usage_errors_print_the_subcommands_usage_and_exit_64(args, usage, config):
    p = moat(*args, config=config)
    err = p.stderr.decode()
    assert p.returncode == 64, err
    assert f"Usage: {usage}" in err, err
