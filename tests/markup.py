"""The HTML mistakes the Nu Html Checker and axe-core found in the portal's pages, checked on a
page's source without a browser, so that each page test can say the page is free of them."""
import re
from collections import Counter
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}
# An HTML date-time has at most three digits of fractions of a second.
TOO_PRECISE = re.compile(r"\.\d{4,}")


class Element:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children = []
        self.text = ""

    def all_text(self):
        return self.text + "".join(child.all_text() for child in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = self.current = Element("#document", {}, None)
        self.elements = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.elements.append(element)
        if tag not in VOID:
            self.current = element

    def handle_startendtag(self, tag, attrs):
        element = Element(tag, attrs, self.current)
        self.current.children.append(element)
        self.elements.append(element)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.text += data


def parse(html):
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.elements


def fill(data, element):
    """Add to `data` (a MultiDict) what the field `element` sends as its page fills it: a
    text's value, a select's chosen options (the first when none is), a box when ticked."""
    name, kind = element.attrs["name"], element.attrs.get("type", "text")
    if element.tag == "textarea":
        data.add(name, element.all_text())
    elif element.tag == "select":
        options = [o for o in element.children if o.tag == "option"]
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        for option in chosen:
            data.add(name, option.attrs.get("value", option.all_text()))
    elif element.tag == "input" and kind not in ("file", "submit") and (
            kind not in ("checkbox", "radio") or "checked" in element.attrs):
        data.add(name, element.attrs.get("value", "y"))


def filled_form(html, field):
    """The data that the form of `html` holding the field named `field` sends as its page
    fills it."""
    elements = parse(html)
    return _sent_by(elements, next(enclosing(e, "form") for e in elements
                                   if e.attrs.get("name") == field))


def form_to(html, action):
    """The data that the (first) form of `html` posting to an address ending with `action`
    sends as its page fills it."""
    elements = parse(html)
    return _sent_by(elements, next(
        e for e in elements if e.tag == "form"
        and (e.attrs.get("action") or "").split("?")[0].endswith(action)))


def _sent_by(elements, form):
    """What `form`, one of the parsed `elements`, sends as its page fills it."""
    data = MultiDict()
    for element in elements:
        if element.tag in ("input", "select", "textarea") and element.attrs.get("name") \
                and enclosing(element, "form") is form:
            fill(data, element)
    return data


def ancestors(element):
    """The elements holding `element`, nearest first."""
    while element.parent is not None:
        element = element.parent
        yield element


def enclosing(element, tag):
    """The nearest element `tag` that holds `element`, or None."""
    return next((a for a in ancestors(element) if a.tag == tag), None)


def inside(element, ancestor):
    """Whether `ancestor` (an element, not a tag) holds `element`."""
    return any(a is ancestor for a in ancestors(element))


def markup_problems(html):
    """A line for each mistake in the page: empty form actions, repeated ids, fieldsets whose
    first child is not their legend, required selects that always have a value, over-precise
    <time datetime>, maxlength on a month input, a name read out that leaves the words shown
    out, a label only screen readers see (outside a table, whose column header shows it),
    markup inside the text of a field's help, and a list that is a live region (role="alert"
    or "status" on a <ul> is refused by the HTML checker: the role goes on an element around
    it)."""
    elements = parse(html)
    problems = []
    ids = Counter(e.attrs["id"] for e in elements if e.attrs.get("id"))
    problems += [f'id="{id_}" is used {count} times' for id_, count in ids.items() if count > 1]
    for e in elements:
        if e.tag == "form" and "action" in e.attrs and not e.attrs["action"]:
            problems.append('<form action="">')
        if e.tag == "fieldset" and (not e.children or e.children[0].tag != "legend"):
            problems.append("a <fieldset> whose first child is not its <legend>")
        if e.tag == "select" and "required" in e.attrs and "multiple" not in e.attrs:
            options = [child for child in e.children if child.tag == "option"]
            if options and options[0].attrs.get("value", options[0].all_text()) != "":
                problems.append(f"required <select name={e.attrs.get('name')}> without an "
                                "empty first option")
        if e.tag == "time" and TOO_PRECISE.search(e.attrs.get("datetime", "")):
            problems.append(f"<time datetime={e.attrs['datetime']}>")
        if e.tag == "input" and e.attrs.get("type") == "month" and "maxlength" in e.attrs:
            problems.append(f"maxlength on the month input {e.attrs.get('name')}")
        label = e.attrs.get("aria-label") if e.tag in ("a", "button", "summary") else None
        shown = " ".join(e.all_text().split())
        if label is not None and shown and shown.casefold() not in label.casefold():
            problems.append(f"<{e.tag} aria-label={label!r}> shows {shown!r}")
        if e.tag == "label" and "visually-hidden" in e.attrs.get("class", "").split() \
                and enclosing(e, "td") is None:
            problems.append(f"the label of {e.attrs.get('for')} is hidden")
        if e.tag in ("ul", "ol") and e.attrs.get("role") in ("alert", "status"):
            problems.append(f'<{e.tag} role="{e.attrs["role"]}">')
        if "form-text" in e.attrs.get("class", "").split() and e.children:
            problems.append(f"markup in the help text {e.attrs.get('id')}: "
                            f"<{e.children[0].tag}>")
    return problems


# What a file field says when its form is shown again after a file was chosen for it.
CHOOSE_FILE_AGAIN = "Choose the file again: the browser does not keep a chosen file."


def described_by(html, name):
    """The texts that describe the field named `name` to assistive technology (its
    aria-describedby), one per element, spaces collapsed."""
    elements = parse(html)
    field = next(e for e in elements if e.attrs.get("name") == name
                 and e.tag in ("input", "select", "textarea"))
    ids = field.attrs.get("aria-describedby", "").split()
    by_id = {e.attrs["id"]: e for e in elements if e.attrs.get("id") in ids}
    return [" ".join(by_id[id_].all_text().split()) for id_ in ids if id_ in by_id]
