"""The messages a script appends, read from its mbox as imaptest's mbox source does.

A message is everything between two From_ lines (its trailing blank line
included), with line ends made CRLF; its INTERNALDATE is the From_ line's date
(local time when the line has no zone). Reading past the last message wraps to
the first, so `messages: 20` of a 6-message mbox appends some twice.
"""
import calendar
import re
import time

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_FROM_LINE = re.compile(
    r"From \S+ +(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),? +(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(\d{1,2}) "
    r"(\d{1,2}):(\d{2})(?::(\d{2}))? (?:[A-Z]{3,5} )?(\d{4})(?: ([+-])(\d{2})(\d{2}))?\s*$")


class MboxError(ValueError):
    """The file is not an mbox imaptest could read."""


def _from_date(line):
    """(unix time, zone offset in minutes) of a From_ line, or None if it is not one."""
    m = _FROM_LINE.match(line)
    if not m:
        return None
    mon, day, hh, mi, ss, year, sign, zh, zm = m.groups()
    fields = (int(year), _MONTHS.index(mon) + 1, int(day), int(hh), int(mi), int(ss or 0))
    if sign:
        offset = (int(zh) * 60 + int(zm)) * (-1 if sign == "-" else 1)
        return calendar.timegm(fields + (0, 0, 0)) - offset * 60, offset
    t = int(time.mktime(fields + (0, 0, -1)))
    local = time.localtime(t)
    return t, local.tm_gmtoff // 60


def imap_datetime(t, offset_minutes):
    """INTERNALDATE text: 24-Mar-2007 23:00:00 +0200."""
    tm = time.gmtime(t + offset_minutes * 60)
    sign = "-" if offset_minutes < 0 else "+"
    off = abs(offset_minutes)
    return "%02d-%s-%04d %02d:%02d:%02d %s%02d%02d" % (
        tm.tm_mday, _MONTHS[tm.tm_mon - 1], tm.tm_year, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off // 60, off % 60)


def read_mbox(path):
    """[(message text with CRLF line ends, internaldate text), ...] of an mbox file."""
    with open(path, "rb") as f:
        lines = f.read().decode("latin-1").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    messages = []
    current, date = None, None
    for line in lines:
        stamp = _from_date(line) if line.startswith("From ") else None
        if stamp is not None and (current is None or current):
            if current is not None:
                messages.append(("".join(current), date))
            current, date = [], imap_datetime(*stamp)
            continue
        if current is None:
            raise MboxError(f"{path}: does not start with a From_ line")
        current.append((line[:-1] if line.endswith("\r") else line) + "\r\n")
    if current is None:
        raise MboxError(f"{path}: empty mbox")
    if not current:
        raise MboxError(f"{path}: ends with a From_ line")
    messages.append(("".join(current), date))
    return messages


class MessageSource:
    """The next message to append; shared by set-up and the script's own APPENDs."""

    def __init__(self, path):
        self.messages = read_mbox(path)
        self.next_index = 0

    @property
    def at_end(self):
        return self.next_index >= len(self.messages)

    def next(self):
        if self.at_end:
            self.next_index = 0
        msg = self.messages[self.next_index]
        self.next_index += 1
        return msg
