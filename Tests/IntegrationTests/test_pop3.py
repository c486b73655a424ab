"""POP3 end to end: `moat serve` with [mx] and [pop3] on, mail delivered by the MX, read
with Python's poplib (plain from loopback, STLS, POP3S), logins against the directory with
Dovecot's penalty, UIDLs in Dovecot's format on a Maildir that Dovecot made. Only loopback;
ports picked at run time."""
import os
import poplib
import re
import shutil
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from harness import MoatMX


def message(n):
    return (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: message {n}\r\n"
            f"Message-ID: <m{n}@example.org>\r\n\r\nLine one of {n}.\r\n.starts with a dot\r\nlast line\r\n").encode()


class POP3MX(MoatMX):
    """MoatMX with POP3 on both listeners; `pop3_port`, `pop3s_port` from the log."""

    def __init__(self, pop3=None, **sections):
        settings = {"enabled": True, "listen": "127.0.0.1:0", "listen_tls": "127.0.0.1:0"}
        settings.update(pop3 or {})
        super().__init__(pop3=settings, **sections)
        self.config_path.write_text(self.config_path.read_text()
                                    + f"[pop3.tls]\ncertificate = '{self.certificate}'\nkey = '{self.key}'\n")

    def start(self, timeout=60):
        offset = len(self.log_text())
        super().start(timeout)
        log = self.log_text()[offset:]
        self.pop3_port = int(re.search(r"POP3 listening on 127\.0\.0\.1:(\d+)", log).group(1))
        self.pop3s_port = int(re.search(r"POP3S listening on 127\.0\.0\.1:(\d+)", log).group(1))
        return self

    def send(self, *messages, to="alice@example.com"):
        with smtplib.SMTP("127.0.0.1", self.mx_port, timeout=30) as s:
            for body in messages:
                s.sendmail("sender@example.org", [to], body)
        self.delivered(to, count=len(messages))


@pytest.fixture
def pop3mx():
    with POP3MX(auth={"penalty": "200ms", "penalty_max": "800ms"}) as m:
        m.add_user("alice@example.com", password="sesame")
        yield m


def login(m, password="sesame"):
    client = poplib.POP3("127.0.0.1", m.pop3_port, timeout=10)
    client.user("alice@example.com")
    client.pass_(password)
    return client


def test_capa_user_pass_list_uidl_retr_dele(pop3mx):
    pop3mx.send(message(1), message(2))
    client = poplib.POP3("127.0.0.1", pop3mx.pop3_port, timeout=10)
    assert client.getwelcome() == b"+OK ready."
    capa = client.capa()
    for name in ("TOP", "UIDL", "RESP-CODES", "PIPELINING", "USER", "SASL", "STLS"):
        assert name in capa, capa
    client.user("alice@example.com")
    assert client.pass_("sesame") == b"+OK Logged in."
    count, size = client.stat()
    _, listing, _ = client.list()
    sizes = [int(line.split()[1]) for line in listing]
    assert count == 2 and sum(sizes) == size
    _, uidls, _ = client.uidl()
    assert [u.split()[0] for u in uidls] == [b"1", b"2"]
    assert all(re.fullmatch(rb"[0-9a-f]{16}", u.split()[1]) for u in uidls), uidls
    _, lines, octets = client.retr(1)
    # poplib undoes the dot-stuffing; the size announced is the size sent.
    assert lines[-3:] == [b"Line one of 1.", b".starts with a dot", b"last line"]
    assert b"Subject: message 1" in lines and b"Delivered-To: alice@example.com" in lines
    assert sum(len(l) + 2 for l in lines) == sizes[0]
    _, top, _ = client.top(2, 1)
    assert top[-1] == b"Line one of 2." and b"last line" not in top
    client.dele(2)
    with pytest.raises(poplib.error_proto, match="deleted"):
        client.retr(2)
    client.quit()

    client = login(pop3mx)
    assert client.stat()[0] == 1
    assert client.uidl()[1] == [uidls[0]], "the UIDL stays across sessions"
    client.quit()
    cur = list((pop3mx.maildir("alice@example.com") / "cur").iterdir())
    assert len(cur) == 1 and cur[0].name.endswith(":2,S"), cur  # retrieved: \Seen, as Dovecot
    assert pop3mx.wait_for_log(r"pop3-login: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.1")


def test_rset_and_a_dropped_connection_delete_nothing(pop3mx):
    pop3mx.send(message(1))
    client = login(pop3mx)
    client.dele(1)
    client.rset()
    client.quit()
    client = login(pop3mx)
    client.dele(1)
    client.sock.close()  # no QUIT: no UPDATE state (RFC 1939 §6)
    time.sleep(0.3)
    client = login(pop3mx)
    assert client.stat()[0] == 1
    client.quit()


def test_stls_and_pop3s(pop3mx):
    pop3mx.send(message(1))
    context = ssl.create_default_context(cafile=str(pop3mx.certificate))
    context.check_hostname = False
    client = poplib.POP3("127.0.0.1", pop3mx.pop3_port, timeout=10)
    client.stls(context)
    assert "STLS" not in client.capa()
    client.user("alice@example.com")
    client.pass_("sesame")
    assert client.stat()[0] == 1
    client.quit()
    secure = poplib.POP3_SSL("127.0.0.1", pop3mx.pop3s_port, context=context, timeout=10)
    assert secure.getwelcome() == b"+OK ready."
    assert "STLS" not in secure.capa()
    secure.user("alice@example.com")
    secure.pass_("sesame")
    assert secure.stat()[0] == 1
    secure.quit()
    assert pop3mx.wait_for_log(r"pop3-login: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.1, "
                               r"lip=127\.0\.0\.1, TLS")


def test_plaintext_is_refused_off_the_secured_networks():
    """With loopback not trusted, a password needs TLS first: no USER in CAPA, -ERR [AUTH]."""
    with POP3MX(auth={"secured_networks": []}) as m:
        m.add_user("alice@example.com", password="sesame")
        client = poplib.POP3("127.0.0.1", m.pop3_port, timeout=10)
        capa = client.capa()
        assert "USER" not in capa and "SASL" not in capa and "STLS" in capa
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Plaintext authentication disallowed"):
            client.user("alice@example.com")
        context = ssl.create_default_context(cafile=str(m.certificate))
        context.check_hostname = False
        client.stls(context)
        client.user("alice@example.com")
        assert client.pass_("sesame") == b"+OK Logged in."
        client.quit()


def test_failed_logins_are_delayed_then_disconnected_and_logged_for_fail2ban(pop3mx):
    client = poplib.POP3("127.0.0.1", pop3mx.pop3_port, timeout=10)
    elapsed = []
    for attempt in range(3):
        client.user("alice@example.com")
        started = time.monotonic()
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Authentication failed"):
            client.pass_("wrong")
        elapsed.append(time.monotonic() - started)
    # The penalty grows per failure from this address: 0, 200 ms, 400 ms (configured small).
    assert elapsed[1] >= 0.18 and elapsed[2] >= 0.38, elapsed
    with pytest.raises((poplib.error_proto, EOFError, OSError)):
        client.noop()  # sent away after the third
    pop3mx.wait_for_log(r"pop3-login: Disconnected \(auth failed, 3 attempts\): user=<alice@example\.com>, "
                        r"method=PLAIN, rip=127\.0\.0\.1,")
    # The right password, after the penalty, still works (no lockout of the owner).
    login(pop3mx).quit()


def test_access_per_user_and_sessions_per_user_and_address():
    with POP3MX(pop3={"max_user_connections": 2}) as m:
        m.add_user("alice@example.com", password="sesame")
        first, second = login(m), login(m)
        with pytest.raises(poplib.error_proto, match=r"\[IN-USE\]"):
            login(m)
        first.quit()
        login(m).quit()
        second.quit()
        m.cli("user", "access", "alice@example.com", "--pop3", "off")
        with pytest.raises(poplib.error_proto, match=r"\[AUTH\] Authentication failed"):
            login(m)


def test_sasl_plain_and_bad_input(pop3mx):
    with socket.create_connection(("127.0.0.1", pop3mx.pop3_port), timeout=10) as sock:
        stream = sock.makefile("rwb")
        assert stream.readline() == b"+OK ready.\r\n"
        stream.write(b"X" * 5000 + b"\r\nNOOP\r\nAUTH PLAIN AGFsaWNlQGV4YW1wbGUuY29tAHNlc2FtZQ==\r\nSTAT\r\n")
        stream.flush()
        assert stream.readline() == b"-ERR Input line too long.\r\n"
        assert stream.readline() == b"+OK\r\n"
        assert stream.readline() == b"+OK Logged in.\r\n"
        assert stream.readline() == b"+OK 0 0\r\n"
        stream.write(b"RETR 1\r\nRETR x\r\nQUIT\r\n")
        stream.flush()
        assert stream.readline() == b"-ERR There's no message 1.\r\n"
        assert stream.readline() == b"-ERR Invalid message number: x\r\n"
        assert stream.readline() == b"+OK Logging out.\r\n"


DOVEADM = shutil.which("doveadm")


@pytest.mark.skipif(DOVEADM is None, reason="doveadm (dovecot-core) is not installed")
def test_uidls_match_what_dovecot_would_give_on_its_own_maildir():
    """A Maildir Dovecot wrote (dovecot-uidlist): Moat keeps its UIDs and UIDVALIDITY, so
    its UIDLs are Dovecot's default %08Xu%08Xv ones and a migrated client downloads nothing twice."""
    with POP3MX() as m:
        m.add_user("alice@example.com", password="sesame")
        # Dovecot writes the Maildir in a directory of its own, then it moves under Moat's mail
        # root. doveadm refuses mail access as root: a run as root lends the tree to nobody.
        owner = (65534, 65534) if os.getuid() == 0 else (os.getuid(), os.getgid())
        tmp_path = Path(tempfile.mkdtemp(prefix="moat-dovecot-"))
        os.chmod(tmp_path, 0o755)
        maildir = tmp_path / "Maildir"
        maildir.mkdir()
        config = tmp_path / "dovecot.conf"
        config.write_text(f"mail_location = maildir:{maildir}\nlog_path = {tmp_path}/dovecot.log\n"
                          f"base_dir = {tmp_path}/run\nssl = no\nmail_uid = {owner[0]}\nmail_gid = {owner[1]}\n"
                          f"first_valid_uid = {owner[0]}\nfirst_valid_gid = {owner[1]}\n"
                          "namespace inbox {\n  inbox = yes\n  separator = .\n}\n")
        for path in (tmp_path, *tmp_path.rglob("*")):
            os.chown(path, *owner)

        def doveadm(*args, input=None):
            # No -u: doveadm skips the userdb and uses USER, HOME and mail_location.
            done = subprocess.run([DOVEADM, "-c", str(config), *args], input=input, capture_output=True, timeout=30,
                                  env={"HOME": str(tmp_path), "USER": "moat-test", "PATH": "/usr/bin:/bin"})
            assert done.returncode == 0, done.stderr
            return done.stdout.decode()

        for n in range(1, 4):
            doveadm("save", input=message(n))
        doveadm("expunge", "mailbox", "INBOX", "uid", "2")
        uidvalidity = int(re.search(r"uidvalidity=(\d+)", doveadm("-f", "flow", "mailbox", "status", "uidvalidity",
                                                                   "INBOX")).group(1))
        uids = [int(v) for v in re.findall(r"uid=(\d+)", doveadm("-f", "flow", "fetch", "uid", "mailbox", "INBOX", "all"))]
        assert uids == [1, 3]
        home = m.maildir("alice@example.com")
        home.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(maildir, home)
        if os.getuid() == 0:
            for path in (home, *home.rglob("*")):
                os.chown(path, 0, 0)
        shutil.rmtree(tmp_path)
        client = login(m)
        got = [line.split()[1].decode() for line in client.uidl()[1]]
        client.quit()
        assert got == [f"{uid:08x}{uidvalidity:08x}" for uid in uids]


def test_plaintext_pipelined_behind_stls_is_not_read(pop3mx):
    """STLS with USER/PASS pipelined in the clear behind it (CVE-2011-0411's pattern): after
    the handshake the server has read nothing of them."""
    sock = socket.create_connection(("127.0.0.1", pop3mx.pop3_port), timeout=10)
    stream = sock.makefile("rb")
    assert stream.readline() == b"+OK ready.\r\n"
    sock.sendall(b"STLS\r\nUSER alice@example.com\r\nPASS sesame\r\n")
    assert stream.readline().startswith(b"+OK Begin TLS")
    context = ssl.create_default_context(cafile=str(pop3mx.certificate))
    context.check_hostname = False
    secure = context.wrap_socket(sock, server_hostname="mx.example.test")
    secure.sendall(b"STAT\r\n")
    reply = secure.recv(4096)
    assert reply.startswith(b"-ERR"), reply  # not logged in: the injected USER/PASS were dropped
    secure.sendall(b"QUIT\r\n")
    secure.close()
