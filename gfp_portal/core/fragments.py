"""Parts of a page rendered once for all the requests that share what they read.

The main menu of a page depends only on the language, the reader's roles and the page itself
(its active item), yet building it (its links and labels) is a tenth of a page's work. The
caller names every fact the template reads; the template must read nothing else."""
from functools import lru_cache

from flask import render_template
from markupsafe import Markup


@lru_cache(maxsize=4096)
def rendered_once(template, *facts):
    """`template` as rendered for the request that first asked with these `facts`."""
    return Markup(render_template(template))  # noqa: S704 — a template rendered with autoescape
