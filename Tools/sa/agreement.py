"""Counting Moat's agreement with SpamAssassin over a set of messages (no I/O, no printing).

A Tally is built once per folder and once for the whole run from the same per-message
records: {score, tests} from sa_truth.py on SpamAssassin's side, {score, tests,
unimplemented} from `moat scan --json` on Moat's.
"""
import collections
import os

THRESHOLD = 5.0


class Tally:
    """Verdict and rule agreement over some messages; rules Moat does not implement
    (`unimplemented`) are left out of every rule figure."""

    def __init__(self, unimplemented=frozenset()):
        self.unimplemented = unimplemented
        self.n = 0
        self.verdict_same = 0
        self.sa_spam = 0
        self.moat_spam = 0
        self.both = self.sa_only = self.moat_only = 0
        self.rules_seen = set()
        self.per_rule = collections.defaultdict(lambda: [0, 0, 0])  # sa, moat, both
        self.diffs = []          # Moat score - SA score, per message
        self.verdict_diff = []   # files whose verdicts differ

    def add(self, path, sa, moat):
        self.n += 1
        s_spam = sa["score"] >= THRESHOLD
        m_spam = moat["score"] >= THRESHOLD
        self.sa_spam += s_spam
        self.moat_spam += m_spam
        self.diffs.append(moat["score"] - sa["score"])
        if s_spam == m_spam:
            self.verdict_same += 1
        else:
            self.verdict_diff.append(path)
        s_t = {t for t in sa["tests"] if t not in self.unimplemented}
        m_t = {t for t in moat["tests"] if t not in self.unimplemented}
        self.rules_seen |= s_t | m_t
        for t in s_t:
            self.per_rule[t][0] += 1
        for t in m_t:
            self.per_rule[t][1] += 1
        for t in s_t & m_t:
            self.per_rule[t][2] += 1
        self.both += len(s_t & m_t)
        self.sa_only += len(s_t - m_t)
        self.moat_only += len(m_t - s_t)

    @property
    def hit_pairs(self):
        return self.both + self.sa_only + self.moat_only

    @property
    def all_pairs(self):
        return self.n * len(self.rules_seen)

    @property
    def verdict_pct(self):
        return 100.0 * self.verdict_same / self.n if self.n else 0.0

    @property
    def rules_pct(self):
        """Hit-pair agreement: not inflated by the pairs where neither side fires."""
        return 100.0 * self.both / self.hit_pairs if self.hit_pairs else 100.0

    def disagreements(self):
        """[(rule, sa, moat, both)] with at least one disagreeing message, worst first."""
        rows = [(name, a, b, c) for name, (a, b, c) in self.per_rule.items() if a + b - 2 * c]
        return sorted(rows, key=lambda r: (-(r[1] + r[2] - 2 * r[3]), r[0]))


def folder_of(path, roots):
    """The folder a message is reported under: its directory relative to the deepest root
    directory that holds it ("ham", "csdmc2010/spam"), or its own directory's name."""
    directory = os.path.dirname(path)
    best = None
    for root in roots:
        if (directory + os.sep).startswith(root.rstrip(os.sep) + os.sep):
            if best is None or len(root) > len(best):
                best = root
    if best is None:
        return os.path.basename(directory)
    rel = os.path.relpath(directory, best)
    return os.path.basename(best.rstrip(os.sep)) if rel == "." else rel


def tally_by_folder(sa, moat, files, roots, unimplemented):
    """(overall Tally, {folder: Tally}) for FILES, folders in sorted order."""
    overall = Tally(unimplemented)
    folders = {}
    for f in files:
        folder = folder_of(f, roots)
        if folder not in folders:
            folders[folder] = Tally(unimplemented)
        overall.add(f, sa[f], moat[f])
        folders[folder].add(f, sa[f], moat[f])
    return overall, dict(sorted(folders.items()))
