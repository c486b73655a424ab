"""Scripts that are wrong for a documented reason, with that reason.

They are reported as skipped with the reason, never edited or deleted. Empty:
Dovecot 2.3 passes or legitimately skips every script in the data.
"""
KNOWN_WRONG = {}
