"""`moat scan` and `moat config check` / `moat serve` start-up validation, as an admin runs them.

No Postfix here: scan needs only the config (signature directory Rules/clamav), and config
errors must stop `serve` before it binds anything.
"""
import json
import subprocess
import time

import pytest

from harness import Moat
from harness.moat import BINARY, REPO
from harness.mail import EICAR, GTUBE, message

HAM_DIR = REPO.parent / "shared" / "corpus" / "ham"
JSON_KEYS = {"file", "category", "score", "spam", "tests", "virus", "banned", "undecipherable"}


@pytest.fixture
def moat():
    """A configured but never started moat: only its config is used (`moat ... -c`)."""
    return Moat(10025)  # reinject is never contacted by scan


@pytest.fixture
def samples(tmp_path):
    ham_files = sorted(p for p in HAM_DIR.iterdir() if p.is_file()) if HAM_DIR.is_dir() else []
    if not ham_files:
        pytest.skip(f"no ham corpus in {HAM_DIR}")
    files = {"ham": ham_files[0]}
    for name, data in (("gtube.eml", message("buy now", body=GTUBE.decode() + "\n")),
                       ("eicar.eml", message("virus", attachments=[("eicar.com.txt", EICAR, "text/plain")]))):
        files[name.split(".")[0]] = tmp_path / name
        files[name.split(".")[0]].write_bytes(data)
    return files


def scan_json(moat, *args, input=None):
    p = moat.cli("scan", "--json", *map(str, args), input=input, check=False)
    lines = [json.loads(line) for line in p.stdout.decode().splitlines() if line.strip()]
    return p, lines


# ---- moat scan -----------------------------------------------------------------

def test_scan_clean_ham_exits_0(moat, samples):
    p = moat.cli("scan", str(samples["ham"]), check=False)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout.decode().startswith(f"{samples['ham']}: CLEAN")


def test_scan_gtube_exits_1(moat, samples):
    p = moat.cli("scan", str(samples["gtube"]), check=False)
    assert p.returncode == 1, p.stdout.decode() + p.stderr.decode()
    assert "SPAM" in p.stdout.decode() and "GTUBE=1000" in p.stdout.decode()


def test_scan_eicar_exits_2(moat, samples):
    p = moat.cli("scan", str(samples["eicar"]), check=False)
    assert p.returncode == 2, p.stdout.decode() + p.stderr.decode()
    assert "INFECTED" in p.stdout.decode() and "Moat.Test.Eicar" in p.stdout.decode()


def test_scan_missing_file_exits_3_and_names_it(moat, tmp_path):
    missing = tmp_path / "no-such-message.eml"
    p = moat.cli("scan", str(missing), check=False)
    assert p.returncode == 3
    assert str(missing) in p.stderr.decode()


def test_scan_exit_status_is_the_worst_verdict(moat, samples, tmp_path):
    """error > virus > spam > clean, whatever the order of the files."""
    h, g, e = samples["ham"], samples["gtube"], samples["eicar"]
    assert moat.cli("scan", str(g), str(h), check=False).returncode == 1
    assert moat.cli("scan", str(e), str(g), str(h), check=False).returncode == 2
    p = moat.cli("scan", str(tmp_path / "gone"), str(e), str(g), check=False)
    assert p.returncode == 3
    assert len(p.stdout.decode().splitlines()) == 2  # the readable files are still reported


def test_scan_stdin(moat, samples):
    p = moat.cli("scan", "-", input=samples["gtube"].read_bytes(), check=False)
    assert p.returncode == 1
    p = moat.cli("scan", input=samples["eicar"].read_bytes(), check=False)  # no FILE = stdin
    assert p.returncode == 2
    p, [line] = scan_json(moat, "-", input=samples["ham"].read_bytes())
    assert p.returncode == 0 and line["file"] == "-" and line["category"] == "CLEAN"


def test_scan_json_fields(moat, samples):
    p, lines = scan_json(moat, samples["ham"], samples["gtube"], samples["eicar"])
    assert p.returncode == 2, p.stderr.decode()
    ham, gtube, eicar = lines
    for line in lines:
        assert set(line) == JSON_KEYS
    assert ham == {"file": str(samples["ham"]), "category": "CLEAN", "score": 0, "spam": False,
                   "tests": [], "virus": [], "banned": [], "undecipherable": []}
    assert gtube["file"] == str(samples["gtube"])
    assert gtube["category"] == "SPAM" and gtube["spam"] is True
    assert gtube["score"] == 1000 and gtube["tests"] == ["GTUBE"]
    assert gtube["virus"] == [] and gtube["banned"] == []
    assert eicar["category"] == "INFECTED" and eicar["spam"] is False
    assert eicar["virus"] == ["Moat.Test.Eicar.UNOFFICIAL"]


# ---- moat config check / serve ----------------------------------------------------

BROKEN = """\
[filter]
listen = "127.0.0.1"
listn = "127.0.0.1:10024"
reinject = "127.0.0.1:10025"
max_recipients = "many"

[antispam]
tag_level = 2.0
"""
BROKEN_ISSUES = [  # (line, fragment of the message)
    (2, "[filter] listen: '127.0.0.1': expected host:port"),
    (3, "[filter] unknown key 'listn'"),
    (5, "[filter] max_recipients: expected an integer"),
    (7, "unknown section [antispam]"),
]

SYNTAX = """\
[filter]
listen = "127.0.0.1:10024"

[spam]
tag_level = = 2.0
"""


def config_check(path):
    # The shipped config compiles every SpamAssassin rule: ~50 s of CPU in a debug build,
    # more on a busy machine. The bound is there to catch a hang, not to time it.
    return subprocess.run([BINARY, "config", "check", "-c", str(path)], cwd=REPO,
                          capture_output=True, timeout=300)


def assert_issues(stderr, path, expected):
    lines = stderr.decode().splitlines()
    for line_no, fragment in expected:
        prefix = f"{path}:{line_no}: "
        assert any(l.startswith(prefix) and fragment in l for l in lines), \
            f"no {prefix}...{fragment!r} in:\n{stderr.decode()}"


def test_config_check_shipped_config_is_ok():
    p = config_check(REPO / "Config" / "moat.toml")
    assert p.returncode == 0, p.stderr.decode()
    assert p.stderr == b""
    assert b"OK" in p.stdout


def test_config_check_reports_every_issue_with_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    p = config_check(path)
    assert p.returncode == 1
    assert_issues(p.stderr, path, BROKEN_ISSUES)
    assert len(p.stderr.decode().splitlines()) == len(BROKEN_ISSUES), p.stderr.decode()


def test_config_check_toml_syntax_error(tmp_path):
    path = tmp_path / "syntax.toml"
    path.write_text(SYNTAX)
    p = config_check(path)
    assert p.returncode == 1
    assert p.stderr.decode().startswith(f"{path}:5: "), p.stderr.decode()


@pytest.mark.parametrize("text,expected", [(BROKEN, BROKEN_ISSUES), (SYNTAX, [(5, "")])],
                         ids=["semantic", "syntax"])
def test_serve_refuses_broken_config_quickly(tmp_path, text, expected):
    path = tmp_path / "moat.toml"
    path.write_text(text)
    started = time.monotonic()
    p = subprocess.run([BINARY, "serve", "-c", str(path)], cwd=tmp_path, capture_output=True, timeout=30)
    assert time.monotonic() - started < 10
    assert p.returncode != 0
    assert b"listening on" not in p.stderr + p.stdout
    assert_issues(p.stderr, path, expected)
    assert p.stderr == config_check(path).stderr  # the same messages as `config check`


def test_scan_with_broken_config_is_an_error_not_spam(tmp_path):
    """Exit 1 means spam to a script: a config problem must say 3."""
    path = tmp_path / "broken.toml"
    path.write_text(BROKEN)
    message = tmp_path / "m.eml"
    message.write_bytes(b"Subject: x\r\n\r\nhello\r\n")
    p = subprocess.run([BINARY, "scan", str(message), "-c", str(path)], cwd=REPO,
                       capture_output=True, timeout=60)
    assert p.returncode == 3, p.stderr.decode()
    assert_issues(p.stderr, path, BROKEN_ISSUES)
