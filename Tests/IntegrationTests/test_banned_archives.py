"""Banned names inside every archive libclamav can open (issue 9, defect 4): each hostile
nesting is mailed as an attachment and judged by the real binary with real libclamav,
offline (`moat scan`) and once end to end Postfix -> moat -> Postfix.

The archives are built here with Python's zipfile/tarfile/gzip (a hand-written RAR and
ZipCrypto for the formats Python cannot write); the 7z and others come from Debian's
clamav-testfiles. Their members are harmless text under banned names: only the names
and the nesting are under test, never a virus signature.
"""
import gzip
import io
import json
import re
import struct
import tarfile
import zipfile
import zlib
from email.message import EmailMessage
from pathlib import Path

import pytest

from harness import Moat
from harness.mail import EICAR

TESTFILES = Path("/usr/share/clamav-testfiles")
HARMLESS = b"harmless text under a banned name\n" * 4


# --- archive builders ---------------------------------------------------------------

def zip_of(members, method=zipfile.ZIP_STORED):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return out.getvalue()


def tar_of(members):
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def gzip_of(data, name):
    out = io.BytesIO()
    with gzip.GzipFile(filename=name, mode="wb", fileobj=out, mtime=0) as g:
        g.write(data)
    return out.getvalue()


def rar4_stored(name, data):
    """A RAR 4 archive with one stored member (marker, main and file blocks, end block)."""
    def block(kind, flags, body):
        head = struct.pack("<BHH", kind, flags, 7 + len(body)) + body
        return struct.pack("<H", zlib.crc32(head) & 0xFFFF) + head
    file_body = struct.pack("<IIBIIBBHI", len(data), len(data), 0, zlib.crc32(data), 0, 20, 0x30,
                            len(name), 0x20) + name.encode()
    return (b"Rar!\x1a\x07\x00" + block(0x73, 0, b"\0" * 6) + block(0x74, 0x8000, file_body) + data
            + block(0x7B, 0x4000, b""))


def zipcrypto_zip(name, data, password=b"secret"):
    """A stored ZIP member encrypted with traditional PKWARE encryption (APPNOTE 6.1)."""
    keys = [0x12345678, 0x23456789, 0x34567890]

    def crc_byte(crc, b):
        return zlib.crc32(bytes([b]), crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF

    def update(b):
        keys[0] = crc_byte(keys[0], b)
        keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
        keys[2] = crc_byte(keys[2], (keys[1] >> 24) & 0xFF)

    def encrypt(plain):
        out = bytearray()
        for b in plain:
            temp = (keys[2] | 2) & 0xFFFF
            out.append(b ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            update(b)
        return bytes(out)

    for b in password:
        update(b)
    crc = zlib.crc32(data)
    body = encrypt(bytes(11) + bytes([crc >> 24])) + encrypt(data)
    fname = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 1, 0, 0, 0, crc, len(body), len(data), len(fname), 0)
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 1, 0, 0, 0, crc, len(body), len(data),
                          len(fname), 0, 0, 0, 0, 0, 0)
    records = local + fname + body
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(fname), len(records), 0)
    return records + central + fname + end


# --- helpers ------------------------------------------------------------------------

def mail_with(filename, data):
    m = EmailMessage()
    m["From"] = "Sender <sender@example.org>"
    m["To"] = "rcpt@example.com"
    m["Subject"] = f"attachment {filename}"
    m["Message-ID"] = f"<banned.{abs(hash(filename))}@example.org>"
    m.set_content("See the attachment.\n")
    m.add_attachment(data, maintype="application", subtype="octet-stream", filename=filename)
    return m.as_bytes()


def scan(tmp_path, filename, data, **sections):
    """`moat scan --json` of one mail carrying `data` as `filename`: the JSON line."""
    moat = Moat(10025, base_dir=tmp_path, **sections)  # never started: scan reads its config
    path = tmp_path / "mail.eml"
    path.write_bytes(mail_with(filename, data))
    p = moat.cli("scan", "--json", str(path), check=False)
    assert p.returncode in (0, 1, 2), p.stderr.decode()
    return json.loads(p.stdout.decode().strip().splitlines()[-1]), p


@pytest.fixture
def eicar_only_db(tmp_path):
    """A signature set that knows EICAR only, so clam.exe in the corpus is not a virus and
    the banned-name check is what must catch it."""
    db = tmp_path / "db"
    db.mkdir()
    (db / "eicar.ndb").write_text(f"Moat.Test.EicarOnly:0:0:{EICAR.hex()}\n")
    return str(db)


# --- the nesting cases of the defect ------------------------------------------------

def test_exe_in_zip_in_deflated_zip_is_banned(tmp_path):
    inner = zip_of([("x.exe", HARMLESS)])
    outer = zip_of([("inner.zip", inner)], zipfile.ZIP_DEFLATED)
    report, _ = scan(tmp_path, "outer.zip", outer)
    assert report["category"] == "BANNED", report
    assert ".exe,outer.zip | inner.zip | x.exe" in report["banned"]


def test_four_levels_of_stored_zips_are_all_opened(tmp_path):
    data = zip_of([("deep.exe", HARMLESS)])
    for level in (3, 2, 1):
        data = zip_of([(f"level{level}.zip", data)])
    report, _ = scan(tmp_path, "level0.zip", data)
    assert report["category"] == "BANNED", report
    assert ".exe,level0.zip | level1.zip | level2.zip | level3.zip | deep.exe" in report["banned"]


def test_exe_in_tar(tmp_path):
    report, _ = scan(tmp_path, "bundle.tar", tar_of([("docs/readme.txt", b"hi\n"), ("payload.exe", HARMLESS)]))
    assert report["banned"] == [".exe,bundle.tar | payload.exe"], report


def test_exe_in_tar_gz_names_the_tar_as_gunzip_would(tmp_path):
    data = gzip_of(tar_of([("payload.exe", HARMLESS)]), "bundle.tar")
    report, _ = scan(tmp_path, "bundle.tar.gz", data)
    assert report["banned"] == [".exe,bundle.tar.gz | bundle.tar | payload.exe"], report


def test_exe_in_gz(tmp_path):
    report, _ = scan(tmp_path, "setup.exe.gz", gzip_of(HARMLESS, "setup.exe"))
    assert report["banned"] == [".exe,setup.exe.gz | setup.exe"], report


@pytest.mark.parametrize("corpus_file, shown", [
    ("clam.7z", "clam.7z | clam.exe"),
    ("clam.tar.gz", "clam.tar.gz | clam.tar | clam.exe"),
    ("clam.cab", "clam.cab | clam.exe"),
    ("clam.arj", "clam.arj | clam.exe"),
])
def test_exe_in_corpus_archives(tmp_path, eicar_only_db, corpus_file, shown):
    path = TESTFILES / corpus_file
    if not path.is_file():
        pytest.skip(f"{path} missing (apt-get install clamav-testfiles)")
    report, _ = scan(tmp_path, corpus_file, path.read_bytes(), virus={"databases": [eicar_only_db]})
    assert report["category"] == "BANNED", report
    assert any(reason.endswith(shown) and reason.startswith(".exe,") for reason in report["banned"]), report


def test_rar_that_libclamav_cannot_open_is_undecipherable_not_clean(tmp_path):
    """Debian's libclamav has no unrar: the RAR is reported, and banned when asked to."""
    rar = rar4_stored("payload.exe", HARMLESS)
    report, _ = scan(tmp_path, "files.rar", rar)
    assert report["category"] == "CLEAN", report
    assert report["undecipherable"] == ["undecipherable: CL_TYPE_RAR not unpacked, files.rar"], report
    report, p = scan(tmp_path, "files.rar", rar, banned={"undecipherable": "banned"})
    assert report["category"] == "BANNED", report
    assert "undecipherable: CL_TYPE_RAR not unpacked, files.rar" in report["banned"]


# --- undecipherable: encryption and limits ------------------------------------------

def test_encrypted_zip_is_undecipherable_and_its_names_still_checked(tmp_path):
    harmless = zipcrypto_zip("report.txt", b"quarterly figures\n")
    report, p = scan(tmp_path, "report.zip", harmless)
    assert report["category"] == "CLEAN" and report["virus"] == [], report
    assert report["undecipherable"] == ["undecipherable: Heuristics.Encrypted.Zip, report.zip"], report
    # The text line carries the note too: an encrypted zip is never silently clean.
    text = Moat(10025, base_dir=tmp_path).cli("scan", str(tmp_path / "mail.eml"), check=False)
    assert "CLEAN (undecipherable: Heuristics.Encrypted.Zip, report.zip)" in text.stdout.decode()
    # Names in a ZIP's directory are not encrypted: an .exe inside is banned all the same.
    report, _ = scan(tmp_path, "invoice.zip", zipcrypto_zip("invoice.exe", HARMLESS))
    assert ".exe,invoice.zip | invoice.exe" in report["banned"], report
    report, _ = scan(tmp_path, "report.zip", harmless, banned={"undecipherable": "banned"})
    assert report["category"] == "BANNED"
    assert report["banned"] == ["undecipherable: Heuristics.Encrypted.Zip, report.zip"], report


def test_nested_zip_bomb_exceeds_the_scan_size_limit(tmp_path):
    """12 copies of 10 MB of zeros, each deflated to ~10 kB: 120 MB past MaxScanSize."""
    bomb_part = zip_of([("zeros.bin", bytes(10 << 20))], zipfile.ZIP_DEFLATED)
    bomb = zip_of([(f"part{i}.zip", bomb_part) for i in range(12)], zipfile.ZIP_DEFLATED)
    assert len(bomb) < 200_000
    report, _ = scan(tmp_path, "bomb.zip", bomb, virus={"max_scan_size": "40M"})
    assert report["category"] == "CLEAN" and report["virus"] == [], report
    notes = report["undecipherable"]
    assert notes and all(n.startswith("undecipherable: Heuristics.Limits.Exceeded.MaxScanSize, bomb.zip") for n in notes), notes
    assert len(notes) <= 11, notes  # bounded: at most 10 places and a "N more"


def test_single_member_bomb_over_max_file_size_is_reported(tmp_path):
    """libclamav trims a member to MaxFileSize without an alert; the trim is still seen."""
    bomb = zip_of([("zeros.bin", bytes(12 << 20))], zipfile.ZIP_DEFLATED)
    report, _ = scan(tmp_path, "bomb.zip", bomb, virus={"max_file_size": "5M"})
    assert report["undecipherable"] == [f"undecipherable: exceeds MaxFileSize ({5 << 20} bytes), bomb.zip | zeros.bin"], report


def test_clean_zip_has_no_note(tmp_path):
    report, _ = scan(tmp_path, "docs.zip", zip_of([("a.txt", b"a\n"), ("b.txt", b"b\n")], zipfile.ZIP_DEFLATED))
    assert (report["category"], report["banned"], report["undecipherable"]) == ("CLEAN", [], []), report


def test_max_depth_limits_the_name_check_and_says_so(tmp_path):
    data = zip_of([("deep.exe", HARMLESS)])
    for level in (2, 1):
        data = zip_of([(f"level{level}.zip", data)], zipfile.ZIP_DEFLATED)
    report, _ = scan(tmp_path, "level0.zip", data, banned={"max_depth": 2})
    assert report["banned"] == [], report
    assert report["undecipherable"] == ["undecipherable: deeper than max_depth 2, level0.zip | level1.zip | level2.zip"], report


# --- through the gateway ------------------------------------------------------------

def test_nested_exe_is_blocked_banned_through_postfix(gateway):
    pf, moat = gateway
    outer = zip_of([("inner.zip", zip_of([("x.exe", HARMLESS)]))], zipfile.ZIP_DEFLATED)
    code, _ = pf.send("sender@example.org", ["rcpt@example.com"], mail_with("outer.zip", outer))
    assert code == 250
    line = moat.wait_for_log(r"Blocked BANNED \(.*\) \{BouncedInbound,Quarantined\}")
    assert re.search(r"Blocked BANNED \(\.exe,outer\.zip \| inner\.zip \| x\.exe\)", moat.log_text()), line
    assert not pf.maildir_messages("rcpt@example.com")


def test_passed_undecipherable_mail_gets_alert_header(tmp_path, smtp_sink):
    import smtplib
    moat = Moat(smtp_sink.port, base_dir=tmp_path).start()
    try:
        with smtplib.SMTP("127.0.0.1", moat.port, timeout=30) as s:
            s.sendmail("sender@example.org", ["rcpt@example.com"],
                       mail_with("report.zip", zipcrypto_zip("report.txt", b"figures\n")))
        moat.wait_for_log(r"Passed CLEAN \(undecipherable: Heuristics\.Encrypted\.Zip, report\.zip\)")
        delivered = smtp_sink.messages[-1].data
        assert b"X-Amavis-Alert: UNCHECKED, undecipherable: Heuristics.Encrypted.Zip,\r\n report.zip\r\n" in delivered \
            or b"X-Amavis-Alert: UNCHECKED, undecipherable: Heuristics.Encrypted.Zip, report.zip\r\n" in delivered, delivered[:600]
    finally:
        moat.stop()
