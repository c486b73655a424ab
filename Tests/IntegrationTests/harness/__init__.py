"""Integration-test harness: private Postfix instances, an SMTP sink, helpers."""
from .net import RawClient, free_port, free_ports, send, wait_for_smtp
from .postfix import AMAVIS_MASTER_CF, PostfixInstance
from .sink import Message, Sink
from .moat import Moat, MoatMX
from .mailbox_access import MailboxMX

__all__ = ["AMAVIS_MASTER_CF", "MailboxMX", "Message", "Moat", "MoatMX", "PostfixInstance", "RawClient", "Sink",
           "free_port", "free_ports", "send", "wait_for_smtp"]
