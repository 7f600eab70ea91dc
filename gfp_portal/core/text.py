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


def single_line(value):
    """`value` on one line: each run of control characters becomes one space; no margins."""
    if not isinstance(value, str):
        return value
    return _LINE_BREAKS.sub(" ", value).strip()


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
