"""`moat reload` renews the IMAP and POP3 certificates: new connections (IMAPS, IMAP STARTTLS,
POP3S, POP3 STLS) get the renewed pair, a session already running goes on untouched, and a
pair that does not load is refused loudly with the loaded one kept. The listeners have a
pair of their own here, apart from the MX's, so only theirs is renewed or broken."""
import imaplib
import poplib
import re
import signal
import ssl
import subprocess

from harness import MailboxMX


def make_pair(certificate, key, serial):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-set_serial", str(serial),
                    "-subj", "/CN=mail.example.test", "-keyout", str(key), "-out", str(certificate)],
                   check=True, capture_output=True, timeout=60)


def serial_of(der):
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-noout", "-serial"], input=der,
                         check=True, capture_output=True, timeout=30).stdout.decode()
    return int(out.strip().split("=")[1], 16)


def context():
    c = ssl.create_default_context()
    c.check_hostname = False
    c.verify_mode = ssl.CERT_NONE
    return c


def served_serials(m):
    """The serial each of the four ways in shows a new connection."""
    serials = {}
    with imaplib.IMAP4_SSL("127.0.0.1", m.imaps_port, ssl_context=context(), timeout=10) as c:
        serials["IMAPS"] = serial_of(c.sock.getpeercert(binary_form=True))
    c = imaplib.IMAP4("127.0.0.1", m.imap_port, timeout=10)
    c.starttls(context())
    serials["IMAP STARTTLS"] = serial_of(c.sock.getpeercert(binary_form=True))
    c.logout()
    p = poplib.POP3_SSL("127.0.0.1", m.pop3s_port, context=context(), timeout=10)
    serials["POP3S"] = serial_of(p.sock.getpeercert(binary_form=True))
    p.quit()
    p = poplib.POP3("127.0.0.1", m.pop3_port, timeout=10)
    p.stls(context())
    serials["POP3 STLS"] = serial_of(p.sock.getpeercert(binary_form=True))
    p.quit()
    return serials


def reload(m, outcome):
    seen = len(re.findall(r"\] (reloaded|reload failed)", m.log_text()))
    m.proc.send_signal(signal.SIGHUP)
    ends = m.wait_for_log(r"\] (reloaded|reload failed)", count=seen + 1)
    assert ends[seen] == outcome, m.log_text()[-3000:]


def test_reload_serves_a_renewed_certificate_to_new_imap_and_pop3_connections():
    m = MailboxMX(pop3={})
    certificate, key = m.base / "mail-cert.pem", m.base / "mail-key.pem"
    make_pair(certificate, key, 1001)
    text = m.config_path.read_text()
    old = f"certificate = '{m.certificate}'\nkey = '{m.key}'\n"
    mail_pair = f"certificate = '{certificate}'\nkey = '{key}'\n"
    for section in ["imap", "pop3"]:
        text = text.replace(f"[{section}.tls]\n{old}", f"[{section}.tls]\n{mail_pair}")
    m.config_path.write_text(text)
    with m:
        m.add_user("alice@example.com", password="sesame")
        ways_in = ["IMAPS", "IMAP STARTTLS", "POP3S", "POP3 STLS"]
        assert served_serials(m) == dict.fromkeys(ways_in, 1001)
        running = imaplib.IMAP4_SSL("127.0.0.1", m.imaps_port, ssl_context=context(), timeout=10)
        assert running.login("alice@example.com", "sesame")[0] == "OK"

        make_pair(certificate, key, 2002)
        reload(m, "reloaded")
        assert re.search(r"reloaded .*IMAP/POP3 certificates read", m.log_text())
        assert served_serials(m) == dict.fromkeys(ways_in, 2002)
        # The session begun on the old pair goes on.
        assert serial_of(running.sock.getpeercert(binary_form=True)) == 1001
        assert running.select("INBOX")[0] == "OK" and running.noop()[0] == "OK"

        # A key that is not the certificate's: refused, loudly, and the renewed pair stays.
        subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True, timeout=60)
        reload(m, "reload failed")
        assert re.search(r"reload failed: .*\[imap\.tls\] key: .*does not go with the certificate.*the loaded pair stays",
                         m.log_text()), m.log_text()[-3000:]
        assert served_serials(m) == dict.fromkeys(ways_in, 2002)
        # The files gone altogether: refused too (the TLS ports cannot go plain).
        certificate.unlink()
        key.unlink()
        reload(m, "reload failed")
        assert re.search(r"\[imap\.tls\] certificate: .*no such file; the loaded pair stays", m.log_text())
        assert served_serials(m) == dict.fromkeys(ways_in, 2002)
        running.logout()
