"""The MX refuses mail at MAIL FROM when the queue's file system is short of room
(issue 9, defect 9), as Postfix's smtpd does: 452 4.3.1 before a byte of the message
is received or scanned. The data directory sits on a small tmpfs made for the test.
"""
import os
import shutil
import smtplib
import subprocess

import pytest

from harness import MoatMX

MESSAGE = b"From: sender@example.org\r\nTo: alice@example.com\r\nSubject: hi\r\n\r\nHello.\r\n"


@pytest.fixture
def mx_on_small_disk():
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    # 16 MiB of disk; MAIL needs more than 13 MB (queue_minfree) and 1.5 x 4 MB free.
    m = MoatMX(mx={"max_message_size": 4_000_000}, queue={"queue_minfree": 13_000_000})
    var = m.base / "var"
    var.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(var)], check=True, timeout=30)
    try:
        m.start()
        m.add_user("alice@example.com")
        yield m
    finally:
        m.stop()
        subprocess.run(["umount", "-l", str(var)], check=False, timeout=30)


def mail_reply(port, size=None):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.test")
        return s.mail("sender@example.org", [f"SIZE={size}"] if size is not None else [])


def test_mail_is_refused_with_452_when_the_queue_is_short_of_room(mx_on_small_disk):
    m = mx_on_small_disk
    var = m.base / "var"
    assert mail_reply(m.mx_port)[0] == 250
    assert mail_reply(m.mx_port, size=1_000_000)[0] == 250
    # A SIZE= that would eat into queue_minfree: refused before the message is sent.
    code, text = mail_reply(m.mx_port, size=4_000_000)
    assert (code, text) == (452, b"4.3.1 Insufficient system storage")

    # Fill the disk until less than queue_minfree is free.
    free = shutil.disk_usage(var).free
    with open(var / "filler", "wb") as f:
        f.write(b"\0" * (free - 12_000_000))
    code, text = mail_reply(m.mx_port)
    assert (code, text) == (452, b"4.3.1 Insufficient system storage")
    m.wait_for_log(r"NOQUEUE: reject: MAIL from .*452 4\.3\.1 Insufficient system storage")
    m.wait_for_log(r"not enough free space in mail queue")

    # Room again: mail flows, nothing was lost or half-received meanwhile.
    (var / "filler").unlink()
    with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
        s.sendmail("sender@example.org", ["alice@example.com"], MESSAGE)
    [delivered] = m.delivered("alice@example.com")
    assert b"Hello." in delivered
