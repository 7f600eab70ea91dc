"""Every page address a template or a module builds by name (`url_for('domain.page')`) names
a route that exists: a route renamed or moved to another blueprint fails here, not on the one
page that links to it."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"""url_for\(\s*['"]([\w.]+)['"]""")


def test_every_url_for_names_an_existing_route(app):
    routes = {rule.endpoint for rule in app.url_map.iter_rules()}
    sources = [*ROOT.joinpath("templates").rglob("*.html"),
               *ROOT.joinpath("gfp_portal").rglob("*.py")]
    unknown = [f"{path.relative_to(ROOT)}: {name}" for path in sources
               for name in NAMED.findall(path.read_text(encoding="utf-8"))
               if not name.startswith(".") and name not in routes]
    assert unknown == []
