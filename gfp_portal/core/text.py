"""Plain-text cleaning shared by forms, mail headers and file names."""
import re
import unicodedata

# C0 and C1 controls (line breaks and tabs among them), DEL, and the Unicode line and
# paragraph separators: none belongs in a one-line value such as a title or a mail header.
_CONTROLS = "\x00-\x1f\x7f-\x9f\u2028\u2029"
_LINE_BREAKS = re.compile(rf"\s*[{_CONTROLS}]+\s*")
# Bidirectional embeddings, overrides, isolates and marks: in a file name they can make
# "résumé \u202egpj.exe.pdf" display as "résumé fdp.exe.jpg".
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_FILENAME_NOISE = re.compile(rf"[{_CONTROLS}{_BIDI}]+")


# The zero-width non-joiner and joiner: inside a word they change how it is written (Persian
# "می‌خواهم"; a Malayalam word ending in a chillu written as its letter, a virama and a joiner).
_JOINERS = "\u200c\u200d"
# Tag characters: they end a flag ("🏴" and the tags of "gbwls" are the flag of Wales).
_TAGS = range(0xE0000, 0xE0080)


def _invisible_margin(c, before=""):
    """Whether `c`, at an end of a value (after `before`, at its end), shows nothing and
    means nothing there: a space, or an invisible formatting character (Unicode's Cf, a
    zero-width space, a direction mark, a byte-order mark) pasted with the value, but not a
    joiner closing a word after a combining mark, nor a tag."""
    if c.isspace():
        return True
    if unicodedata.category(c) != "Cf" or ord(c) in _TAGS:
        return False
    return not (c in _JOINERS and before and unicodedata.combining(before))


def single_line(value):
    """`value` on one line: each run of control characters becomes one space; no margins of
    spaces or invisible formatting characters."""
    if not isinstance(value, str):
        return value
    value = _LINE_BREAKS.sub(" ", value)
    start, end = 0, len(value)
    while start < end and _invisible_margin(value[start]):
        start += 1
    while end > start and _invisible_margin(value[end - 1], value[end - 2] if end > 1 else ""):
        end -= 1
    return value[start:end]


def email_address(value):
    """An email address as typed, on one line without margins, its accented letters in one
    form (Unicode's composed form, NFC): "josé@…" typed with an "é" or copied as an "e" and
    an accent (as some programs write it) is one address. Anything but text is itself."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", single_line(value))


_ADDRESS_SEPARATORS = re.compile(r"[\s,;]+")


def email_addresses(text):
    """The email addresses of a typed or pasted list (separated by commas, semicolons, spaces
    or new lines, as mail programs copy them), each cleaned as `email_address` does, in the
    order given; a piece of only invisible marks (a direction mark pasted after a comma) is
    none."""
    pieces = (email_address(piece) for piece in _ADDRESS_SEPARATORS.split(text or ""))
    return [piece for piece in pieces if piece]


# Latin letters that do not decompose into a base letter and an accent, as the ASCII letters
# they are spelt with: what a plain file name or a search key writes for them.
LETTERS_WITHOUT_DECOMPOSITION = {
    "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ł": "L", "ł": "l",
    "Ħ": "H", "ħ": "h", "ı": "i", "Ŀ": "L", "ŀ": "l", "ẞ": "SS", "ß": "ss", "Æ": "AE",
    "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "Ŧ": "T", "ŧ": "t", "Ŋ": "N",
    "ŋ": "n"}
_LATIN_ASCII = str.maketrans(LETTERS_WITHOUT_DECOMPOSITION)


def ascii_letters(value):
    """`value` in ASCII letters: accents dropped ("é" is "e"), the letters that have none to
    drop spelt out ("Łucja Øvergård" is "Lucja Overgard", "Straße" "Strasse"), and what has
    no Latin spelling (Arabic letters, symbols) left out."""
    decomposed = unicodedata.normalize("NFKD", value.translate(_LATIN_ASCII))
    return decomposed.encode("ascii", "ignore").decode("ascii")


def without_controls(value):
    """`value` without control or bidirectional formatting characters (for file names)."""
    return _FILENAME_NOISE.sub("", value)


def given(value):
    """A value as typed, only trimmed at the ends; nothing but spaces is none. Anything but
    text is itself."""
    return (value.strip() or None) if isinstance(value, str) else value


def is_blank(value):
    """Whether `value` shows nothing: no character but spaces, controls and invisible
    formatting ones (a zero-width space, a direction mark)."""
    return not any(unicodedata.category(c)[0] not in "ZC" for c in value or "")


def uploaded_name(value, default):
    """The name of an uploaded file as its sender gave it, to show and to tell its format by
    (never a path on disk): its last part, on one line, without controls or direction marks,
    at most 200 characters; `default` when nothing is left. Names in any script stay whole
    ("أرقام التكافؤ.csv")."""
    name = re.split(r"[/\\]", value or "")[-1]
    name = without_controls(single_line(name)).strip()
    return name[-200:] if name else default
