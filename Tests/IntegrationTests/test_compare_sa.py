"""Moat agrees with SpamAssassin 4.0.1 on the stock rules (issue 3, "How it is checked").

Runs Tools/sa/compare.py on a fixed subset of 60 messages of ../shared/corpus. SpamAssassin's
verdicts come from Tools/sa/cache/ or, when missing, from a private spamd started on the fly
(a few seconds). Thresholds: verdict >= 99%, rule hit pairs >= 97%.
"""
import os
import shutil
import subprocess
import sys

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TOOLS = os.path.join(REPO, "Tools", "sa")
sys.path.insert(0, TOOLS)
import compare  # noqa: E402
import sa_truth  # noqa: E402

SUBSET = 60


def moat_binary():
    return os.environ.get("MOAT_BINARY") or os.path.join(REPO, ".build", "debug", "moat")


@pytest.fixture(scope="module")
def moat():
    binary = moat_binary()
    if not os.access(binary, os.X_OK):
        pytest.skip(f"moat binary not built: {binary}")
    for tool in ("spamd", "spamc"):
        if not shutil.which(tool):
            pytest.skip(f"{tool} missing (Debian packages spamassassin, spamc)")
    if not os.path.isdir(sa_truth.DEFAULT_CORPUS):
        pytest.skip(f"corpus {sa_truth.DEFAULT_CORPUS} missing")
    return binary


def test_compare_with_spamassassin_on_subset(moat, tmp_path, capsys):
    # Does `moat scan` take the stock-rules config at all? Until the [spam] rules /
    # use_network and [bayes] keys exist, the comparison cannot run.
    cfg = compare.write_config(str(tmp_path / "moat-sa.toml"))
    probe = os.path.join(sa_truth.DEFAULT_CORPUS, "ham")
    probe = os.path.join(probe, sorted(os.listdir(probe))[0])
    r = subprocess.run([moat, "scan", "--json", "-c", cfg, probe], capture_output=True, timeout=300)
    if r.returncode == 3 or not r.stdout.strip().startswith(b"{"):
        pytest.xfail("moat scan does not yet run the stock SpamAssassin rules with "
                     "[spam] rules/use_network and [bayes] enabled: "
                     + r.stderr.decode("utf-8", "replace").strip()[:400])

    status = compare.main(["--subset", str(SUBSET), "--moat", moat,
                           "--require-verdict", "99", "--require-rules", "97"])
    report = capsys.readouterr().out
    assert status == 0, report
