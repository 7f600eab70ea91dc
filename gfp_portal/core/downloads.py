"""Downloads: one way to name a file for every client (RFC 6266) and to send it."""
import re
from urllib.parse import quote

from flask import Response, request
from werkzeug.http import dump_options_header

from gfp_portal.core.text import ascii_letters, single_line, without_controls

# The characters a file name keeps in the plain `filename` parameter.
_PLAIN = r"\w.() -"
_PLAIN_NAME = re.compile(rf"[{_PLAIN}]+", re.ASCII)


def content_disposition(filename):
    """`attachment` with the file name as every client reads it (RFC 6266): an ASCII
    `filename` (its Latin letters spelt in ASCII: core.text.ascii_letters), plus `filename*`
    in UTF-8, the name as it is, when the name is not plain ASCII (e.g. Arabic)."""
    name = without_controls(single_line(str(filename))) or "download"
    if _PLAIN_NAME.fullmatch(name):
        return dump_options_header("attachment", {"filename": name})
    fallback = ascii_letters(name)
    fallback = re.sub(r"\s+", " ", re.sub(rf"[^{_PLAIN}]+", "", fallback, flags=re.ASCII)).strip()
    stem = fallback.rpartition(".")[0] if "." in fallback else fallback
    if not re.search(r"[A-Za-z]", stem):  # nothing left of an Arabic name but its date
        fallback = "download" + ("" if fallback[:1] in ("-", ".") else "-") + fallback
    options = {"filename": fallback, "filename*": "UTF-8''" + quote(name, safe="!#$&+-.^_`|~")}
    return dump_options_header("attachment", options)


def send_download(source, filename, *, content_type, etag=None):
    """A download of `source` (bytes, or a core.storage Stream sent chunk by chunk) named
    `filename`. With an `etag` (the file's checksum), a client that already has this content
    gets a 304 and the file is not read at all."""
    if isinstance(source, bytes):
        response = Response(source, content_type=content_type)
    else:
        response = Response(source.chunks, content_type=content_type, direct_passthrough=True)
        response.content_length = source.size
    response.headers["Content-Disposition"] = content_disposition(filename)
    if etag:
        response.set_etag(etag)
        response.make_conditional(request)
    return response


def not_modified(etag):
    """A 304 when the client already holds the content `etag` names (If-None-Match), so the
    caller builds nothing; else None."""
    if not request.if_none_match.contains(etag):
        return None
    response = Response(status=304)
    response.set_etag(etag)
    return response
