"""IMAP arguments as imaptest sees them: atoms, quoted strings, literals, NIL, lists.

One parser reads both sides: the script's expected replies and commands, and the
server's responses. It follows Dovecot's imap-parser with the flags imaptest uses
(ATOM_ALLCHARS, LITERAL8, MULTILINE_STR): an atom runs to a space or line break,
and a ')' ends it only inside a list. Text is latin-1 decoded, so every byte is
one character and nothing is lost between the wire and the matcher.
"""
import re
from dataclasses import dataclass, field

MAX_DEPTH = 64  # list nesting; a hostile server cannot recurse us to death


class ParseError(ValueError):
    """The text is not a well-formed IMAP argument list."""


@dataclass(frozen=True)
class Atom:
    value: str


@dataclass(frozen=True)
class Quoted:
    value: str


@dataclass(frozen=True)
class Literal:
    value: str
    binary: bool = False  # ~{n} (RFC 3516 literal8)


@dataclass(frozen=True)
class Nil:
    pass


NIL = Nil()


@dataclass
class List:
    items: list = field(default_factory=list)


@dataclass(frozen=True)
class LiteralMark:
    """Where a literal's data starts in the parsed text, and whether the sender
    must wait for a '+' continuation first ({n} rather than {n+})."""
    data_start: int
    synchronizing: bool


_LITERAL_HEADER = re.compile(r"(~?)\{(\d{1,10})(\+?)\}\r?\n")


def astring(arg):
    """The string value of an atom, quoted string or literal; None for NIL, a list or nothing."""
    if isinstance(arg, (Atom, Quoted, Literal)):
        return arg.value
    return None


def atom(arg):
    """The value of an atom only (imaptest's imap_arg_get_atom), else None."""
    return arg.value if isinstance(arg, Atom) else None


def parse(text, *, lenient=False, max_literal=64 * 1024 * 1024):
    """Parse text into a list of arguments; returns (args, literal_marks).

    lenient (for server responses): an unclosed list or quote is closed at the
    end of the text instead of raising, because human-readable resp-text may
    hold an unbalanced '(' or '"' and must still match by its first words.
    """
    stack = [[]]
    marks = []
    pos, end = 0, len(text)
    while pos < end:
        c = text[pos]
        if c in " \r\n":
            pos += 1
        elif c == "(":
            if len(stack) > MAX_DEPTH:
                raise ParseError(f"lists nested deeper than {MAX_DEPTH}")
            stack.append([])
            pos += 1
        elif c == ")" and len(stack) > 1:
            items = stack.pop()
            stack[-1].append(List(items))
            pos += 1
        elif c == '"':
            value, pos = _quoted(text, pos, lenient)
            stack[-1].append(Quoted(value))
        elif (c == "{" or (c == "~" and text.startswith("{", pos + 1))) and \
                (m := _LITERAL_HEADER.match(text, pos)):
            size = int(m.group(2))
            if size > max_literal:
                raise ParseError(f"literal of {size} bytes is over the {max_literal} limit")
            start = m.end()
            if start + size > end and not lenient:
                raise ParseError(f"literal of {size} bytes has only {end - start}")
            marks.append(LiteralMark(start, synchronizing=m.group(3) != "+"))
            stack[-1].append(Literal(text[start:start + size], binary=m.group(1) == "~"))
            pos = start + size
        else:
            stop = pos
            while stop < end and text[stop] not in " \r\n" and not (text[stop] == ")" and len(stack) > 1):
                stop += 1
            word = text[pos:stop]
            stack[-1].append(NIL if word.upper() == "NIL" else Atom(word))
            pos = stop
    if len(stack) > 1:
        if not lenient:
            raise ParseError("unclosed '('")
        while len(stack) > 1:
            items = stack.pop()
            stack[-1].append(List(items))
    return stack[0], marks


def _quoted(text, pos, lenient):
    out = []
    i = pos + 1
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif c == '"':
            return "".join(out), i + 1
        else:
            out.append(c)
            i += 1
    if not lenient:
        raise ParseError("unterminated quoted string")
    return "".join(out), i


def render(args, limit=400, directives=True):
    """A one-line display of arguments for reports (imaptest's imap_args_to_str);
    directives=False leaves out the $! directives the parser added."""
    text = " ".join(_render(a, directives) for a in args if directives or not _is_directive(a))
    return text if len(text) <= limit else text[:limit] + f"...({len(text)} chars)"


def _is_directive(arg):
    return isinstance(arg, Atom) and arg.value.startswith("$!")


def _render(arg, directives=True):
    if isinstance(arg, List):
        return "(" + " ".join(_render(a, directives) for a in arg.items
                              if directives or not _is_directive(a)) + ")"
    if arg is NIL or isinstance(arg, Nil):
        return "NIL"
    if isinstance(arg, Atom):
        return arg.value
    value = arg.value
    if isinstance(arg, Literal) or any(ch in value for ch in '\r\n"\\\0'):
        return ("~" if getattr(arg, "binary", False) else "") + "{" + str(len(value)) + "}" + repr(value[:80])
    return '"' + value + '"'
