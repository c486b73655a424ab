"""A runner for Dovecot imaptest's scripted IMAP conformance tests.

The scripts (../shared/imaptest/tests) are data; this package interprets them
against a running IMAP server: `python3 runner.py --help`, or `runner.run(...)`
from a test. Python 3 standard library only.
"""
