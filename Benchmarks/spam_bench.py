#!/usr/bin/env python3
"""Spam engine speed: Moat (release `spam-bench`) against spamc -> spamd on the same corpus.

Prints, for Moat's own Rules/ and for SpamAssassin's stock rules: messages/s and ms/message
(p50/p99) single-threaded and on all cores, and the compiled rule set's memory; then times
one spamc stream against a private spamd (1 child, same settings as compare-sa: network and
Bayes off) and prints the single-core throughput ratio. Figures only; nothing is asserted.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tools", "sa"))
import sa_truth  # noqa: E402

CORPUS = os.path.join(os.path.dirname(ROOT), "shared", "corpus")
STOCK = "/usr/share/spamassassin"


def moat_run(binary, rules):
    out = subprocess.run([binary, "--rules", rules, os.path.join(CORPUS, "ham"), os.path.join(CORPUS, "spam")],
                         capture_output=True, text=True, timeout=1800, cwd=ROOT)
    if out.returncode != 0:
        sys.exit(f"spam-bench failed: {out.stderr}")
    print(out.stdout, end="")
    single = re.search(r"1 thread: .*= +([\d.]+) msg/s", out.stdout)
    return float(single.group(1)) if single else None


def spamd_run(files):
    """One spamc at a time against a one-child spamd: SpamAssassin's single-core rate."""
    spamd = sa_truth.Spamd(children=1)
    spamd.start()
    try:
        for path in files[:10]:  # warm up
            sa_truth.spamc_one(spamd.port, path)
        times = []
        t0 = time.perf_counter()
        for path in files:
            times.append(sa_truth.spamc_one(spamd.port, path)["seconds"] * 1000)
        wall = time.perf_counter() - t0
    finally:
        spamd.stop()
    times.sort()
    rate = len(files) / wall
    print(f"spamc -> spamd (1 child): {len(files)} messages in {wall:.2f} s = {rate:.1f} msg/s, "
          f"p50 {statistics.median(times):.1f} ms, p99 {times[int(0.99 * (len(times) - 1))]:.1f} ms")
    return rate


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "spam-bench"))
    ap.add_argument("--spamd-messages", type=int, default=300,
                    help="messages timed through spamd (every k-th of the corpus)")
    args = ap.parse_args()
    print(f"spam engine benchmark: {os.cpu_count()} cores, corpus {CORPUS}")
    print("-- Moat, Rules/ (project rules)")
    moat_run(args.binary, os.path.join(ROOT, "Rules"))
    if not os.path.isdir(STOCK):
        print("-- SpamAssassin's stock rules are not installed: skipped")
        return
    print("-- Moat, SpamAssassin 4.0.1 stock rules (network and Bayes off)")
    moat_rate = moat_run(args.binary, STOCK)
    files = sa_truth.list_messages([CORPUS])
    step = max(1, len(files) // args.spamd_messages)
    print("-- SpamAssassin 4.0.1, stock rules, same messages subset")
    sa_rate = spamd_run(files[::step][:args.spamd_messages])
    if moat_rate and sa_rate:
        print(f"single-core throughput ratio Moat / SpamAssassin: {moat_rate / sa_rate:.1f}x")


if __name__ == "__main__":
    main()
