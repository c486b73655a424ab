#!/usr/bin/env python3
"""Suggest rule scores from the TRAINING half of the corpus only (even file index).

Scans the training half with Rules/ (rules only, Bayes off) to get each message's rule
hits, then runs a coordinate ascent over a score grid maximizing

    sum over spam of min(score, required + 1)
      - ham-weight * sum over ham of max(0, score - ham-ceiling)

with every score in [0, min(--max-score, 0.4 + 0.04 * training spam hits)] and rules that hit more than --noisy percent of
training ham capped at --noisy-cap. The ham ceiling (default 3.0) is a margin well below
required_score so the scores hold up on unseen ham. Prints `score NAME value` lines for
the rules whose suggested score differs; applying them is a manual step (review them!).
Verify with accuracy.py, which reports the untouched test half.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import accuracy  # noqa: E402

GRID = [0.01, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0, 1.2, 1.5, 1.8, 2.0, 2.5, 3.0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--moat", default=str(accuracy.ROOT / ".build-release/release/moat"))
    ap.add_argument("--rules", default=str(accuracy.ROOT / "Rules"))
    ap.add_argument("--corpus", default=str(accuracy.ROOT.parent / "shared" / "corpus"))
    ap.add_argument("--required", type=float, default=5.0)
    ap.add_argument("--ham-ceiling", type=float, default=3.0)
    ap.add_argument("--ham-weight", type=float, default=10.0)
    ap.add_argument("--max-score", type=float, default=3.0)
    ap.add_argument("--noisy", type=float, default=1.0, help="%% of training ham above which a rule is capped")
    ap.add_argument("--noisy-cap", type=float, default=0.5)
    ap.add_argument("--passes", type=int, default=4)
    args = ap.parse_args()

    rules = Path(args.rules).resolve()
    corpus = Path(args.corpus).resolve()
    ham, _ = accuracy.split(corpus / "ham")
    spam, _ = accuracy.split(corpus / "spam")
    tmp = Path(tempfile.mkdtemp(prefix="moat-tune-"))
    cfg = tmp / "rules-only.toml"
    accuracy.write_config(cfg, rules, False, tmp / "unused.sqlite", tmp / "cache", args.required)
    h = accuracy.scan(args.moat, cfg, ham)
    s = accuracy.scan(args.moat, cfg, spam)
    ham_hits = [set(h[str(f)]["tests"]) for f in ham]
    spam_hits = [set(s[str(f)]["tests"]) for f in spam]

    current = accuracy.rule_scores(rules)
    names = sorted({n for hits in ham_hits + spam_hits for n in hits if n in current and not n.startswith("__")
                    and not n.startswith("BAYES_") and n != "GTUBE"})
    fixed = {n: v[0] for n, v in current.items() if n not in names}
    score = {n: current[n][0] for n in names}
    ham_count = {n: sum(n in x for x in ham_hits) for n in names}
    spam_count = {n: sum(n in x for x in spam_hits) for n in names}

    def total(hits: set[str]) -> float:
        return sum(score.get(n, fixed.get(n, 0.0)) for n in hits)

    # Piecewise-linear (hinge) objective: spam gains up to required+1 points each, ham above
    # the ceiling costs ham_weight per point. Smoother than counting verdicts, so scores
    # spread over many rules instead of a few overfitted ones.
    def objective() -> float:
        gain = sum(min(total(x), args.required + 1.0) for x in spam_hits)
        loss = sum(max(0.0, total(x) - args.ham_ceiling) for x in ham_hits)
        return gain - args.ham_weight * loss

    best = objective()
    for _ in range(args.passes):
        improved = False
        for n in names:
            # Little evidence, little score: the cap grows with the rule's training spam hits.
            cap = min(args.max_score, 0.4 + 0.04 * spam_count[n])
            if 100.0 * ham_count[n] / len(ham) > args.noisy:
                cap = min(cap, args.noisy_cap)
            keep = score[n]
            for v in GRID:
                if v > cap:
                    break
                score[n] = v
                o = objective()
                if o > best + 1e-9:
                    best, keep, improved = o, v, True
            score[n] = keep
        if not improved:
            break

    caught = sum(total(x) >= args.required for x in spam_hits)
    bad = sum(total(x) >= args.ham_ceiling for x in ham_hits)
    fp = sum(total(x) >= args.required for x in ham_hits)
    print(f"# training half: spam >= {args.required}: {caught}/{len(spam)}; ham >= {args.ham_ceiling}: {bad}; "
          f"ham >= {args.required}: {fp}/{len(ham)}")
    for n in names:
        if abs(score[n] - current[n][0]) > 1e-9:
            print(f"score {n} {score[n]}   # was {current[n][0]}; train ham {ham_count[n]}, "
                  f"spam {sum(n in x for x in spam_hits)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
