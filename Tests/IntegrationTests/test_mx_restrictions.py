"""The MX's SMTP-time refusals against a real DNS server (dnsmasq on loopback): RBL, unknown
sender domains, HELO checks, access tables, pipelining, and the classic open-relay tricks
from a client outside mynetworks."""
import contextlib
import smtplib
import subprocess

import pytest

from harness import MoatMX, RawClient
from harness.moat import BINARY
from harness.dns import DNSMasq

MESSAGE = b"From: s@example.org\r\nSubject: t\r\n\r\nbody\r\n"


@pytest.fixture
def dns():
    with DNSMasq([
        # 127.0.0.1 is listed in rbl.moattest, with a reason
        "--host-record=1.0.0.127.rbl.moattest,127.0.0.2",
        "--txt-record=1.0.0.127.rbl.moattest,listed for testing",
        "--mx-host=good.moattest,mail.good.moattest,10",
        "--host-record=mail.good.moattest,127.0.0.1",
    ]) as d:
        yield d


@contextlib.contextmanager
def stranger_mx(**sections):
    """A running MX that treats 127.0.0.1 as an outside client, with alice@example.com."""
    mx = dict(sections.pop("mx", {}))
    mx.setdefault("mynetworks", ["192.0.2.0/24"])
    with MoatMX(tls=False, mx=mx, **sections) as m:
        m.add_user("alice@example.com")
        yield m


def rcpt(m, address, sender="s@good.moattest", helo="client.example.test"):
    with smtplib.SMTP("127.0.0.1", m.mx_port, timeout=30) as s:
        s.ehlo(helo)
        s.mail(sender)
        return s.rcpt(address)


def test_rbl_client_rejected_with_the_zone_named(dns):
    with stranger_mx(dns={"servers": [dns.server]},
                    **{"mx.restrictions": {"client": ["reject_rbl_client rbl.moattest"]}}) as m:
        code, text = rcpt(m, "alice@example.com")
        assert code == 554
        assert text == (b"5.7.1 Service unavailable; Client host [127.0.0.1] blocked using rbl.moattest; "
                        b"listed for testing")


def test_unknown_sender_domain_and_non_fqdn_helo(dns):
    with stranger_mx(dns={"servers": [dns.server]},
                    **{"mx.restrictions": {"sender": ["reject_unknown_sender_domain", "reject_non_fqdn_sender"],
                                           "helo": ["reject_non_fqdn_helo_hostname"]}}) as m:
        code, text = rcpt(m, "alice@example.com", sender="x@nowhere.moattest")
        # Postfix's unknown_address_reject_code is 450: a DNS hiccup costs a retry, not a bounce
        assert (code, text) == (450, b"4.1.8 <x@nowhere.moattest>: Sender address rejected: Domain not found")
        code, text = rcpt(m, "alice@example.com", helo="localhost")
        assert code == 504 and b"Helo command rejected: need fully-qualified hostname" in text
        assert rcpt(m, "alice@example.com")[0] == 250


def test_check_sender_access_table(tmp_path):
    table = tmp_path / "sender_access"
    table.write_text("spammer@example.net REJECT go away\nexample.net OK\n")
    with stranger_mx(**{"mx.restrictions": {"sender": [f"check_sender_access {table}"]}}) as m:
        assert rcpt(m, "alice@example.com", sender="spammer@example.net") == \
            (554, b"5.7.1 <spammer@example.net>: Sender address rejected: go away")
        assert rcpt(m, "alice@example.com", sender="friend@example.net")[0] == 250


def test_unauth_pipelining_refused_at_data():
    with stranger_mx() as m:
        c = RawClient(m.mx_port)
        assert c.reply()[0] == 220
        # HELO (no ESMTP) and then everything in one packet
        c.send(b"HELO client.example.test\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<alice@example.com>\r\n"
               b"DATA\r\n" + MESSAGE + b".\r\nQUIT\r\n")
        replies = [c.reply() for _ in range(4)]
        c.close()
        assert replies[3] == (503, "5.5.0 <DATA>: Data command rejected: Improper use of SMTP command pipelining"), replies


# Each is tried as RCPT TO from a client outside mynetworks; none may be accepted.
RELAY_TRICKS = [
    "victim@elsewhere.example",
    "victim%elsewhere.example@example.com",
    "elsewhere.example!victim@example.com",
    "@example.com:victim@elsewhere.example",
    '"victim@elsewhere.example"@example.com',
    "victim@[192.0.2.99]",
    "victim@[127.0.0.1]",
    "victim@elsewhere.example.",
    "victim@ELSEWHERE.EXAMPLE",
    "victim@example.com.elsewhere.example",
    "victim@exаmple.com",  # Cyrillic a
    "victim@example.com@elsewhere.example",
    '"victim%elsewhere.example"@example.com',
    "victim@elsewhere.example@example.com",
]


@pytest.fixture(scope="module")
def stranger():
    with stranger_mx() as m:
        yield m


@pytest.mark.parametrize("address", RELAY_TRICKS)
def test_no_open_relay(stranger, address):
    with smtplib.SMTP("127.0.0.1", stranger.mx_port, timeout=30) as s:
        s.ehlo("client.example.test")
        s.mail("s@example.org")
        s.send(("RCPT TO:<" + address + ">\r\n").encode())
        code, text = s.getreply()
    assert code >= 500, f"{address} accepted: {code} {text}"


# ---- open relay by configuration -------------------------------------------------------
# Postfix starts with each of these and relays for everyone; `moat config check` and
# `moat serve` refuse them, naming file:line.

OPEN_RELAY_CONFIGS = [  # (config text, line, message fragment)
    ('[mx]\nmynetworks = ["0.0.0.0/1", "128.0.0.0/1"]\n', 2,
     "[mx] mynetworks: covers every public IPv4 address"),
    ('[mx]\nmynetworks = ["0.0.0.0/0"]\nmynetworks_wide = true\n', 2,
     "[mx] mynetworks: covers every public IPv4 address"),
    ('[mx]\nmynetworks = ["127.0.0.0/8", "::/1", "8000::/1"]\n', 2,
     "[mx] mynetworks: covers every public IPv6 address"),
    ('[mx]\nmynetworks = ["::ffff:0.0.0.0/0"]\n', 2, "[mx] mynetworks: covers every public IPv4 address"),
    ('[mx]\nmynetworks = ["::ffff:0:0/96"]\n', 2, "[mx] mynetworks: bad network"),
    ('[mx]\nmynetworks = ["198.51.0.0/16", "203.0.0.0/16"]\n', 2,
     "[mx] mynetworks: covers 131072 public IPv4 addresses (more than a /16), wider than a site's own networks; "
     "set mynetworks_wide = true"),
    ('[mx.restrictions]\nrelay = ["permit", "reject_unauth_destination"]\n', 2,
     "[mx.restrictions] relay: entry 1 'permit' permits every client before any reject_unauth_destination"),
    ('[mx.restrictions]\nrelay = ["permit_mynetworks"]\nrecipient = ["check_sender_access /dev/null", "permit",\n'
     '             "reject_unauth_destination"]\n', 3,
     "[mx.restrictions] recipient: entry 2 'permit' permits every client"),
    ('[mx.restrictions]\nrelay = ["permit_mynetworks", "reject_unlisted_recipient"]\n', 2,
     "[mx.restrictions] relay: neither relay nor recipient contains reject_unauth_destination"),
]


@pytest.mark.parametrize("text,line,fragment", OPEN_RELAY_CONFIGS, ids=range(len(OPEN_RELAY_CONFIGS)))
def test_open_relay_configuration_is_refused(tmp_path, text, line, fragment):
    path = tmp_path / "moat.toml"
    path.write_text(text)
    check = subprocess.run([BINARY, "config", "check", "-c", str(path)], cwd=tmp_path, capture_output=True, timeout=60)
    assert check.returncode == 1, check.stdout.decode() + check.stderr.decode()
    assert any(l.startswith(f"{path}:{line}: ") and fragment in l for l in check.stderr.decode().splitlines()), \
        check.stderr.decode()
    serve = subprocess.run([BINARY, "serve", "-c", str(path)], cwd=tmp_path, capture_output=True, timeout=30)
    assert serve.returncode != 0 and b"listening on" not in serve.stdout + serve.stderr
    assert serve.stderr == check.stderr


def test_wide_mynetworks_with_consent_starts_and_relays_only_for_them(tmp_path):
    # Consent for two public /16s: 127.0.0.1 is not among them and still may not relay.
    with stranger_mx(mx={"mynetworks": ["198.51.0.0/16", "203.0.0.0/16"], "mynetworks_wide": True}) as m:
        assert m.cli("config", "check").returncode == 0
        assert rcpt(m, "victim@elsewhere.example")[0] == 554
        assert rcpt(m, "alice@example.com")[0] == 250
