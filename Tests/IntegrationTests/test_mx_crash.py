"""Durability of the MX: a sender loops while moat is killed with SIGKILL at random moments
and restarted, 50 rounds. Every message that got 250 must end up in the Maildir exactly
once, or twice at most for the window between delivery and dequeue (as Postfix promises:
at least once). Nothing acknowledged may be lost."""
import random
import re
import smtplib
import threading
import time

from harness import MoatMX

ROUNDS = 50


def test_sigkill_loses_nothing_that_got_250():
    rng = random.Random(0x6D6F6174)
    m = MoatMX(tls=False)
    m.start()
    m.add_user("alice@example.com")
    acknowledged = []
    stop = threading.Event()
    port = {"value": m.mx_port}

    def sender():
        n = 0
        while not stop.is_set():
            n += 1
            body = (f"From: s@example.org\r\nSubject: crash {n}\r\nMessage-ID: <crash-{n}@example.org>\r\n\r\n"
                    f"message {n}\r\n").encode()
            try:
                with smtplib.SMTP("127.0.0.1", port["value"], timeout=10) as s:
                    s.ehlo("client.example.test")
                    s.mail("s@example.org")
                    if s.rcpt("alice@example.com")[0] != 250:
                        continue
                    code, _ = s.data(body)
                    if code == 250:
                        acknowledged.append(n)
            except (OSError, smtplib.SMTPException):
                time.sleep(0.02)  # moat is down or was killed mid-session: try again

    thread = threading.Thread(target=sender, daemon=True)
    thread.start()
    try:
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.05, 0.6))
            m.kill()
            m.start()
            port["value"] = m.mx_port
        time.sleep(0.5)
        stop.set()
        thread.join(timeout=30)
        assert len(acknowledged) >= ROUNDS, f"only {len(acknowledged)} messages got through; the test proves little"

        # Everything acknowledged reaches the mailbox once the queue drains.
        want = set(acknowledged)
        deadline = time.monotonic() + 120
        while True:
            found = {}
            new = m.maildir("alice@example.com") / "new"
            for f in new.glob("*") if new.is_dir() else []:
                hit = re.search(rb"Message-ID: <crash-(\d+)@example\.org>", f.read_bytes())
                if hit:
                    found[int(hit.group(1))] = found.get(int(hit.group(1)), 0) + 1
            if want <= set(found) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        missing = sorted(want - set(found))
        duplicated = {n: c for n, c in found.items() if c > 1}
        print(f"crash test: {ROUNDS} SIGKILLs, {len(acknowledged)} messages acknowledged, "
              f"{len(found)} distinct delivered, {len(duplicated)} delivered twice, "
              f"{len(set(found) - want)} delivered without a 250 (killed before the reply)")
        assert not missing, f"acknowledged but never delivered: {missing[:20]}"
        assert all(c <= 2 for c in found.values()), f"delivered more than twice: {duplicated}"
    finally:
        stop.set()
        m.stop()
