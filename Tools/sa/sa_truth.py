#!/usr/bin/env python3
"""SpamAssassin's ground truth for Moat's agreement check (issue 3, "How it is checked").

Starts a private spamd (stock rules from /usr/share/spamassassin, network tests off,
Bayes off, required_score 5.0) on a free loopback port, feeds each message to it with
`spamc -R`, and records per message {file, sha1, score, spam, required, tests: {NAME: points},
seconds}. Results are cached in Tools/sa/cache/<sha1 of the file's bytes>.json, so a message
is only ever run through SpamAssassin once per SETTINGS_VERSION.

    python3 Tools/sa/sa_truth.py [--jobs 2] [--out FILE.jsonl] [PATH...]

PATHs are files or directories (default: /work/shared/corpus). JSON lines go to --out
(or stdout); a summary (verdicts per directory, spamc->spamd throughput) goes to stderr.

The report template is replaced (local.cf: clear_report_template / report ...) so that
`spamc -R` returns exactly one machine-readable line per message:
    MOATSA <_YESNO_> <_SCORE_> <_REQD_> <_TESTSSCORES(,)_>
_TESTSSCORES_ lists the hit rules with their points, without `__` sub-rules (as SA's
`tests=`); T_ (testing) rules appear with their 0.01 points.
"""
import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE_DIR = os.path.join(HERE, "cache")
DEFAULT_CORPUS = "/work/shared/corpus"
RULES_DIR = "/usr/share/spamassassin"
SITE_PRE_DIR = "/etc/spamassassin"  # Debian's *.pre: which plugins are loaded
REQUIRED_SCORE = 5.0
# Bump when anything below changes what SpamAssassin would report; cached records
# with another version are recomputed. 2: one message per spamd child (see Spamd.start).
SETTINGS_VERSION = 2

LOCAL_CF = f"""\
# Written by Tools/sa/sa_truth.py: stock rules, network tests off, Bayes off.
required_score {REQUIRED_SCORE}
use_bayes 0
bayes_auto_learn 0
dns_available no
skip_rbl_checks 1
use_razor2 0
use_pyzor 0
ifplugin Mail::SpamAssassin::Plugin::DCC
use_dcc 0
endif
ifplugin Mail::SpamAssassin::Plugin::AWL
use_auto_whitelist 0
endif
clear_report_template
report MOATSA _YESNO_ _SCORE_ _REQD_ _TESTSSCORES(,)_
"""

LINE_RE = re.compile(r"^MOATSA (Yes|No) (\S+) (\S+) ?(.*)$", re.M)


def list_messages(paths):
    """Files under PATHs, sorted, skipping dotfiles (cmds, READMEs of public corpora)."""
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                out.extend(os.path.join(root, f) for f in sorted(files)
                           if not f.startswith(".") and f != "cmds"
                           and not f.upper().startswith("README"))
        else:
            out.append(p)
    return [os.path.abspath(f) for f in out]


def sha1_of(path):
    with open(path, "rb") as fh:
        return hashlib.sha1(fh.read()).hexdigest()


def cache_path(sha1, cache_dir=CACHE_DIR):
    return os.path.join(cache_dir, sha1 + ".json")


def load_cached(sha1, cache_dir=CACHE_DIR):
    try:
        with open(cache_path(sha1, cache_dir)) as fh:
            rec = json.load(fh)
    except (OSError, ValueError):
        return None
    return rec if rec.get("settings") == SETTINGS_VERSION else None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Spamd:
    """A private spamd on 127.0.0.1:<free port>; stop() kills exactly the process we started."""

    def __init__(self, children=2, log_path=None):
        self.children = children
        self.dir = tempfile.mkdtemp(prefix="moat-spamd-")
        os.chmod(self.dir, 0o755)  # spamd drops to `nobody` when started as root
        self.site = os.path.join(self.dir, "site")
        os.mkdir(self.site)
        for name in sorted(os.listdir(SITE_PRE_DIR)) if os.path.isdir(SITE_PRE_DIR) else []:
            if name.endswith(".pre"):
                shutil.copy(os.path.join(SITE_PRE_DIR, name), self.site)
        with open(os.path.join(self.site, "local.cf"), "w") as fh:
            fh.write(LOCAL_CF)
        for name in os.listdir(self.site):
            os.chmod(os.path.join(self.site, name), 0o644)
        os.chmod(self.site, 0o755)
        self.piddir = os.path.join(self.dir, "run")
        os.mkdir(self.piddir)
        os.chmod(self.piddir, 0o777)
        self.pidfile = os.path.join(self.piddir, "spamd.pid")
        self.log_path = log_path or os.path.join(self.dir, "spamd.log")
        self.port = free_port()
        self.proc = None

    def start(self, timeout=120):
        cmd = ["spamd",
               "--listen", f"127.0.0.1:{self.port}",
               "--allowed-ips", "127.0.0.1",
               "--max-children", str(self.children),
               "--min-children", str(self.children),
               "--min-spare", "1", "--max-spare", str(self.children),
               # A child keeps the first message's capture-rule substitution (%{TAG}) in
               # its compiled rules for every later message (SA 4.0.1): a fresh child per
               # message gives each message its own tags, as `spamassassin -t` does.
               "--max-conn-per-child", "1",
               "--local",                     # -L: no DNS / network tests
               "--nouser-config",             # -x: no ~/.spamassassin/user_prefs
               "--configpath", RULES_DIR,     # the stock rules, nothing from sa-update
               "--siteconfigpath", self.site,
               "--pidfile", self.pidfile,
               "--syslog", "stderr"]
        if os.geteuid() == 0:
            cmd += ["--username", "nobody"]
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"spamd exited with {self.proc.returncode}: {self.log_text()[-3000:]}")
            if "server successfully spawned child" in self.log_text() or \
               "server started on" in self.log_text():
                try:
                    r = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(self.port), "-K"],
                                       capture_output=True, timeout=30)
                    if r.returncode == 0:
                        return self
                except subprocess.TimeoutExpired:
                    pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("spamd did not start: " + self.log_text()[-3000:])

    def log_text(self):
        try:
            with open(self.log_path, "rb") as fh:
                return fh.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()  # spamd's parent kills its own children on SIGTERM
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def parse_report(text):
    m = LINE_RE.search(text)
    if not m:
        raise ValueError("no MOATSA line in spamc output: " + text[:500])
    yesno, score, reqd, tests_s = m.groups()
    tests = {}
    for item in tests_s.strip().split(","):
        if not item or item == "none":
            continue
        name, _, pts = item.partition("=")
        tests[name] = float(pts) if pts else 0.0
    return {"spam": yesno == "Yes", "sa_score": float(score), "required": float(reqd),
            "tests": tests, "score": round(sum(tests.values()), 3)}


def spamc_one(port, path, timeout=300):
    t0 = time.perf_counter()
    with open(path, "rb") as fh:
        r = subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port), "-R", "-x",
                            "-s", str(256 * 1024 * 1024 - 1), "-t", str(timeout)],
                           stdin=fh, capture_output=True, timeout=timeout + 30)
    seconds = time.perf_counter() - t0
    text = r.stdout.decode("utf-8", "replace")
    if r.returncode not in (0, 1):
        raise RuntimeError(f"spamc {path}: exit {r.returncode}: {r.stderr.decode(errors='replace')[:500]}")
    rec = parse_report(text)
    rec["seconds"] = round(seconds, 4)
    return rec


def ensure_truth(files, jobs=2, cache_dir=CACHE_DIR, progress=True, log_copy=None):
    """Return {abs path: record} for FILES, running spamd only for messages not cached.
    Also returns run stats: {'ran': n, 'wall': s} (wall time of the uncached spamc runs)."""
    os.makedirs(cache_dir, exist_ok=True)
    results, todo = {}, []
    for f in files:
        sha1 = sha1_of(f)
        rec = load_cached(sha1, cache_dir)
        if rec is None:
            todo.append((f, sha1))
        else:
            results[f] = dict(rec, file=f)
    stats = {"ran": 0, "wall": 0.0, "cached": len(results)}
    if not todo:
        return results, stats
    spamd = Spamd(children=jobs, log_path=log_copy)
    lock = threading.Lock()
    done = [0]
    try:
        spamd.start()
        t0 = time.perf_counter()

        def work(item):
            f, sha1 = item
            rec = spamc_one(spamd.port, f)
            rec.update(settings=SETTINGS_VERSION, sha1=sha1,
                       size=os.path.getsize(f), name=os.path.basename(f))
            tmp = cache_path(sha1, cache_dir) + f".tmp{threading.get_ident()}"
            with open(tmp, "w") as fh:
                json.dump(rec, fh, sort_keys=True)
            os.replace(tmp, cache_path(sha1, cache_dir))
            with lock:
                done[0] += 1
                if progress and (done[0] % 100 == 0 or done[0] == len(todo)):
                    el = time.perf_counter() - t0
                    print(f"sa_truth: {done[0]}/{len(todo)} in {el:.0f}s "
                          f"({done[0] / el:.2f} msg/s)", file=sys.stderr, flush=True)
            return f, rec

        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for f, rec in pool.map(work, todo):
                results[f] = dict(rec, file=f)
        stats["wall"] = time.perf_counter() - t0
        stats["ran"] = len(todo)
        log = spamd.log_text()
        stats["log_dns_mentions"] = sum(1 for line in log.splitlines()
                                        if re.search(r"\bdns:|timed out|timeout|lookup fail", line, re.I))
    finally:
        spamd.stop()
        spamd.cleanup()
    return results, stats


def percentile(values, q):
    if not values:
        return 0.0
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(q / 100.0 * (len(v) - 1)))))
    return v[k]


def summarize(results, stats, jobs, out=sys.stderr):
    by_dir = {}
    for f, rec in results.items():
        d = os.path.relpath(os.path.dirname(f), DEFAULT_CORPUS) if f.startswith(DEFAULT_CORPUS + os.sep) \
            else os.path.basename(os.path.dirname(f))
        c = by_dir.setdefault(d, [0, 0])
        c[0 if rec["spam"] else 1] += 1
    for d, (spam, ham) in sorted(by_dir.items()):
        n = spam + ham
        print(f"SA verdicts in {d}/: {spam} spam, {ham} ham of {n} ({100.0 * spam / n:.2f}% spam)", file=out)
    secs = [r["seconds"] for r in results.values() if "seconds" in r]
    if secs:
        print(f"spamc->spamd per message: mean {1000 * sum(secs) / len(secs):.0f} ms, "
              f"p50 {1000 * percentile(secs, 50):.0f} ms, p99 {1000 * percentile(secs, 99):.0f} ms "
              f"(single stream => {len(secs) / sum(secs):.2f} msg/s per child)", file=out)
    if stats.get("ran"):
        print(f"this run: {stats['ran']} messages through spamd in {stats['wall']:.1f}s wall with "
              f"{jobs} parallel spamc => {stats['ran'] / stats['wall']:.2f} msg/s; "
              f"{stats['cached']} were cached; spamd log lines about dns/timeouts: "
              f"{stats.get('log_dns_mentions', 0)}", file=out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", default=[DEFAULT_CORPUS])
    ap.add_argument("--jobs", type=int, default=2, help="parallel spamc clients = spamd children")
    ap.add_argument("--out", help="write JSON lines here instead of stdout")
    ap.add_argument("--cache-dir", default=CACHE_DIR)
    ap.add_argument("--spamd-log", help="keep spamd's log here")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    for tool in ("spamd", "spamc"):
        if not shutil.which(tool):
            sys.exit(f"sa_truth: {tool} not found (apt-get install spamassassin spamc)")
    files = list_messages(args.paths)
    results, stats = ensure_truth(files, jobs=args.jobs, cache_dir=args.cache_dir,
                                  progress=not args.quiet, log_copy=args.spamd_log)
    out = open(args.out, "w") if args.out else sys.stdout
    keys = ("file", "score", "spam", "tests", "sa_score", "required", "seconds", "sha1")
    for f in files:
        rec = results[f]
        out.write(json.dumps({k: rec[k] for k in keys if k in rec}, sort_keys=True) + "\n")
    if args.out:
        out.close()
    summarize(results, stats, args.jobs)


if __name__ == "__main__":
    main()
