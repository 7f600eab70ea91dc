"""Every GET route, as every role, with hostile values in every query parameter, and every form
each role is shown, with hostile values in every field: a page, a redirect, a 4xx with a
translated reason — never a 5xx."""
import io
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from flask import url_for
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.routing import AnyConverter
from werkzeug.routing.converters import NumberConverter
from wtforms.fields.core import UnboundField

import gfp_portal
from gfp_portal.accounts.models import User
from gfp_portal.core import tables
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.extensions import db
from gfp_portal.parity import imports as parity_imports
from gfp_portal.reference.models import Entity, Unct
from gfp_portal.sessions.models import Topic
from tests.helpers import PDF, appoint_undp_alternate, login
from tests.markup import fill, parse

ROLES = {"anonymous": None, "focal_point": ("focal_point",),
         "resident_coordinator": ("resident_coordinator",), "coordinator": ("coordinator",),
         "admin": ("admin", "coordinator")}
HOSTILE = [
    "\x00", "a\x00b", "\\", "%", "%%", "_", "%_\\", "9" * 20, "-" + "9" * 20, "1e309", "NaN",
    "x" * 10_000, "\u202eمرحبا\u200b\u200f\u2066", "\ufeff", "\u200d" * 50, "0", "-1",
    "' OR 1=1 --", "//evil.example", "javascript:alert(1)", "../../etc/passwd", "%00", "",
    " ", "\t\u00a0",
]
# In every parameter at once: NUL alone, a huge number alone, LIKE wildcards with RTL and
# zero-width characters, a long text (10,000 characters go to random parameters below), and
# spaces alone (a no-break space among them), which a field that may be left empty accepts as
# empty and hands on as they are.
SWEEP = ["\x00", "9" * 20, "%_\\ \u202eمرحبا\u200b\ufeff", "x" * 1_000, " \u00a0"]


def query_parameters():
    """The query parameters the portal reads: the filter forms' fields, every
    request.args.get in the code, and the ones every page understands."""
    names = {"page", "lang", "next"}
    for path in Path(gfp_portal.__file__).parent.rglob("*.py"):
        names |= set(re.findall(r"request\.args\.get\(\s*[\"'](\w+)", path.read_text()))
    forms, seen = [FlaskForm], []
    while forms:
        form = forms.pop()
        seen.append(form)
        forms += form.__subclasses__()
    for form in seen:
        if form.__name__.endswith("FilterForm"):
            names |= {name for name, value in vars(form).items()
                      if isinstance(value, UnboundField)}
    return sorted(names)


@pytest.fixture
def world(app, reference, create_user, monkeypatch, tmp_path):
    """One of everything a route can name, and a signed-in client per role."""
    from gfp_portal.core.jobs import Job, JobState
    from gfp_portal.nominations.services import submit_nomination
    from gfp_portal.plans import services as plans
    from gfp_portal.practices import services as practices
    from gfp_portal.programme import agenda
    from gfp_portal.resources import services as resources
    from gfp_portal.resources.models import ResourceCategory
    from gfp_portal.sessions import registration
    from gfp_portal.sessions import services as sessions

    monkeypatch.setitem(app.config, "STORAGE_PATH", str(tmp_path / "storage"))
    ids = {role: create_user(f"{role}@example.org", roles=roles, uncts=(
        ["KEN"] if role == "resident_coordinator" else []))
        for role, roles in ROLES.items() if roles}
    with app.app_context():
        coordinator = db.session.get(User, ids["coordinator"])
        fp = db.session.get(User, ids["focal_point"])
        undp = db.session.scalars(select(Entity).filter_by(acronym="UNDP")).one()
        kenya = db.session.scalars(select(Unct).filter_by(iso3="KEN")).one()
        kenya.members = [undp]
        appointment = appoint_undp_alternate(fp, actor=coordinator)
        start = datetime.now(UTC) + timedelta(days=10)
        session = sessions.create_session({
            "title_en": "Parity dashboard", "topic": "parity_dashboard", "format": "virtual",
            "starts_at": start, "ends_at": start + timedelta(hours=1), "time_zone": "UTC",
            "join_url": "https://meet.example.org/x", "capacity": 5}, actor=coordinator)
        sessions.publish_session(session, actor=coordinator)
        registration.register(session, fp.person, actor=None, notify=True)
        item = agenda.add_item(session, {"title_en": "Opening", "starts_at": start},
                               actor=coordinator)
        nomination = submit_nomination({
            "role": "focal_point", "entity": undp, "unct": kenya, "given_name": "Wanjiru",
            "family_name": "Kamau", "email": "w.kamau@undp.org", "position_title": "Chief",
            "grade": "P-5", "preferred_language": "en", "time_share": 20,
            "tor_acknowledged": True, "start_date": None, "justification": "Senior.",
            "replaces": None}, actor=db.session.get(User, ids["resident_coordinator"]))
        resources.ensure_default_categories()
        resource = resources.create_resource({
            "slug": "guide", "category": db.session.scalars(select(ResourceCategory)).first(),
            "visibility": "public", "is_published": False, "tags": ["parity"]}, actor=None)
        resources.add_version(resource, {"language": "en", "title": "Guide", "summary": "S"},
                              FileStorage(stream=io.BytesIO(PDF), filename="guide.pdf"),
                              actor=None)
        resources.set_published(resource, True, actor=None)
        practice = practices.submit_practice({
            "entity": undp, "year": 2023, "area": "talent", "contacts": fp.email,
            "language": "en", "title": "Mentoring", "summary": "S", "body": "Pairs.",
            "results": "32 % → 41 %"}, actor=fp)
        award = practices.create_award({
            "year": 2024, "event": "Global Annual Meeting 2024", "name": "Award",
            "entity": undp, "recipients": fp.email, "citations": {"fr": "Pour."}},
            actor=coordinator)
        period = plans.create_period({"name": "2022–2024", "first_year": 2022,
                                      "last_year": 2024, "deadline": date(2024, 3, 31)},
                                     actor=coordinator)
        plan = plans.create_plan(undp, period, responsible=[fp.person], actor=coordinator)
        document = plans.add_document(plan, "en", FileStorage(stream=io.BytesIO(PDF),
                                                               filename="plan.pdf"),
                                      actor=coordinator)
        job = Job(kind="sessions.register-group", state=JobState.running, done=1, total=2,
                  params={"session_id": session.id, "person_ids": [fp.person_id]},
                  created_by_id=fp.id)
        db.session.add(job)
        parity_imports.import_whole("parity.csv", tables.to_csv([
            ["entity", "period", "grade", "station", "women", "men"],
            ["UNDP", "2024-Q4", "P-4", "HQ", 10, 12], ["UNDP", "2024-Q4", "G-5", "KEN", 3, 1]]),
            actor=coordinator)
        db.session.commit()
        args = {"acronym": "UNDP", "job_id": job.id, "session_id": session.id,
                "person_id": fp.person_id, "user_id": fp.id,
                "appointment_id": appointment.id, "nomination_id": nomination.id,
                "entity_id": undp.id, "unct_id": kenya.id, "slug": "guide", "lang": "en",
                "iso3": "KEN", "token": "no-such-token", "code": "NOSUCHCODE",
                "message_id": db.session.scalars(select(OutboxMessage.id)).first(),
                "practice_id": practice.id, "award_id": award.id,
                "plan_id": plan.id, "document_id": document.id, "item_id": item.id,
                "topic_id": db.session.scalars(select(Topic.id).filter_by(
                    key="parity_dashboard")).one()}
    clients = {}
    for role, roles in ROLES.items():
        clients[role] = app.test_client()
        if roles:
            assert login(clients[role], f"{role}@example.org").status_code == 302
    return {"args": args, "clients": clients, "urls": get_urls(app, args)}


def get_urls(app, args):
    urls = {}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint.endswith("static"):
                continue
            values = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                values[name] = sorted(converter.items)[0] if isinstance(
                    converter, AnyConverter) else args[name]
            urls[rule.endpoint] = url_for(rule.endpoint, **values)
    return urls


def failures(world, role, url, params):
    with world["clients"][role].get(url, query_string=params) as response:
        status = response.status_code
    return [] if status < 500 else [(role, url, status, params)]


def test_the_parameters_the_sweep_sends_include_every_filter():
    names = query_parameters()
    assert {"q", "page", "older_than", "expiring", "language", "month", "by", "object_type",
            "action", "region", "state", "view", "unct", "entity", "email"} <= set(names)


def test_every_route_and_role_survives_hostile_values_in_every_parameter(world):
    assert None not in world["args"].values()
    assert {"main.search", "registry.person", "sessions.detail"} <= set(world["urls"])
    names = query_parameters()
    found = []
    for role in ROLES:
        for url in world["urls"].values():
            for value in SWEEP:
                found += failures(world, role, url, dict.fromkeys(names, value))
    assert found == []


def test_query_keys_that_name_url_for_arguments_are_taken_as_plain_filters(world, app):
    """A page that carries its query on to other links ("?fmt=pdf" on the registry, whose
    export links give fmt themselves) must not hand the keys to url_for as its own."""
    keys = {"endpoint", "fmt", "values", "_external", "_anchor", "_method", "_scheme"}
    keys |= {name for rule in app.url_map.iter_rules() for name in rule.arguments}
    found = []
    for role in ROLES:
        for url in world["urls"].values():
            found += failures(world, role, url, dict.fromkeys(sorted(keys), "x"))
    assert found == []


@settings(max_examples=200, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_hostile_values_never_get_a_server_error(world, data):
    # Text without lone surrogates: a browser cannot send one in an address.
    text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
    values = st.one_of(st.sampled_from(HOSTILE), text,
                       st.integers(min_value=-10**30, max_value=10**30).map(str))
    role = data.draw(st.sampled_from(sorted(ROLES)))
    url = data.draw(st.sampled_from(sorted(world["urls"].values())))
    params = data.draw(st.dictionaries(st.sampled_from(query_parameters()), values,
                                       max_size=10))
    assert failures(world, role, url, params) == []


def form_fields(world, roles):
    """(role, action, named fields) of every form that posts, on every page each of `roles`
    sees: the form's own fields and buttons, and those that name it (form="…")."""
    for role in roles:
        for url in world["urls"].values():
            with world["clients"][role].get(url) as response:
                if response.status_code != 200 or response.mimetype != "text/html":
                    continue
                elements = parse(response.get_data(as_text=True))
            posting = {id(e): e for e in elements
                       if e.tag == "form" and e.attrs.get("method", "").lower() == "post"}
            by_id = {e.attrs["id"]: e for e in posting.values() if e.attrs.get("id")}
            fields = {form_id: [] for form_id in posting}
            for element in elements:
                if element.tag not in FIELDS or not element.attrs.get("name"):
                    continue
                form = by_id.get(element.attrs.get("form")) or _form_of(element, posting)
                if form is not None:
                    fields[id(form)].append(element)
            for form_id, form in posting.items():
                yield role, form.attrs.get("action") or url, fields[form_id]


def posted_forms(world):
    """{(role, action): field names} of every form that posts, on every page each role sees
    (none for a form that is only a button)."""
    forms = {}
    for role, action, fields in form_fields(world, world["clients"]):
        forms.setdefault((role, action), set()).update(e.attrs["name"] for e in fields)
    return forms


FIELDS = {"input", "select", "textarea", "button"}
# Beyond the query sweep: more digits than a float holds (WTForms' range check stopped on
# them), text shaped like a date that is none (the history read it as one), and times at the
# ends of the calendar, which a time zone moves out of it.
FORM_SWEEP = [*SWEEP, "1" * 400, "2024-13-45", "0001-01-01T00:00", "9999-12-31T23:59"]
# Posted last: the role signs out, and its later posts would be an anonymous visitor's.
SIGN_OUT = "/logout"


def _form_of(element, posting):
    while element is not None:
        if id(element) in posting:
            return element
        element = element.parent
    return None


def test_every_form_survives_hostile_values_in_every_field(world):
    forms = posted_forms(world)
    assert {action for __, action in forms} >= {SIGN_OUT, "/registry/people/new"}
    found = []
    for (role, action), names in sorted(forms.items(), key=lambda item: item[0][1] == SIGN_OUT):
        posts = [{"data": dict.fromkeys(names, value)} for value in FORM_SWEEP]
        # Flask-WTF reads a JSON body as a form: objects, numbers and lists in text fields.
        posts.append({"json": dict.fromkeys(names, {"x": [1, True]})})
        for post in posts:
            with world["clients"][role].post(action, **post) as response:
                if response.status_code >= 500:
                    found.append((role, action, response.status_code, post))
    assert found == []


def test_every_form_survives_a_file_in_every_field(world):
    """A form that carries a file: Flask-WTF hands every field the files along with the text,
    so a field that takes text could be given a file."""
    forms = posted_forms(world)
    found = []
    for (role, action), names in sorted(forms.items(), key=lambda item: item[0][1] == SIGN_OUT):
        posted = {name: FileStorage(io.BytesIO(PDF), filename="a.pdf") for name in names}
        with world["clients"][role].post(action, data=posted) as response:
            if response.status_code >= 500:
                found.append((role, action, response.status_code))
    assert found == []


@pytest.fixture
def forms(world):
    return sorted(((role, action), sorted(names))
                  for (role, action), names in posted_forms(world).items()
                  if action != SIGN_OUT)


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_hostile_values_in_forms_never_get_a_server_error(world, forms, data):
    text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
    values = st.one_of(st.sampled_from(HOSTILE + FORM_SWEEP), text,
                       st.integers(min_value=-10**30, max_value=10**30).map(str))
    (role, action), names = data.draw(st.sampled_from(forms))
    posted = {name: data.draw(values) for name in names if data.draw(st.booleans())}
    with world["clients"][role].post(action, data=posted) as response:
        assert response.status_code < 500, (role, action, posted)


# A number beyond any id a column holds (PostgreSQL's integer stops at 2**31 − 1; SQLite
# cannot bind one of more than 64 bits).
BEYOND_ANY_ID = "9" * 20


def test_an_address_with_a_number_beyond_any_id_is_not_found(world, app):
    found, tried = [], 0
    for rule in app.url_map.iter_rules():
        numbered = [name for name, converter in rule._converters.items()
                    if isinstance(converter, NumberConverter)]
        if not numbered:
            continue
        values = {name: BEYOND_ANY_ID if name in numbered else _value(rule, name, world)
                  for name in rule.arguments}
        path = re.sub(r"<(?:[^<>:]+:)?(\w+)>",
                      lambda match, values=values: str(values[match[1]]), rule.rule)
        for method in sorted({"GET", "POST"} & rule.methods):
            tried += 1
            with world["clients"]["coordinator"].open(path, method=method) as response:
                if response.status_code != 404:
                    found.append((method, path, response.status_code))
    assert tried > 50
    assert found == []


def _value(rule, name, world):
    converter = rule._converters[name]
    return sorted(converter.items)[0] if isinstance(converter, AnyConverter) else \
        world["args"][name]


def filled_forms(world):
    """{(role, action): (form data as its page fills it, names of its date fields)} of every
    form that posts, on every page each signed-in role sees."""
    forms = {}
    signed_in = [role for role in world["clients"] if role != "anonymous"]
    for role, action, fields in form_fields(world, signed_in):
        data, dates = forms.setdefault((role, action), (MultiDict(), set()))
        for element in fields:
            _fill(data, dates, element)
    return forms


def _fill(data, dates, element):
    if element.tag == "input" and element.attrs.get("type") in ("date", "datetime-local"):
        dates.add(element.attrs["name"])
    fill(data, element)


# A date of a year no term or session has: the day after it, or a term's default end, would not
# exist (ValueError, OverflowError).
OUT_OF_RANGE_DATES = ["9999-12-31", "0001-01-01", "9999-12-31T23:59", "0001-01-01T00:00"]


def test_every_form_filled_as_its_page_fills_it_survives_one_date_out_of_range(world):
    found, tried = [], 0
    for (role, action), (data, dates) in sorted(filled_forms(world).items()):
        if action == SIGN_OUT:
            continue
        for name in sorted(dates):
            for value in OUT_OF_RANGE_DATES:
                posted = MultiDict(data)
                posted.setlist(name, [value])
                tried += 1
                with world["clients"][role].post(action, data=posted) as response:
                    if response.status_code >= 500:
                        found.append((role, action, name, value, response.status_code))
    assert tried > 20
    assert found == []
