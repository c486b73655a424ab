"""Outside text in Moat's output (issue 9, defects 1-3): an attachment name, subject or
Message-ID chosen by a sender can neither forge SMTP replies (on the filter and the MX),
nor plant log records, nor put control sequences on the admin's terminal.

Only loopback; ports picked at run time; every socket with a timeout.
"""
import json
import re
import smtplib
import subprocess

import pytest

from harness import Moat, MoatMX, RawClient
from harness.moat import BINARY

# RFC 2231 name that decodes to `x<CR><LF>250-FAKE<CR><LF>250 y.exe`: rendered raw, the
# reply to DATA becomes three lines, the last a 250 the client takes for the truth.
FORGING_NAME = "filename*=utf-8''x%0D%0A250-FAKE%0D%0A250%20y.exe"
# A subject and Message-ID with an ESC sequence (clear screen, set the window title), a
# fake log record after an encoded CR LF, and a C1 CSI (U+009B) clear-screen.
ESC_SUBJECT = "=?utf-8?q?hi=1B[2J=1B]0;pwned=07=0D=0A2026-12-07T00:00:00+0000_notice_moat:_Passed_CLEAN=C2=9B2J?="
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


def hostile_message(name_parameter=FORGING_NAME, subject=ESC_SUBJECT, message_id="<a\x1b[31m@example.org>"):
    return (
        "From: sender@example.org\r\nTo: rcpt@example.com\r\n"
        f"Subject: {subject}\r\nMessage-ID: {message_id}\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nsee attachment\r\n"
        "--b\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Disposition: attachment; {name_parameter}\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAgAAAAA==\r\n"
        "--b--\r\n"
    ).encode("latin-1")


def clean_message(subject):
    return (f"From: sender@example.org\r\nTo: rcpt@example.com\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject}@example.org>\r\n\r\nHello.\r\n").encode()


def data_reply_lines(port, message, rcpt="rcpt@example.com"):
    """The raw lines of the reply to a whole transaction's end of data."""
    c = RawClient(port)
    try:
        assert c.reply()[0] == 220
        assert c.cmd("EHLO client.example.test")[0] == 250
        assert c.cmd("MAIL FROM:<sender@example.org>")[0] == 250
        assert c.cmd(f"RCPT TO:<{rcpt}>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(message + b".\r\n")
        lines = [c._line()]
        while lines[-1][3:4] == "-":
            lines.append(c._line())
        return lines, c
    except BaseException:
        c.close()
        raise


def assert_one_safe_reject(lines):
    assert len(lines) == 1, lines
    assert lines[0].startswith("554 5.7.0 "), lines
    assert len(lines[0]) + 2 <= 512
    assert not CONTROL.search(lines[0])


def transactions_stay_in_step(port, rcpt):
    """smtplib reusing one connection: banned (forged name), clean, banned again. Each
    result must be that transaction's own."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.test")
        results = []
        for message in (hostile_message(), clean_message("second"),
                        hostile_message('filename="plain.exe"', subject="third", message_id="<third@example.org>")):
            s.mail("sender@example.org")
            s.rcpt(rcpt)
            results.append(s.data(message)[0])
            if results[-1] != 250:
                s.rset()
        return results


@pytest.fixture
def filter_moat(smtp_sink):
    moat = Moat(smtp_sink.port, banned={"destiny": "reject"})
    moat.start()
    yield moat, smtp_sink
    moat.stop()


def test_filter_reply_to_a_forged_name_is_one_line_and_the_next_transactions_stay_in_step(filter_moat):
    moat, sink = filter_moat
    lines, client = data_reply_lines(moat.port, hostile_message())
    client.close()
    assert_one_safe_reject(lines)
    assert "FAKE" in lines[0]  # the name is shown, made harmless, not dropped
    assert transactions_stay_in_step(moat.port, "rcpt@example.com") == [554, 250, 554]
    sink.wait_for(1)
    # The sink also gets the admin notices of the two rejects; the clean one arrives once.
    assert sum(m.data.count(b"Subject: second") for m in sink.messages) == 1


def test_a_three_thousand_character_name_gives_a_reply_line_within_512_octets(filter_moat):
    moat, _ = filter_moat
    lines, client = data_reply_lines(moat.port, hostile_message(f'filename="{"n" * 3000}.exe"'))
    client.close()
    assert_one_safe_reject(lines)


def test_mx_reply_to_a_forged_name_is_one_line_and_the_next_transactions_stay_in_step():
    with MoatMX() as mx:  # banned: destiny bounce, which the MX answers as a 554 in the dialogue
        mx.add_user("rcpt@example.com")
        lines, client = data_reply_lines(mx.mx_port, hostile_message())
        client.close()
        assert_one_safe_reject(lines)
        assert transactions_stay_in_step(mx.mx_port, "rcpt@example.com") == [554, 250, 554]
        [delivered] = mx.delivered("rcpt@example.com")
        assert b"Subject: second" in delivered


def test_log_lines_and_cli_output_carry_no_control_characters(smtp_sink):
    # Quarantined (the default destiny bounces and quarantines banned mail), so the
    # hostile subject, Message-ID and name reach the log and the quarantine CLI.
    moat = Moat(smtp_sink.port)
    moat.start()
    try:
        with smtplib.SMTP("127.0.0.1", moat.port, timeout=30) as s:
            s.sendmail("sender@example.org", ["rcpt@example.com"], hostile_message())
        moat.wait_for_log(r"Blocked BANNED")
        log = moat.log_text()
        assert not CONTROL.search(log), [line for line in log.splitlines() if CONTROL.search(line)]
        assert not re.search(r"^2026-12-07T00:00:00\+0000 notice moat: Passed CLEAN", log, re.M)
        assert "x??250-FAKE??250 y.exe" in log  # the banned name, shown, made harmless

        listing = moat.cli("quarantine", "list").stdout.decode()
        assert len(listing.splitlines()) == 1, listing
        assert "pwned" in listing and not CONTROL.search(listing), listing
        [entry] = json.loads(moat.cli("quarantine", "list", "--json").stdout)
        assert "\x1b" in entry["subject"]  # JSON keeps the data, escaped by JSON's rules
        raw_json = moat.cli("quarantine", "list", "--json").stdout.decode()
        assert not CONTROL.search(raw_json)
        # C1 CSI (U+009B) is legal raw in JSON; Moat writes it escaped, the same string.
        assert "\\u009b2J" in raw_json and entry["subject"].endswith("\u009b2J")
        shown = moat.cli("quarantine", "show", entry["mail_id"]).stdout.decode()
        assert not CONTROL.search(shown), shown
        assert re.search(r"^subject: +hi\?\[2J\?\]0;pwned\?\?\?2026", shown, re.M), shown
        assert re.search(r"^banned: .*FAKE", shown, re.M)
        # --raw into a pipe: the stored bytes exactly, for sa-learn or a release by hand.
        raw = moat.cli("quarantine", "show", entry["mail_id"], "--raw").stdout
        assert FORGING_NAME.encode() in raw
    finally:
        moat.stop()


def test_show_raw_on_a_terminal_escapes_controls(smtp_sink, tmp_path):
    """`script` gives the command a terminal: there the message is shown, not obeyed."""
    moat = Moat(smtp_sink.port)
    moat.start()
    try:
        with smtplib.SMTP("127.0.0.1", moat.port, timeout=30) as s:
            s.sendmail("sender@example.org", ["rcpt@example.com"],
                       hostile_message(subject="\x1b[2Jbell\x07", message_id="<t@example.org>"))
        moat.wait_for_log(r"Blocked BANNED")
        [entry] = json.loads(moat.cli("quarantine", "list", "--json").stdout)
        out = tmp_path / "typescript"
        command = f"{BINARY} quarantine show {entry['mail_id']} --raw -c {moat.config_path}"
        subprocess.run(["script", "-qec", command, str(out)], check=True, timeout=60,
                       stdin=subprocess.DEVNULL, capture_output=True)
        text = out.read_bytes().decode("utf-8", "replace")
        body = text[text.index("From: sender"):]
        assert "Subject: ?[2Jbell?" in body, body
        assert "\x1b[2J" not in body and "\x07" not in body
    finally:
        moat.stop()
