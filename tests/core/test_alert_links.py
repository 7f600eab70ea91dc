"""A link inside an alert takes the alert's own link colour (Bootstrap's `alert-link`): the
default link blue on an alert's tinted background falls below the contrast WCAG 2.1 asks
(SC 1.4.3), as axe found on an approved nomination's page."""
import re
from html.parser import HTMLParser
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALERT = re.compile(r"(?<![\w-])alert(?![\w-])")
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}


class _Alerts(HTMLParser):
    """The links of a template's alerts: (their start tag, whether they take a link colour
    of their own, alert-link or a button's)."""

    def __init__(self):
        super().__init__()
        self.stack, self.links = [], []

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "a" and any(self.stack):
            styled = re.search(r"(?<![\w-])(alert-link|btn)(?![\w-])", classes)
            self.links.append((self.get_starttag_text(), bool(styled)))
        if tag not in VOID:
            self.stack.append(bool(ALERT.search(classes)))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()


def _links_in_alerts():
    for path in sorted(TEMPLATES.rglob("*.html")):
        parser = _Alerts()
        parser.feed(path.read_text(encoding="utf-8"))
        for tag, styled in parser.links:
            yield f"{path.relative_to(TEMPLATES)}: {tag[:90]}", styled


def test_the_scan_reads_the_links_of_alerts():
    """The scan finds the links alerts hold, styled as they should be (not a check that
    passes because it reads nothing)."""
    assert sum(styled for _link, styled in _links_in_alerts()) >= 3


def test_every_link_in_an_alert_has_the_alerts_link_colour():
    assert [link for link, styled in _links_in_alerts() if not styled] == []
