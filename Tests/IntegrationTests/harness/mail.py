"""Test messages shared by the integration tests."""
from email.message import EmailMessage

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
GTUBE = b"XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"


def message(subject, body="Hello.\n", attachments=()):
    """A From sender@example.org To rcpt@example.com message; attachments are (name, bytes, type)."""
    m = EmailMessage()
    m["From"] = "Sender <sender@example.org>"
    m["To"] = "rcpt@example.com"
    m["Subject"] = subject
    m["Message-ID"] = f"<{subject.replace(' ', '.')}@example.org>"
    m.set_content(body)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        m.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return m.as_bytes()
