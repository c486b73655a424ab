"""IMAP end to end: `moat serve` with the MX and [imap] on, mail delivered by the MX, read and
managed with Python's imaplib (plain from loopback, STARTTLS, IMAPS). Only loopback; ports
picked at run time."""
import imaplib
import os
import re
import smtplib
import socket
import ssl
import threading
import time

import pytest

from harness import MailboxMX


def message(n, subject=None):
    return (f"From: Sender <sender@example.org>\r\nTo: alice@example.com\r\nSubject: {subject or f'message {n}'}\r\n"
            f"Message-ID: <m{n}@example.org>\r\n\r\nBody of {n}.\r\n").encode()


def deliver(m, *bodies, to="alice@example.com", count=None):
    with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
        for body in bodies:
            s.sendmail("sender@example.org", [to], body)


@pytest.fixture
def imap_mx():
    with MailboxMX(auth={"penalty": "200ms", "penalty_max": "800ms"}) as m:
        m.add_user("alice@example.com", password="sesame")
        yield m


def login(m, user="alice@example.com", password="sesame"):
    client = imaplib.IMAP4("127.0.0.1", m.imap_port, timeout=10)
    client.login(user, password)
    return client


def test_capabilities_login_and_default_mailboxes(imap_mx):
    client = imaplib.IMAP4("127.0.0.1", imap_mx.imap_port, timeout=10)
    assert client.welcome.startswith(b"* OK [CAPABILITY IMAP4rev1 IMAP4rev2 ")
    before = client.capabilities
    assert "STARTTLS" in before and "AUTH=PLAIN" in before and "IDLE" in before and "UIDPLUS" not in before
    typ, data = client.login("alice@example.com", "sesame")
    assert typ == "OK" and b"UIDPLUS" in data[0] and b"MOVE" in data[0] and b"APPENDLIMIT=" in data[0]
    typ, listing = client.list()
    names = {re.search(rb'"\." (.+)$', line).group(1).decode(): line for line in listing}
    assert set(names) == {"INBOX", "Drafts", "Junk", "Quarantine", "Sent", "Trash"}
    assert b"\\Sent" in names["Sent"] and b"\\Junk" in names["Junk"] and b"\\HasNoChildren" in names["INBOX"]
    typ, subscribed = client.lsub()
    assert {re.search(rb'"\." (.+)$', l).group(1).decode() for l in subscribed} == {"Drafts", "Junk", "Quarantine", "Sent", "Trash"}
    assert client.namespace()[1] == [b'(("" ".")) NIL NIL']
    client.logout()
    imap_mx.wait_for_log(r"imap-login: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.1")


def test_delivered_mail_select_status_store_expunge(imap_mx):
    deliver(imap_mx, message(1), message(2), message(3))
    imap_mx.delivered("alice@example.com", count=3)
    client = login(imap_mx)
    typ, data = client.select("INBOX")
    assert typ == "OK" and data == [b"3"]
    assert client.untagged_responses.get("UIDVALIDITY") and client.untagged_responses.get("PERMANENTFLAGS")
    assert client.status("INBOX", "(MESSAGES UNSEEN UIDNEXT)")[1] == [b"INBOX (MESSAGES 3 UNSEEN 3 UIDNEXT 4)"]
    assert client.store("2", "+FLAGS", "(\\Deleted \\Seen $Important)")[0] == "OK"
    typ, data = client.expunge()
    assert typ == "OK" and data == [b"2"]
    assert client.status("INBOX", "(MESSAGES UNSEEN)")[1] == [b"INBOX (MESSAGES 2 UNSEEN 2)"]
    typ, data = client.uid("STORE", "3", "+FLAGS", "(\\Flagged)")
    # \Recent: this session was the first shown the message (IMAP4rev1).
    assert typ == "OK" and data == [b"2 (UID 3 FLAGS (\\Flagged \\Recent))"]
    client.logout()
    # Flags reach the Maildir names, so other readers see them.
    names = sorted(p.name for p in (imap_mx.maildir("alice@example.com") / "cur").iterdir())
    assert len(names) == 2 and names[1].endswith(":2,F"), names


def test_create_rename_delete_append_copy_move(imap_mx):
    deliver(imap_mx, message(1))
    imap_mx.delivered("alice@example.com")
    client = login(imap_mx)
    typ, data = client.append("Nowhere", None, None, message(9))
    assert typ == "NO" and b"[TRYCREATE]" in data[0]
    assert client.create("Projects/2024".replace("/", "."))[0] == "OK"
    assert client.create("Entwürfe".encode("utf-7").replace(b"+", b"&").decode())[0] == "OK"
    typ, data = client.append("Projects.2024", "(\\Seen)", None, message(9, "appended"))
    assert typ == "OK" and re.search(rb"\[APPENDUID \d+ 1\]", data[0]), data
    client.select("INBOX")
    typ, data = client.copy("1", "Projects.2024")
    assert typ == "OK" and re.search(rb"\[COPYUID \d+ 1 2\]", data[0]), data
    typ, data = client._simple_command("MOVE", "1", "Archive")
    assert typ == "NO"
    client.create("Archive")
    typ, data = client._simple_command("MOVE", "1", "Archive")
    assert typ == "OK"
    assert client.status("INBOX", "(MESSAGES)")[1] == [b"INBOX (MESSAGES 0)"]
    assert client.status("Archive", "(MESSAGES)")[1] == [b"Archive (MESSAGES 1)"]
    assert client.rename("Projects", "Work")[0] == "OK"
    assert client.status("Work.2024", "(MESSAGES)")[1] == [b"Work.2024 (MESSAGES 2)"]
    typ, listing = client.list('""', "Work*")
    assert [l.split()[-1] for l in listing] == [b"Work", b"Work.2024"]
    assert client.delete("Work.2024")[0] == "OK"
    assert client.delete("INBOX")[0] == "NO"
    client.logout()
    assert (imap_mx.maildir("alice@example.com") / ".Entw&APw-rfe" / "cur").is_dir()


def idle(client):
    """Puts an imaplib session into IDLE; returns its tag."""
    tag = client._new_tag()
    client.send(tag + b" IDLE\r\n")
    assert client.readline().startswith(b"+ ")
    return tag


def test_idle_sees_a_delivery_within_a_second(imap_mx):
    client = login(imap_mx)
    client.select("INBOX")
    tag = idle(client)
    started = time.monotonic()
    deliver(imap_mx, message(1))
    client.sock.settimeout(10)
    line = client.readline()
    assert line == b"* 1 EXISTS\r\n", line
    assert time.monotonic() - started < 3
    assert client.readline() == b"* 1 RECENT\r\n"
    client.send(b"DONE\r\n")
    assert client.readline().startswith(tag + b" OK")
    client.logout()


def two_sessions_on_two_messages(m):
    """Two logged-in sessions with INBOX selected, two messages delivered into it."""
    deliver(m, message(1), message(2))
    m.delivered("alice@example.com", count=2)
    first, second = login(m), login(m)
    first.select("INBOX")
    second.select("INBOX")
    return first, second


def test_idle_sees_another_sessions_flags_expunges_and_appends_within_a_second(imap_mx):
    idler, other = two_sessions_on_two_messages(imap_mx)
    tag = idle(idler)
    idler.sock.settimeout(10)
    for command, expected in [
            (lambda: other.store("2", "+FLAGS.SILENT", "(\\Flagged)"), b"* 2 FETCH (FLAGS (\\Flagged \\Recent))\r\n"),
            (lambda: (other.store("1", "+FLAGS.SILENT", "(\\Deleted)"), other.expunge()), b"* 1 EXPUNGE\r\n"),
            (lambda: other.append("INBOX", None, None, message(3)), b"* 2 EXISTS\r\n")]:
        started = time.monotonic()
        command()
        line = idler.readline()
        assert line == expected, line
        assert time.monotonic() - started < 1.5
        if expected.endswith(b"EXISTS\r\n"):
            assert idler.readline() == b"* 2 RECENT\r\n"
    idler.send(b"DONE\r\n")
    assert idler.readline().startswith(tag + b" OK")
    idler.logout()
    other.logout()


def inotify_watches(pid):
    """Watches held by the process's inotify descriptors (from /proc/<pid>/fdinfo)."""
    count = 0
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == "anon_inode:inotify":
                with open(f"/proc/{pid}/fdinfo/{fd}") as info:
                    count += sum(1 for l in info if l.startswith("inotify wd:"))
        except FileNotFoundError:
            continue
    return count


def test_idle_gives_back_its_watches_and_descriptors_on_every_way_out(imap_mx):
    deliver(imap_mx, message(1))
    imap_mx.delivered("alice@example.com")
    pid = imap_mx.proc.pid

    def idling(folder="INBOX"):
        client = login(imap_mx)
        client.select(folder)
        return client, idle(client)

    def done(client, tag):
        client.send(b"DONE\r\n")
        assert client.readline().startswith(tag + b" OK")
        client.logout()

    def hang_up(client, tag):
        client.sock.close()

    def logout_without_done(client, tag):
        # The line that is not DONE ends IDLE with a BAD and is not run (Dovecot: "Expected DONE").
        client.send(b"x LOGOUT\r\n")
        assert client.readline().startswith(tag + b" BAD")
        client.send(b"y LOGOUT\r\n")
        assert client.readline().startswith(b"* BYE")

    def folder_deleted(client, tag):
        other = login(imap_mx)
        assert other.delete("Doomed")[0] == "OK"
        other.logout()
        assert client.readline().startswith(b"* BYE Selected mailbox was deleted")

    def settled():
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            if inotify_watches(pid) == 0:
                break
            time.sleep(0.05)
        return len(os.listdir(f"/proc/{pid}/fd")), inotify_watches(pid)

    client, tag = idling()  # the first IDLE makes the process's inotify instance
    done(client, tag)
    baseline_fds, watches = settled()
    assert watches == 0
    for round in range(8):
        for end in [done, hang_up, logout_without_done, folder_deleted]:
            if end is folder_deleted:
                creator = login(imap_mx)
                creator.create("Doomed")
                creator.logout()
            client, tag = idling("Doomed" if end is folder_deleted else "INBOX")
            deadline = time.monotonic() + 2
            while inotify_watches(pid) != 3 and time.monotonic() < deadline:
                time.sleep(0.01)
            assert inotify_watches(pid) == 3, "IDLE watches new/, cur/ and the folder"
            end(client, tag)
    fds, watches = settled()
    assert watches == 0, "every IDLE gave its watches back"
    print(f"descriptors before {baseline_fds}, after 32 IDLE sessions {fds}")
    assert fds <= baseline_fds + 2, (fds, baseline_fds)


def test_another_session_sees_flag_changes_and_expunges_on_noop(imap_mx):
    first, second = two_sessions_on_two_messages(imap_mx)
    first.store("1", "+FLAGS", "(\\Deleted)")
    first.expunge()
    second.untagged_responses.clear()
    second.store("2", "+FLAGS.SILENT", "(\\Seen)")
    assert "EXPUNGE" not in second.untagged_responses, "no EXPUNGE during STORE (RFC 9051 §7.5.1)"
    second.noop()
    assert second.untagged_responses.get("EXPUNGE") == [b"1"], second.untagged_responses
    assert second.status("INBOX", "(MESSAGES)")[1] == [b"INBOX (MESSAGES 1)"]
    first.logout()
    second.logout()


def test_plaintext_is_refused_off_the_secured_networks_and_starttls_allows_it():
    with MailboxMX(auth={"secured_networks": []}) as m:
        m.add_user("alice@example.com", password="sesame")
        client = imaplib.IMAP4("127.0.0.1", m.imap_port, timeout=10)
        assert "LOGINDISABLED" in client.capabilities and "AUTH=PLAIN" not in client.capabilities
        with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
            client.login("alice@example.com", "sesame")
        context = ssl.create_default_context(cafile=str(m.certificate))
        context.check_hostname = False
        client.starttls(context)
        assert "AUTH=PLAIN" in client.capabilities and "STARTTLS" not in client.capabilities
        assert client.login("alice@example.com", "sesame")[0] == "OK"
        client.logout()
        secure = imaplib.IMAP4_SSL("127.0.0.1", m.imaps_port, ssl_context=context, timeout=10)
        assert "STARTTLS" not in secure.capabilities
        assert secure.authenticate("PLAIN", lambda _: b"\0alice@example.com\0sesame")[0] == "OK"
        secure.logout()
        m.wait_for_log(r"imap-login: Login: user=<alice@example\.com>, method=PLAIN, rip=127\.0\.0\.1, lip=127\.0\.0\.1, TLS")


def test_failed_logins_penalty_disconnect_and_access(imap_mx):
    client = imaplib.IMAP4("127.0.0.1", imap_mx.imap_port, timeout=10)
    elapsed = []
    for _ in range(3):
        started = time.monotonic()
        with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
            client.login("alice@example.com", "wrong")
        elapsed.append(time.monotonic() - started)
    assert elapsed[1] >= 0.18 and elapsed[2] >= 0.38, elapsed
    with pytest.raises((imaplib.IMAP4.abort, OSError, EOFError)):
        client.noop()
    imap_mx.wait_for_log(r"imap-login: Disconnected \(auth failed, 3 attempts\): user=<alice@example\.com>, "
                         r"method=PLAIN, rip=127\.0\.0\.1,")
    login(imap_mx).logout()
    imap_mx.cli("user", "access", "alice@example.com", "--imap", "off")
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        login(imap_mx)


def test_bad_input_keeps_the_server_serving(imap_mx):
    with socket.create_connection(("127.0.0.1", imap_mx.imap_port), timeout=10) as sock:
        stream = sock.makefile("rwb")
        assert stream.readline().startswith(b"* OK")
        stream.write(b"a1 FROB\r\na2 SELECT INBOX\r\na3 LOGIN alice@example.com sesame\r\n"
                     b"a4 FETCH 1:* FLAGS\r\na5 SELECT INBOX\r\na6 STORE 99 +FLAGS (\\Seen)\r\n"
                     b"a7 APPEND INBOX {999999999}\r\n")
        stream.flush()
        lines = []
        while not lines or not lines[-1].startswith(b"a7 "):
            lines.append(stream.readline())
        text = b"".join(lines)
        assert b"a1 BAD" in text and b"a2 BAD" in text and b"a3 OK" in text and b"a4 BAD" in text
        assert b"a5 OK [READ-WRITE]" in text and b"a6 BAD" in text
        assert re.search(rb"a7 NO \[TOOBIG\]", text), text
        stream.write(b"a8 NOOP\r\n")
        stream.flush()
        assert stream.readline().startswith(b"a8 OK")


def test_quota_from_the_directory():
    with MailboxMX() as m:
        m.add_user("alice@example.com", password="sesame", quota="10M")
        deliver(m, message(1))
        m.delivered("alice@example.com")
        client = login(m)
        typ, data = client.getquotaroot("INBOX")
        assert typ == "OK"
        assert data[0] == [b'INBOX "User quota"'], data
        assert re.fullmatch(rb'"User quota" \(STORAGE \d+ 10240\)', data[1][0]), data
        client.logout()


def bayes_counts(m):
    out = m.cli("learn", "--stats").stdout.decode()
    return int(re.search(r"nspam:\s+(\d+)", out).group(1)), int(re.search(r"nham:\s+(\d+)", out).group(1))


def wait_for_counts(m, expected, timeout=15):
    deadline = time.monotonic() + timeout
    while (got := bayes_counts(m)) != expected:
        assert time.monotonic() < deadline, f"Bayes counts {got}, expected {expected}\n{m.log_text()[-2000:]}"
        time.sleep(0.1)


def test_moving_into_and_out_of_junk_teaches_bayes():
    """Into Junk is spam, out of Junk (not to Trash) is ham, relearned; the reply does not wait."""
    with MailboxMX(bayes={"enabled": True, "autolearn": False}) as m:
        m.add_user("alice@example.com", password="sesame")
        deliver(m, message(1), message(2), message(3))
        m.delivered("alice@example.com", count=3)
        client = login(m)
        client.select("INBOX")
        assert bayes_counts(m) == (0, 0)
        assert client._simple_command("MOVE", "1:2", "Junk")[0] == "OK"
        wait_for_counts(m, (2, 0))
        m.wait_for_log(r"imap\(alice@example\.com\): MOVE into Junk: learned 2 message\(s\) as spam")
        client.select("Junk")
        assert client._simple_command("MOVE", "1", "INBOX")[0] == "OK"
        wait_for_counts(m, (1, 1))
        m.wait_for_log(r"MOVE into INBOX: learned 1 message\(s\) as ham \(1 relearned")
        assert client._simple_command("MOVE", "1", "Trash")[0] == "OK"  # emptying Junk: no lesson
        assert client.append("Junk", None, None, message(7, "appended spam"))[0] == "OK"
        wait_for_counts(m, (2, 1))
        client.logout()


def raw(m, port=None):
    sock = socket.create_connection(("127.0.0.1", port or m.imap_port), timeout=10)
    stream = sock.makefile("rwb")
    assert stream.readline().startswith(b"* OK")
    return sock, stream


def until_tagged(stream, tag):
    lines = []
    while True:
        line = stream.readline()
        assert line, b"".join(lines)
        lines.append(line)
        if line.startswith(tag + b" "):
            return lines


def test_hostile_sessions_cost_nothing_and_get_their_answers(imap_mx):
    """A pre-login LITERAL+ APPEND is refused without being kept; a bad SASL line answers its
    AUTHENTICATE; plaintext pipelined behind STARTTLS is never read as the client's."""
    sock, stream = raw(imap_mx)
    stream.write(b"a1 APPEND INBOX {3000000+}\r\n" + b"x" * 3_000_000 + b"\r\na2 NOOP\r\n")
    stream.flush()
    lines = until_tagged(stream, b"a2")
    assert any(l.startswith(b"a1 BAD") for l in lines), lines
    stream.write(b"b1 AUTHENTICATE PLAIN\r\n")
    stream.flush()
    assert stream.readline().startswith(b"+")
    stream.write(b"!!!not base64\r\nb2 NOOP\r\n")
    stream.flush()
    assert stream.readline().startswith(b"b1 BAD"), "the AUTHENTICATE gets its tagged answer"
    assert stream.readline().startswith(b"b2 OK")
    sock.close()
    # STARTTLS with a LOGIN pipelined in the clear behind it (CVE-2011-0411's pattern).
    sock, stream = raw(imap_mx)
    stream.write(b"c1 STARTTLS\r\nc2 LOGIN alice@example.com sesame\r\n")
    stream.flush()
    assert stream.readline().startswith(b"c1 OK")
    context = ssl.create_default_context(cafile=str(imap_mx.certificate))
    context.check_hostname = False
    secure = context.wrap_socket(sock, server_hostname="mx.example.test")
    secure.sendall(b"c3 NOOP\r\n")
    reply = secure.recv(4096)
    assert reply.startswith(b"c3 OK") and b"c2" not in reply, reply
    secure.close()


def test_numbers_stay_right_while_an_expunge_is_withheld(imap_mx):
    deliver(imap_mx, message(1), message(2), message(3))
    imap_mx.delivered("alice@example.com", count=3)
    first, second = login(imap_mx), login(imap_mx)
    first.select("INBOX")
    second.select("INBOX")
    first.store("2", "+FLAGS", "(\\Deleted)")
    first.expunge()
    second.fetch("1", "(FLAGS)")  # the expunge is withheld during FETCH
    typ, data = second.search(None, "ALL")
    assert data == [b"1 2 3"], "message 3 keeps number 3 until the client is told"
    typ, data = second.search(None, "SUBJECT", '"message 3"')
    assert data == [b"3"], data
    second.noop()
    assert second.search(None, "ALL")[1] == [b"1 2"]
    first.logout()
    second.logout()


def test_delete_keeps_or_ends_the_selection(imap_mx):
    deliver(imap_mx, message(1))
    imap_mx.delivered("alice@example.com")
    client = login(imap_mx)
    client.select("INBOX")
    assert client.delete("INBOX")[0] == "NO"
    assert client.fetch("1", "(FLAGS)")[0] == "OK", "a refused DELETE leaves INBOX selected"
    client.create("Doomed")
    other = login(imap_mx)
    other.select("Doomed")
    client.delete("Doomed")
    with pytest.raises((imaplib.IMAP4.abort, OSError, EOFError)):
        for _ in range(20):
            other.noop()
            time.sleep(0.1)
    imap_mx.wait_for_log(r"imap-login: Login")
    client.logout()


def test_imap4rev2_select_says_closed(imap_mx):
    client = login(imap_mx)
    client._simple_command("ENABLE", "IMAP4rev2")
    client.select("INBOX")
    client.untagged_responses.clear()
    client.select("Sent")
    assert client.untagged_responses.get("OK", [b""])[0].startswith(b"[CLOSED]"), client.untagged_responses
    client.logout()


def peak_rss_kib(m):
    for line in open(f"/proc/{m.proc.pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def test_fetch_of_a_large_mailbox_is_sent_in_parts(imap_mx):
    """FETCH 1:* BODY.PEEK[] over 48 MiB of mail: the answer is made and sent in batches, so
    the server's peak memory grows by a fraction of the mailbox, not twice its size."""
    client = login(imap_mx)
    body = b"".join(b"%07d " % i + b"x" * 72 + b"\r\n" for i in range(13_000))  # about 1 MiB
    for n in range(48):
        assert client.append("INBOX", None, None, b"Subject: big %d\r\n\r\n" % n + body)[0] == "OK"
    client.select("INBOX")
    before = peak_rss_kib(imap_mx)
    typ, data = client.fetch("1:*", "(BODY.PEEK[])")
    assert typ == "OK" and sum(1 for d in data if isinstance(d, tuple)) == 48
    grown = peak_rss_kib(imap_mx) - before
    assert grown < 24 * 1024, f"peak RSS grew by {grown} KiB for a 48 MiB FETCH"
    client.logout()
