"""The spam engine from the command line, as an admin drives it: rules lint, learn, scan."""
import json
import subprocess

import pytest

from harness.moat import BINARY, REPO

CORPUS = REPO.parent / "shared" / "corpus"


def moat(*args, config, check=True):
    p = subprocess.run([BINARY, *map(str, args), "-c", str(config)], capture_output=True, timeout=600, cwd=REPO)
    if check and p.returncode not in (0, 1):
        raise AssertionError(f"moat {args} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "moat.toml"
    path.write_text(f"""[spam]
rules = ['{REPO / "Rules"}']
use_network = false
cache_directory = '{tmp_path / "cache"}'
[bayes]
database = '{tmp_path / "bayes.sqlite"}'
min_ham = 20
min_spam = 20
autolearn = false
[virus]
databases = ['{REPO / "Rules" / "clamav"}']
""")
    return path


def corpus(kind, n):
    files = sorted(p for p in (CORPUS / kind).iterdir() if p.is_file())
    if len(files) < n:
        pytest.skip(f"no corpus in {CORPUS}")
    return files[:n]


def test_rules_lint_project_rules_is_clean(config):
    p = moat("rules", "lint", REPO / "Rules", config=config)
    out = p.stdout.decode()
    assert p.returncode == 0, out
    assert "0 errors" in out and "loaded" in out and "body" in out


def test_rules_lint_reports_file_and_line(tmp_path, config):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "10_bad.cf").write_text("body OK_RULE /fine/\nbody BAD_RULE /unterminated(/\nfrobnicate yes\n")
    p = moat("rules", "lint", rules, config=config, check=False)
    out = p.stdout.decode()
    assert p.returncode == 1, out
    assert f"{rules / '10_bad.cf'}:2: error" in out, out
    assert f"{rules / '10_bad.cf'}:3: warning" in out, out


def test_learn_then_scan_uses_bayes(config):
    spam, ham = corpus("spam", 30), corpus("ham", 30)
    out = moat("learn", "--spam", *spam, config=config).stdout.decode()
    assert "Learned tokens from 30 message(s)" in out, out
    moat("learn", "--ham", *ham, config=config)
    again = moat("learn", "--ham", *ham, config=config).stdout.decode()
    assert "Learned tokens from 0 message(s)" in again, again
    stats = moat("learn", "--stats", config=config).stdout.decode()
    assert "30" in stats and "ntokens" in stats.lower(), stats
    target = corpus("spam", 40)[35]
    line = json.loads(moat("scan", "--json", target, config=config).stdout.decode().splitlines()[0])
    assert any(t.startswith("BAYES_") for t in line["tests"]), line


def test_scan_explain_lists_rules_with_points(config):
    p = subprocess.run([BINARY, "scan", "--explain", "-", "-c", str(config)], cwd=REPO, capture_output=True,
                       input=b"Subject: test\r\n\r\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\r\n",
                       timeout=120)
    out = p.stdout.decode()
    assert p.returncode == 1, out + p.stderr.decode()
    assert "Content analysis details:" in out and "required)" in out
    assert "1000.0 GTUBE" in out
