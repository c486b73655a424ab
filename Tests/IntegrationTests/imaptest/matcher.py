"""Matching a server's reply against a script's expected reply, as imaptest does.

Rules (dovecot/imaptest src/test-exec.c, release-2.3):
- strings compare case-insensitively (ASCII only) and as C strings: up to the
  first NUL, which is what the scripts were validated against (append-binary
  expects a 6-byte literal8 beside BINARY.SIZE 7; it passes on imaptest, and
  here, only because the value starts with a NUL);
- `$name` binds to what the server sent the first time it is met, and must equal
  it afterwards; `$` matches anything, a whole list too; `$N` (digits) is the
  current sequence number of the message that was N when the group started;
- a list starting with `$!` directives is matched unordered / without extras /
  with ignored or banned extra elements; otherwise element by element;
- a status reply (OK/NO/BAD/BYE) and a tagged reply match as a prefix: the
  human-readable text after the expected words is free.
"""
import sys

from imaptest.imapargs import List, Nil, astring, atom

MATCHED = sys.maxsize  # "everything matched"; a smaller count says how far it got

_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def fold(s):
    """ASCII-only case folding, as C's toupper in the C locale."""
    return s.translate(_UPPER)


def cstr(s):
    """The string as C code sees it: up to the first NUL."""
    i = s.find("\0")
    return s if i < 0 else s[:i]


def _is_var_char(c):
    return c.isascii() and (c.isalnum() or c == "_")


class Variables:
    """$variables of one script run, with undo of bindings made by a failed match."""

    def __init__(self, initial=None):
        self.values = dict(initial or {})
        self.added = []

    def get(self, name):
        return self.values.get(name)

    def bind(self, name, value):
        self.values[name] = value
        self.added.append(name)

    def checkpoint(self):
        self.added = []

    def revert(self):
        for name in self.added:
            self.values.pop(name, None)
        self.added = []


class SequenceMap:
    """Initial sequence number -> current one while EXPUNGEs arrive in a group."""

    def __init__(self, count=0):
        self.seqs = list(range(1, count + 1))

    def current(self, seq):
        if seq == 0:
            return "<zero seq>"
        if seq > len(self.seqs):
            return "<out of range>"
        if self.seqs[seq - 1] == 0:
            return "<expunged>"
        return str(self.seqs[seq - 1])

    def expunge(self, seq):
        if seq < 1 or seq > len(self.seqs):
            return  # beyond the initial count: came after an EXISTS
        for i in range(seq - 1, len(self.seqs)):
            if self.seqs[i] == seq:
                self.seqs[i] = 0
            elif self.seqs[i] > seq:
                self.seqs[i] -= 1


class UninitializedVariable(LookupError):
    pass


class Matcher:
    def __init__(self, variables, seqmap):
        self.vars = variables
        self.seqmap = seqmap

    # -- expansion of commands --------------------------------------------------

    def expand(self, text, skip_uninitialized=False):
        """Expand $variables in a command (imaptest's test_expand_all).

        Raises UninitializedVariable for a variable nothing has bound yet.
        """
        out = []
        i, n = 0, len(text)
        while i < n:
            c = text[i]
            if c != "$" or i == n - 1:
                out.append(c)
                i += 1
                continue
            i += 1
            if text[i] == "$":
                out.append("$")
                i += 1
            elif text[i] == "!":  # a directive: not sent
                while i + 1 < n and text[i + 1] != " ":
                    i += 1
                i += 1
            else:
                name, i = self._var_name(text, i)
                if name is None:
                    raise UninitializedVariable("Missing '}'")
                value = self._lookup(name)
                if value is None:
                    if not skip_uninitialized:
                        raise UninitializedVariable(f"Uninitialized variable: {name}")
                    value = "$"
                out.append(value)
        return "".join(out)

    def _var_name(self, text, i):
        if text[i] == "{":
            close = text.find("}", i + 1)
            if close < 0:
                return None, len(text)
            return text[i + 1:close], close + 1
        j = i
        while j < len(text) and _is_var_char(text[j]):
            j += 1
        return text[i:j], j

    def _lookup(self, name):
        if name.isdigit() and name.isascii():
            return self.seqmap.current(int(name))
        return self.vars.get(name) if name else None

    # -- matching ---------------------------------------------------------------

    def expand_input(self, pattern, given):
        """Match one expected string with $variables against a given string,
        binding unbound variables; returns the expanded pattern, or None on a
        mismatch found on the way (imaptest's test_expand_input)."""
        out = []
        i = j = 0
        n = len(pattern)
        while i < n:
            c = pattern[i]
            if c != "$" or pattern[i + 1:i + 2] == "$":
                if c == "$":
                    i += 1
                    c = pattern[i]
                if j >= len(given) or fold(c) != fold(given[j]):
                    return None
                out.append(c)
                i += 1
                j += 1
                continue
            name, i = self._var_name(pattern, i + 1)
            if name is None:
                return ""
            value = self._lookup(name)
            if value is None:
                # Unbound: take the input up to the next character the pattern expects.
                rest = pattern[i:]
                if rest.startswith("$"):
                    rest = self.expand_input(rest, given[j:]) or ""
                stop = fold(rest[0]) if rest else None
                k = j
                while k < len(given) and fold(given[k]) != stop:
                    k += 1
                value = given[j:k]
                if name:
                    self.vars.bind(name, value)
            out.append(value)
            if given[j:j + len(value)] != value:
                return None
            j += len(value)
        return "".join(out)

    def match_args(self, match, args, limit=None, prefix=False):
        """Match expected args against given ones; MATCHED or how many matched."""
        count = 0
        remaining = len(match) if limit is None else min(limit, len(match))
        for mi in range(remaining):
            m = match[mi]
            a = args[mi] if mi < len(args) else None
            if isinstance(m, Nil):
                if not isinstance(a, Nil):
                    return count
            elif isinstance(m, List):
                if not isinstance(a, List):
                    return count
                sub = self.match_list(m.items, a.items)
                if sub != MATCHED:
                    return count + sub
            elif not (m.value == "$" and isinstance(a, List)):
                given = astring(a)
                if given is None:
                    return count
                given = cstr(given)
                expected = self.expand_input(cstr(m.value), given)
                if expected is None:
                    return count
                if prefix and mi == len(match) - 1:
                    if not fold(given).startswith(fold(expected)):
                        return count
                elif fold(given) != fold(expected):
                    return count
            count += 1
        if prefix or len(args) <= remaining or (limit is not None and remaining == limit):
            return MATCHED
        return count

    def match_list(self, match, args):
        unordered, chain, noextra = False, 1, None
        ignores, bans = [], []
        while match and (atom(match[0]) or "").startswith("$!"):
            d = atom(match[0])[2:]
            match = match[1:]
            if d.startswith("unordered"):
                unordered = True
                if noextra is None:
                    noextra = False
                if d.startswith("unordered="):
                    chain = max(1, int(d[10:] or 1))
            elif d == "ordered":
                unordered = False
            elif d == "extra":
                noextra = False
            elif d == "noextra":
                noextra = True
            elif d.startswith("ignore="):
                ignores.append(fold(d[7:]))
            elif d.startswith("ban="):
                bans.append(fold(d[4:]))
        if noextra is None:
            noextra = True
        if not unordered:
            return self.match_args(match, args)
        if len(args) % chain:
            return 0
        matched = set()
        found = 0
        for mi in range(0, len(match), chain):
            hit = next((i for i in range(0, len(args), chain)
                        if self.match_args(match[mi:], args[i:], limit=chain) == MATCHED), None)
            if hit is None:
                return found
            matched.add(hit)
            found += 1
        for i in range(0, len(args), chain):
            if i in matched:
                continue
            word = astring(args[i])
            if word is None:
                continue
            if noextra and fold(word) not in ignores:
                return found
            if not noextra and fold(word) in bans:
                return found
        return MATCHED
