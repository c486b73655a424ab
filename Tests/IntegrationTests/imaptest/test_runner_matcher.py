"""The runner against a canned server: a reply that matches the script passes, and
each kind of mismatch fails (so a broken server cannot pass by accident)."""
import textwrap
import time

import pytest

from imaptest.executor import FAIL, PASS, SKIP, Settings
from imaptest.fake_server import FakeServer
from imaptest.runner import run

MBOX = "From user@domain  Fri Feb 22 17:06:23 2008\nFrom: a@b.c\nSubject: s1\n\nbody1\n\n"


def run_one(tmp_path, script, handler, *, timeout=5.0, capabilities="IMAP4rev1 LITERAL+ ID", **kw):
    """Write script as tests/t, serve handler's replies, return (result, server)."""
    d = tmp_path / "tests"
    d.mkdir(exist_ok=True)
    (d / "default.mbox").write_text(MBOX)
    (d / "t").write_text(textwrap.dedent(script).lstrip("\n"))
    with FakeServer(handler, capabilities=capabilities, **kw) as server:
        settings = Settings("127.0.0.1", server.port, "u", "p", command_timeout=timeout, script_timeout=3 * timeout)
        report = run(settings, str(d))
    assert len(report.results) == 1
    return report.results[0], server


def replies(table):
    """A handler from {command: [lines]}; other commands get the defaults."""
    return lambda command, bodies: table.get(command)


FETCH_SCRIPT = """
    state: nonauth

    ok fetch 1 (uid flags)
    * 1 fetch (uid $uid flags (\\seen))
    ok fetch 1 uid
    * 1 fetch (uid $uid)
    """


def test_unordered_fetch_with_recent_and_bound_variable_passes(tmp_path):
    result, _ = run_one(tmp_path, FETCH_SCRIPT, replies({
        "fetch 1 (uid flags)": ["* 1 FETCH (FLAGS (\\Recent \\Seen) UID 7)", "{tag} OK done"],
        "fetch 1 uid": ["* 1 FETCH (UID 7)", "{tag} OK done"]}))
    assert result.status == PASS, result


def test_extra_flag_fails(tmp_path):
    result, _ = run_one(tmp_path, FETCH_SCRIPT, replies({
        "fetch 1 (uid flags)": ["* 1 FETCH (FLAGS (\\Seen \\Flagged) UID 7)", "{tag} OK done"],
        "fetch 1 uid": ["* 1 FETCH (UID 7)", "{tag} OK done"]}))
    assert result.status == FAIL
    assert "Missing 1 untagged" in result.reason and result.line == 3
    assert "\\Flagged" in result.got


def test_variable_must_keep_its_first_value(tmp_path):
    result, _ = run_one(tmp_path, FETCH_SCRIPT, replies({
        "fetch 1 (uid flags)": ["* 1 FETCH (FLAGS (\\Seen) UID 7)", "{tag} OK done"],
        "fetch 1 uid": ["* 1 FETCH (UID 8)", "{tag} OK done"]}))
    assert result.status == FAIL and result.line == 5
    assert "uid 7" in result.expected.lower()


def test_must_not_reply_that_comes_fails(tmp_path):
    script = """
        state: nonauth

        ok noop
        ! 1 expunge
        """
    result, _ = run_one(tmp_path, script, replies({"noop": ["* 1 EXPUNGE", "{tag} OK done"]}))
    assert result.status == FAIL and "Unexpected untagged match" in result.reason


def test_wrong_tagged_status_and_unexpected_bad_fail(tmp_path):
    script = """
        state: nonauth

        no select nosuchbox
        """
    result, _ = run_one(tmp_path, script, replies({}))  # default: OK
    assert result.status == FAIL and result.reason == "Expected tagged reply"
    script = """
        state: nonauth

        "" select nosuchbox
        """
    result, _ = run_one(tmp_path, script, replies({"select nosuchbox": ["{tag} BAD what"]}))
    assert result.status == FAIL and result.reason == "BAD reply"


def test_tagged_prefix_with_resp_code_variables(tmp_path):
    script = """
        state: nonauth

        ok uid copy 1 elsewhere
        ok [copyuid $uidv 1 $dest]
        ok uid fetch $dest uid
        """
    seen = {}

    def handler(command, bodies):
        if command == "uid copy 1 elsewhere":
            return ["{tag} OK [COPYUID 99 1 42] Copy completed (0.001 + 0.000 secs)."]
        if command.startswith("uid fetch"):
            seen["fetch"] = command
            return ["{tag} OK done"]
        return None

    # Method 2: the command on one line, its tagged reply on the next.
    script = script.replace("ok uid copy 1 elsewhere", "uid copy 1 elsewhere")
    result, _ = run_one(tmp_path, script, handler)
    assert result.status == PASS, result
    assert seen["fetch"] == "uid fetch 42 uid"


def test_extra_untagged_fails_only_when_the_script_says_so(tmp_path):
    script = """
        state: nonauth
        ignore_extra_untagged: {flag}

        ok noop
        * 3 exists
        """
    handler = replies({"noop": ["* 3 EXISTS", "* 1 RECENT", "{tag} OK done"]})
    result, _ = run_one(tmp_path, script.replace("{flag}", "yes"), handler)
    assert result.status == PASS, result
    result, _ = run_one(tmp_path, script.replace("{flag}", "no"), handler)
    assert result.status == FAIL and "unexpected untagged" in result.reason and "RECENT" in result.got


def test_ban_directive(tmp_path):
    script = """
        state: nonauth

        ok list "" x
        * list ($!unordered $!ban=\\noselect) "." x
        """
    result, _ = run_one(tmp_path, script, replies({'list "" x': ['* LIST (\\HasNoChildren) "." x', "{tag} OK"]}))
    assert result.status == PASS, result
    result, _ = run_one(tmp_path, script, replies({'list "" x': ['* LIST (\\Noselect) "." x', "{tag} OK"]}))
    assert result.status == FAIL


def test_relative_sequences_follow_expunges(tmp_path):
    # After "* 1 EXPUNGE", the message that was 3 is now 2: `$3` must mean 2.
    script = """
        state: nonauth

        ok select box
        ok expunge
        * $1 expunge
        * $3 expunge
        """
    handler = replies({"select box": ["* 5 EXISTS", "{tag} OK [READ-WRITE] done"],
                       "expunge": ["* 1 EXPUNGE", "* 2 EXPUNGE", "{tag} OK done"]})
    result, _ = run_one(tmp_path, script, handler)
    assert result.status == PASS, result
    handler = replies({"select box": ["* 5 EXISTS", "{tag} OK [READ-WRITE] done"],
                       "expunge": ["* 1 EXPUNGE", "* 3 EXPUNGE", "{tag} OK done"]})
    result, _ = run_one(tmp_path, script, handler)
    assert result.status == FAIL


def test_multiline_literal_waits_for_continuation_and_matches_content(tmp_path):
    script = """
        state: nonauth

        ok append box {{{
        hello

        }}}
        ok fetch 1 body[text]
        * 1 fetch (body[text] {{{
        body


        }}})
        """
    got = {}

    def handler(command, bodies):
        if command.startswith("append"):
            got["body"] = bodies
            return None
        if command == "fetch 1 body[text]":
            return ["* 1 FETCH (BODY[TEXT] {8}", "body\r\n\r\n)", "{tag} OK"]
        return None

    result, server = run_one(tmp_path, script, handler, capabilities="IMAP4rev1")
    assert result.status == PASS, result
    # As imaptest: lines end in CRLF, except the last line before }}} (here the empty one).
    assert got["body"] == ["hello\r\n"]
    assert not server.early_literal_data


def test_missing_capability_skips(tmp_path):
    script = """
        capabilities: ID CONDSTORE
        state: nonauth

        ok noop
        """
    result, _ = run_one(tmp_path, script, replies({}), capabilities="IMAP4rev1 ID")
    assert result.status == SKIP and result.reason == "server lacks CONDSTORE"


def test_silent_server_fails_within_the_timeout(tmp_path):
    script = """
        state: nonauth

        ok noop
        """
    started = time.monotonic()
    result, _ = run_one(tmp_path, script, replies({"noop": []}), timeout=1.0)
    assert result.status == FAIL and "timed out" in result.reason
    assert time.monotonic() - started < 5


def test_hostile_literal_size_fails_at_once(tmp_path):
    script = """
        state: nonauth

        ok fetch 1 body[]
        """
    started = time.monotonic()
    result, _ = run_one(tmp_path, script, replies({"fetch 1 body[]": ["* 1 FETCH (BODY[] {99999999999}"]}))
    assert result.status == FAIL and "limit" in result.reason
    assert time.monotonic() - started < 5


def test_set_up_appends_the_mbox_messages_with_their_dates(tmp_path):
    script = """
        messages: 2

        ok noop
        """
    result, server = run_one(tmp_path, script, replies({}))
    assert result.status == PASS, result
    appends = [c for c in server.commands if c.startswith("APPEND")]
    assert len(appends) == 2  # one message in the mbox: read again from its start
    assert appends[0].startswith('APPEND "imaptest" "22-Feb-2008 17:06:23 ')
    assert appends[0].endswith(" {37+}\r\nFrom: a@b.c\r\nSubject: s1\r\n\r\nbody1")  # the server strips the final CRLFs
    assert server.commands[:3] == ['LOGIN "u" "p"', "CAPABILITY", 'LIST "" "imaptest*"']
    assert 'SELECT "imaptest"' in server.commands


def test_only_loopback(tmp_path):
    with pytest.raises(ValueError):
        run(Settings("192.0.2.1", 143, "u", "p"), str(tmp_path))
