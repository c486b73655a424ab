#!/usr/bin/env python3
"""Per-rule hit rates on each folder of the corpus, as a Markdown table for Rules/README.md.

    python3 Tools/accuracy/rule_table.py [--moat BIN] [--corpus DIR] [--prefix MOAT_]

Runs `moat rules rescore --json` with Moat's Rules/ alone (SpamAssassin's rules off, network
off) and prints, for every scored rule whose name starts with --prefix, the share of each
folder's messages it hits, its score in the rule file and the scores Rules/scores/ ships.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moat", default=os.environ.get("MOAT_BINARY", str(accuracy.ROOT / ".build-release/release/moat")))
    ap.add_argument("--corpus", default=str(accuracy.ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--prefix", default="MOAT_")
    ap.add_argument("--rules", default=str(accuracy.ROOT / "Rules"))
    args = ap.parse_args()
    args.folds, args.seed, args.fp_cost = 5, 1, 50
    corpus = Path(args.corpus).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="moat-rule-table-"))
    config = workdir / "moat.toml"
    config.write_text(accuracy.config_text("off", [Path(args.rules)], workdir, None))
    result = accuracy.rescore(args.moat, config, corpus, args)
    folders = [f["folder"] for f in result["folders"]]
    sizes = [len(accuracy.messages(corpus / f)) for f in folders]
    shipped = {}
    scores_file = Path(args.rules) / "scores" / "90_moat_rescored.cf"
    if scores_file.exists():
        for line in scores_file.read_text().splitlines():
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "score":
                shipped[parts[1]] = parts[2:]
    print("| rule | " + " | ".join(folders) + " | in file | shipped (no Bayes / Bayes) |")
    print("|---|" + "---:|" * (len(folders) + 2))
    for rule in sorted(result["rules"], key=lambda r: r["name"]):
        if not rule["name"].startswith(args.prefix):
            continue
        cells = [f"{100.0 * h / n:.1f}%" if h else "0" for h, n in zip(rule["hits"], sizes)]
        fitted = shipped.get(rule["name"])
        fitted_text = f"{fitted[0]} / {fitted[2]}" if fitted and len(fitted) == 4 else (fitted[0] if fitted else "-")
        print(f"| `{rule['name']}` | " + " | ".join(cells) + f" | {rule['in_use']:g} | {fitted_text} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
