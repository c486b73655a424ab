#!/usr/bin/env python3
"""Moat vs SpamAssassin 4.0.1 on the stock rules (issue 3, "Agreement with SpamAssassin").

Both sides use /usr/share/spamassassin, network tests off, Bayes off, spam at 5.0. By default
every folder of ../shared/corpus (ham, spam, hard_ham, csdmc2010/ham, csdmc2010/spam) is
compared in one run, and every figure is given for the whole run and for each folder.
SpamAssassin's side comes from sa_truth.py (cached per message in Tools/sa/cache/);
Moat's side from `MOAT_BINARY scan --json -c CFG FILE...` in batches.

    python3 Tools/sa/compare.py [--subset N] [--moat BIN] [--require-verdict 99 --require-rules 97] [PATH...]

Figures printed:
  * verdict agreement: same spam/ham decision (score >= 5.0) on both sides;
  * rule agreement over (message, rule) pairs, rules restricted to those Moat implements
    (all rules, minus any Moat reports in an `unimplemented` JSON field). Two figures:
      - "hit pairs": pairs where at least one side hits (both / (both + SA-only + Moat-only));
        this is the figure --require-rules checks, since it is not inflated by the
        millions of pairs where neither side fires;
      - "all pairs": every message x every rule seen hitting on either side (informative);
  * a table per folder (messages, spam verdicts, verdict and hit-pair agreement);
  * the top rules by disagreement, overall and per folder, a histogram of score
    differences (Moat - SA), and every message whose verdict differs.
--require-verdict applies to the whole run and to every folder on its own (a folder of rare
mail cannot hide behind the 2,500 easy ham); --require-rules to the whole run. Exit status is 0 unless a
threshold is given and missed (1), or Moat fails (2).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import agreement  # noqa: E402
import sa_truth  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
THRESHOLD = agreement.THRESHOLD

MOAT_CONFIG = """\
# Written by Tools/sa/compare.py: the stock SpamAssassin rules, network and Bayes off.
[spam]
rules = ["/usr/share/spamassassin"]
spamassassin_rules = "off"
use_network = false

[bayes]
enabled = false

[virus]
# Only Moat's tiny test signatures: loading freshclam's databases per batch costs seconds
# and has nothing to do with the spam engine.
databases = [{clamav}]
"""


def moat_config_text():
    clamav = os.path.join(REPO, "Rules", "clamav")
    return MOAT_CONFIG.format(clamav=json.dumps(clamav))


def default_moat():
    return os.environ.get("MOAT_BINARY") or os.path.join(REPO, ".build", "release", "moat")


def pick_subset(files, n):
    """A fixed, deterministic subset: every k-th file of the sorted list (ham and spam
    in proportion), so CI always checks the same messages."""
    files = sorted(files)
    if not n or n >= len(files):
        return files
    step = len(files) / float(n)
    return [files[int(i * step)] for i in range(n)]


def write_config(path=None):
    fd, path = tempfile.mkstemp(prefix="moat-sa-", suffix=".toml") if path is None else (None, path)
    with (os.fdopen(fd, "w") if fd is not None else open(path, "w")) as fh:
        fh.write(moat_config_text())
    return path


class MoatError(RuntimeError):
    pass


STOCK_RULES = "/usr/share/spamassassin"


def moat_unimplemented(moat):
    """Rules Moat cannot run on the stock set (`moat rules lint --unimplemented`): excluded
    from the rule agreement, as the issue asks (agreement "for rules Moat implements")."""
    r = subprocess.run([moat, "rules", "lint", "--unimplemented", "-c", write_config(), STOCK_RULES],
                       capture_output=True, timeout=300)
    return {line.strip() for line in r.stdout.decode().splitlines() if line.strip()}


def run_moat(moat, files, batch=300, config=None):
    """{abs path: {score, spam, tests: set, unimplemented: set}} from `moat scan --json`."""
    cfg = config or write_config()
    out = {}
    try:
        for i in range(0, len(files), batch):
            chunk = files[i:i + batch]
            r = subprocess.run([moat, "scan", "--json", "-c", cfg] + chunk,
                               capture_output=True, timeout=600 + 2 * len(chunk))
            got = 0
            for line in r.stdout.decode("utf-8", "replace").splitlines():
                line = line.strip()
                if not line.startswith("{"):
                    continue
                obj = json.loads(line)
                path = os.path.abspath(obj["file"])
                tests = obj.get("tests") or []
                if isinstance(tests, dict):
                    tests = list(tests)
                out[path] = {
                    "score": float(obj.get("score", 0.0)),
                    "tests": {t for t in tests if not t.startswith("__")},
                    "unimplemented": set(obj.get("unimplemented") or []),
                }
                got += 1
            # exit 0/1/2 are verdicts; 3 means an error for some file or the whole run
            if got == 0:
                raise MoatError(f"moat scan exited {r.returncode} with no results: "
                                f"{r.stderr.decode('utf-8', 'replace')[-2000:]}")
    finally:
        if config is None:
            os.unlink(cfg)
    return out


def fmt_pct(a, b):
    return f"{a}/{b} = {100.0 * a / b:.2f}%" if b else f"{a}/0 = n/a"


def histogram(diffs):
    edges = [(-1e9, -5), (-5, -2), (-2, -1), (-1, -0.5), (-0.5, -0.1), (-0.1, -0.0005),
             (-0.0005, 0.0005), (0.0005, 0.1), (0.1, 0.5), (0.5, 1), (1, 2), (2, 5), (5, 1e9)]
    labels = ["< -5", "-5..-2", "-2..-1", "-1..-0.5", "-0.5..-0.1", "-0.1..0", "exactly 0",
              "0..0.1", "0.1..0.5", "0.5..1", "1..2", "2..5", "> 5"]
    counts = [0] * len(edges)
    for d in diffs:
        for i, (lo, hi) in enumerate(edges):
            if lo <= d < hi:
                counts[i] += 1
                break
    return list(zip(labels, counts))


def compare(sa, moat, files, top=30, out=sys.stdout, roots=(sa_truth.DEFAULT_CORPUS,), folder_top=10):
    """Print the report (the whole run, then each folder); return (overall Tally,
    {folder: Tally}, missing files)."""
    p = lambda *a: print(*a, file=out)  # noqa: E731
    missing = [f for f in files if f not in moat]
    files = [f for f in files if f in moat]
    unimpl = set()
    for f in files:
        unimpl |= moat[f]["unimplemented"]
    roots = [os.path.abspath(r) for r in roots if os.path.isdir(r)]
    total, folders = agreement.tally_by_folder(sa, moat, files, roots, frozenset(unimpl))
    n = total.n

    p(f"Moat vs SpamAssassin 4.0.1, stock rules, network off, Bayes off, spam at {THRESHOLD}")
    p(f"messages compared: {n}" + (f" ({len(missing)} missing from Moat's output)" if missing else ""))
    p(f"spam verdicts: SpamAssassin {total.sa_spam}, Moat {total.moat_spam}")
    p(f"verdict agreement: {fmt_pct(total.verdict_same, n)}")
    p(f"rule agreement (hit pairs, rules Moat implements): {fmt_pct(total.both, total.hit_pairs)}  "
      f"[both {total.both}, SA-only {total.sa_only}, Moat-only {total.moat_only}]")
    p(f"rule agreement (all pairs: {n} messages x {len(total.rules_seen)} rules): "
      f"{fmt_pct(total.all_pairs - total.sa_only - total.moat_only, total.all_pairs)}")
    if unimpl:
        p(f"excluded as unimplemented by Moat ({len(unimpl)}): {', '.join(sorted(unimpl))}")

    p("")
    p("per folder:")
    p(f"{'folder':<18}{'msgs':>6}{'SA spam':>9}{'Moat spam':>11}{'verdict agreement':>26}"
      f"{'hit-pair agreement':>28}")
    for name, t in folders.items():
        p(f"{name:<18}{t.n:>6}{t.sa_spam:>9}{t.moat_spam:>11}"
          f"{fmt_pct(t.verdict_same, t.n):>26}{fmt_pct(t.both, t.hit_pairs):>28}")

    p("")
    p(f"top {top} rules by disagreement:")
    p(f"{'rule':<34}{'SA':>6}{'Moat':>6}{'both':>6}{'SA-only':>9}{'Moat-only':>10}")
    for name, a, b, c in total.disagreements()[:top]:
        p(f"{name:<34}{a:>6}{b:>6}{c:>6}{a - c:>9}{b - c:>10}")
    for folder, t in folders.items():
        rows = t.disagreements()[:folder_top]
        p("")
        p(f"{folder}: top {folder_top} rules by disagreement" + ("" if rows else ": none"))
        for name, a, b, c in rows:
            p(f"  {name:<32}{a:>6}{b:>6}{c:>6}{a - c:>9}{b - c:>10}")

    p("")
    p("score difference (Moat - SA):")
    for label, cnt in histogram(total.diffs):
        p(f"  {label:>12}: {cnt:>6} {'#' * min(60, cnt * 60 // max(1, n))}")

    p("")
    p(f"messages with different verdicts ({len(total.verdict_diff)}):")
    for f in total.verdict_diff:
        s, m = sa[f], moat[f]
        s_t, m_t = set(s["tests"]), m["tests"]
        rel = agreement.folder_of(f, roots) + "/" + os.path.basename(f)
        p(f"  {rel}: SA {s['score']:.3f} Moat {m['score']:.3f}; "
          f"SA-only [{','.join(sorted(s_t - m_t))}] Moat-only [{','.join(sorted(m_t - s_t))}]")
    return total, folders, missing


def summary_json(total, folders, missing):
    def figures(t):
        return {"n": t.n, "verdict_same": t.verdict_same, "verdict_pct": t.verdict_pct,
                "both": t.both, "sa_only": t.sa_only, "moat_only": t.moat_only,
                "rules_pct": t.rules_pct, "verdict_diff": t.verdict_diff}
    return dict(figures(total), missing=missing,
                folders={name: figures(t) for name, t in folders.items()})


def shortfalls(total, folders, require_verdict, require_rules):
    """Every figure below its threshold: verdict agreement for the whole run and for each
    folder on its own; rule agreement for the whole run (a folder of a small --subset has
    a handful of hit pairs, where one rule decides the percentage)."""
    failed = []
    for label, t in [("all", total)] + list(folders.items()):
        if require_verdict is not None and t.verdict_pct < require_verdict:
            failed.append(f"{label}: verdict agreement {t.verdict_pct:.2f}% < {require_verdict}%")
    if require_rules is not None and total.rules_pct < require_rules:
        failed.append(f"all: rule agreement {total.rules_pct:.2f}% < {require_rules}%")
    return failed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", default=[sa_truth.DEFAULT_CORPUS])
    ap.add_argument("--subset", type=int, default=0, help="fixed deterministic subset of N messages")
    ap.add_argument("--moat", default=default_moat(), help="moat binary (default $MOAT_BINARY or .build/release/moat)")
    ap.add_argument("--batch", type=int, default=300, help="messages per `moat scan` process")
    ap.add_argument("--jobs", type=int, default=2, help="spamd children for uncached ground truth")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--require-verdict", type=float, help="minimum verdict agreement, percent")
    ap.add_argument("--require-rules", type=float, help="minimum rule (hit-pair) agreement, percent")
    ap.add_argument("--json-out", help="also write the summary figures as JSON here")
    args = ap.parse_args(argv)

    files = pick_subset(sa_truth.list_messages(args.paths), args.subset)
    if not files:
        sys.exit("compare: no messages")
    sa, stats = sa_truth.ensure_truth(files, jobs=args.jobs)
    if stats["ran"]:
        sa_truth.summarize({f: sa[f] for f in files}, stats, args.jobs)
    if not os.access(args.moat, os.X_OK):
        print(f"compare: moat binary {args.moat} not found (make release, or set MOAT_BINARY)", file=sys.stderr)
        return 2
    try:
        moat = run_moat(args.moat, files, batch=args.batch)
        skipped = moat_unimplemented(args.moat)
        for entry in moat.values():
            entry["unimplemented"] |= skipped
    except MoatError as e:
        print(f"compare: {e}", file=sys.stderr)
        return 2
    total, folders, missing = compare(sa, moat, files, top=args.top, roots=args.paths)
    if args.json_out:
        with open(args.json_out, "w") as fh:
            json.dump(summary_json(total, folders, missing), fh, indent=1)
    failed = shortfalls(total, folders, args.require_verdict, args.require_rules)
    if failed:
        print("\nFAILED: " + "; ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
