"""Reload (SIGHUP and `moat reload`): the configuration, rules and certificates are read
again and swapped in whole; a reload that fails keeps what runs; a session in progress
finishes on the state it began with; a listener whose address changed is bound anew."""
import re
import signal
import socket
import ssl
import subprocess

import pytest

from harness import Moat, MoatMX
from harness.mail import message
from harness.net import RawClient, send

RULE = "body MOAT_RELOAD_MARK /reloadmarker/\ndescribe MOAT_RELOAD_MARK reload test\nscore MOAT_RELOAD_MARK {score}\n"
MARKED = message("reload", body="This carries the reloadmarker word.\n")


def spam_score(data):
    m = re.search(rb"^X-Spam-Score: (-?[\d.]+)", data, re.M)
    assert m, data[:2000]
    return float(m.group(1))


@pytest.fixture
def reloadable(tmp_path, smtp_sink):
    """A moat whose only rule file is its own, scoring the marker 0.5."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "local.cf").write_text(RULE.format(score=0.5))
    moat = Moat(smtp_sink.port, spam={"tag_level": -9999, "rules": [str(rules)], "use_network": False})
    moat.start()
    yield moat, rules / "local.cf", smtp_sink
    moat.stop()


def reload_and_wait(moat, *, via_cli=False, outcome="reloaded"):
    """Asks for a reload and waits for the log line saying how it ended."""
    seen = len(re.findall(r"\] (reloaded|reload failed)", moat.log_text()))
    if via_cli:
        p = moat.cli("reload")
        assert re.search(r"moat serve \(pid \d+\) reloading", p.stdout.decode()), p.stdout
    else:
        moat.proc.send_signal(signal.SIGHUP)
    ends = moat.wait_for_log(r"\] (reloaded|reload failed)", count=seen + 1)
    assert ends[seen] == outcome, moat.log_text()[-3000:]


def test_sighup_changes_the_next_verdict_while_a_session_in_progress_finishes_on_the_old_rules(reloadable):
    moat, rule_file, sink = reloadable
    assert spam_score(deliver(moat, sink, 1)) == pytest.approx(0.5, abs=0.01)

    # A session that is half-way through its message when the rules change.
    client = RawClient(moat.port)
    assert client.reply()[0] == 220
    assert client.cmd("EHLO client.example.test")[0] == 250
    assert client.cmd("MAIL FROM:<sender@example.org>")[0] == 250
    assert client.cmd("RCPT TO:<rcpt@example.com>")[0] == 250
    assert client.cmd("DATA")[0] == 354
    body = MARKED.replace(b"\n", b"\r\n")
    client.send(body[: len(body) // 2])

    rule_file.write_text(RULE.format(score=20))
    reload_and_wait(moat)

    client.send(body[len(body) // 2:] + b".\r\n")
    assert client.reply()[0] == 250
    client.cmd("QUIT")
    sink.wait_for(2)
    assert spam_score(sink.messages[1].data) == pytest.approx(0.5, abs=0.01), "the old session used the new rules"

    # The next message is judged by the new rules: spam now.
    data = deliver(moat, sink, 3)
    assert spam_score(data) >= 20
    assert re.search(rb"^X-Spam-Flag: YES", data, re.M)


def test_a_bad_reload_keeps_the_running_rules_and_says_where(reloadable):
    moat, rule_file, sink = reloadable
    rule_file.write_text(RULE.format(score=20))
    reload_and_wait(moat, via_cli=True)

    # A rule that does not compile: the whole new set is refused, at its file:line.
    rule_file.write_text(RULE.format(score=0.5) + "body MOAT_BROKEN /unclosed(/\n")
    reload_and_wait(moat, outcome="reload failed")
    assert re.search(rf"reload: {re.escape(str(rule_file))}:4: invalid regexp", moat.log_text())
    assert spam_score(deliver(moat, sink, 1)) >= 20

    # A configuration that does not parse: `moat reload` says so itself and signals nothing.
    good = moat.config_path.read_text()
    moat.config_path.write_text(good + "[spam]\ntag_level = \n")
    p = moat.cli("reload", check=False)
    assert p.returncode == 1 and b"moat.toml:" in p.stderr, p.stderr
    # Sent anyway (SIGHUP), the server refuses it and goes on.
    reload_and_wait(moat, outcome="reload failed")
    assert spam_score(deliver(moat, sink, 2)) >= 20

    # No rules at all: refused, as at start-up (GTUBE would pass).
    moat.config_path.write_text(good)
    rule_file.write_text("# nothing\n")
    reload_and_wait(moat, outcome="reload failed")
    assert "no rules in" in moat.log_text()
    assert spam_score(deliver(moat, sink, 3)) >= 20
    assert moat.proc.poll() is None


def test_rule_errors_the_running_rules_already_had_do_not_block_reloads(tmp_path, smtp_sink):
    """Start-up skips a rule that does not compile (SpamAssassin's way); a reload is refused
    only for a rule error the running rules did not have, or no site whose stock rules hold
    one such rule could ever reload."""
    rules = tmp_path / "rules"
    rules.mkdir()
    broken = "body MOAT_OLD_BROKEN /unclosed(/\n"
    (rules / "local.cf").write_text(RULE.format(score=0.5) + broken)
    moat = Moat(smtp_sink.port, spam={"tag_level": -9999, "rules": [str(rules)], "use_network": False})
    moat.start()
    try:
        assert "invalid regexp for MOAT_OLD_BROKEN" in moat.log_text()
        (rules / "local.cf").write_text(RULE.format(score=20) + broken)
        reload_and_wait(moat)
        assert spam_score(deliver(moat, smtp_sink, 1)) >= 20
        (rules / "local.cf").write_text(RULE.format(score=0.5) + broken + "body MOAT_NEW_BROKEN /also(/\n")
        reload_and_wait(moat, outcome="reload failed")
        assert "invalid regexp for MOAT_NEW_BROKEN" in moat.log_text()
        assert spam_score(deliver(moat, smtp_sink, 2)) >= 20
    finally:
        moat.stop()


def test_reload_rebinds_a_listener_whose_address_changed(reloadable):
    moat, _, sink = reloadable
    old_port = moat.port
    text = moat.config_path.read_text()
    # Another loopback address, port picked by the kernel.
    moat.config_path.write_text(text.replace("listen = '127.0.0.1:0'", "listen = '127.0.0.2:0'"))
    reload_and_wait(moat)
    new_port = int(moat.wait_for_log(r"filter now listening on 127\.0\.0\.2:(\d+)")[0])
    code, _ = send("sender@example.org", "rcpt@example.com", MARKED, new_port, host="127.0.0.2")
    assert code == 250
    sink.wait_for(1)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", old_port), timeout=5)


def test_restart_only_settings_are_named_and_kept(reloadable):
    moat, _, sink = reloadable
    text = moat.config_path.read_text()
    moat.config_path.write_text(text.replace("[quarantine]\n", "[quarantine]\nmax_age = '7d'\n"))
    reload_and_wait(moat)
    assert re.search(r"reload: \[quarantine\] changed: it takes effect at the next restart", moat.log_text())


def test_a_reload_asked_for_as_soon_as_moat_listens_is_done_not_fatal(tmp_path, smtp_sink):
    """The harness returns when moat logs its port: a SIGHUP (or `moat reload`) sent at once
    must find the signal handled (SIGHUP's default would kill it) and the pid file written."""
    for via_cli in (False, True):
        moat = Moat(smtp_sink.port)
        moat.start()
        try:
            reload_and_wait(moat, via_cli=via_cli)
            assert moat.proc.poll() is None
        finally:
            moat.stop()


def test_moat_reload_without_a_running_server_fails(tmp_path):
    moat = Moat(1, base_dir=tmp_path)
    p = moat.cli("reload", check=False)
    assert p.returncode == 1 and b"no pid file" in p.stderr, p.stderr
    # A pid file left by a crash names a process that is not moat.
    (tmp_path / "var").mkdir(exist_ok=True)
    (tmp_path / "var" / "moat.pid").write_text("1\n")
    p = moat.cli("reload", check=False)
    assert p.returncode == 1 and b"stale pid file" in p.stderr, p.stderr


def test_reload_reads_a_new_certificate_for_starttls():
    with MoatMX() as moat:
        before = served_certificate(moat)
        assert before == ssl.PEM_cert_to_DER_cert(moat.certificate.read_text())
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=renewed.example.test", "-keyout", str(moat.key), "-out", str(moat.certificate)],
                       check=True, capture_output=True, timeout=60)
        reload_and_wait(moat)
        after = served_certificate(moat)
        assert after != before
        assert after == ssl.PEM_cert_to_DER_cert(moat.certificate.read_text())

        # Half a pair (a key that is not the certificate's): refused, the old pair stays.
        subprocess.run(["openssl", "genrsa", "-out", str(moat.key), "2048"], check=True, capture_output=True, timeout=60)
        reload_and_wait(moat, outcome="reload failed")
        assert re.search(r"reload: .*\[mx\.tls\] key: .*does not go with the certificate", moat.log_text())
        assert served_certificate(moat) == after


def served_certificate(moat):
    client = RawClient(moat.mx_port)
    assert client.reply()[0] == 220
    assert client.cmd("EHLO client.example.test")[0] == 250
    assert client.cmd("STARTTLS")[0] == 220
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    client.tls(context, "mx.example.test")
    der = client.sock.getpeercert(binary_form=True)
    client.close()
    return der


def deliver(moat, sink, count):
    code, _ = send("sender@example.org", "rcpt@example.com", MARKED, moat.port)
    assert code == 250
    sink.wait_for(count)
    return sink.messages[count - 1].data
