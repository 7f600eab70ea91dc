"""Every view declares who may call it; a view without a rule is refused."""
import pytest
from flask import Blueprint

from gfp_portal.core.auth import access_rule_of, is_static_endpoint


def test_every_view_has_an_explicit_access_rule(app):
    missing = sorted(
        rule.endpoint for rule in app.url_map.iter_rules()
        if not is_static_endpoint(rule.endpoint)
        and access_rule_of(app.view_functions[rule.endpoint]) is None
    )
    assert missing == [], f"views without an access rule: {missing}"


def test_a_view_without_a_rule_is_refused_at_runtime():
    from gfp_portal.app import create_app

    app = create_app("testing")
    bp = Blueprint("forgotten", __name__)

    @bp.route("/forgotten")
    def forgotten():
        return "secret"

    app.register_blueprint(bp)
    assert app.test_client().get("/forgotten").status_code == 403


# (URL, roles allowed) for every GET page with a fixed URL; None means public.
PAGES = [
    ("/", None),
    ("/login", None),
    ("/password/reset", None),
    ("/healthz", None),
    ("/me", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/me/data", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/me/training", {"focal_point", "admin"}),
    ("/search", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/admin/", {"coordinator", "admin"}),
    ("/admin/outbox/", {"coordinator", "admin"}),
    ("/admin/audit/", {"coordinator", "admin"}),
    ("/admin/jobs", {"coordinator", "admin"}),
    ("/admin/users/", {"admin"}),
    ("/admin/users/new", {"admin"}),
    ("/admin/settings", {"admin"}),
    ("/reference/entities/", {"coordinator", "admin"}),
    ("/reference/entities/new", {"coordinator", "admin"}),
    ("/reference/uncts/", {"coordinator", "admin"}),
    ("/reference/uncts/new", {"coordinator", "admin"}),
    ("/registry/", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/registry/people/new", {"coordinator", "admin"}),
    ("/registry/import", {"coordinator", "admin"}),
    ("/coverage/", {"resident_coordinator", "coordinator", "admin"}),
    ("/dashboard", {"coordinator", "admin"}),
    ("/nominations/", {"resident_coordinator", "coordinator", "admin"}),
    ("/nominations/new", {"resident_coordinator", "coordinator", "admin"}),
    ("/join", None),
    ("/guests/sent", None),
    ("/sessions/", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/sessions/new", {"coordinator", "admin"}),
    ("/sessions/series/new", {"coordinator", "admin"}),
    ("/sessions/attendance-figures", {"coordinator", "admin"}),
    ("/sessions/fair-hours", {"coordinator", "admin"}),
    ("/sessions/evaluations", {"coordinator", "admin"}),
    ("/join/sent", None),
    ("/resources/", None),
    ("/resources/manage/", {"coordinator", "admin"}),
    ("/resources/new", {"coordinator", "admin"}),
    ("/resources/categories", {"coordinator", "admin"}),
    ("/resources/gaps", {"coordinator", "admin"}),
    ("/resources/downloads.csv", {"coordinator", "admin"}),
    ("/resources/downloads.xlsx", {"coordinator", "admin"}),
    ("/practices/", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    # A focal point too, for the entities of their appointments (tests/practices); these
    # accounts hold none.
    ("/practices/new", {"coordinator", "admin"}),
    ("/practices/awards", None),
    ("/practices/awards/new", {"coordinator", "admin"}),
    ("/plans/", {"coordinator", "admin"}),
    ("/plans/new", {"coordinator", "admin"}),
    ("/plans/periods", {"coordinator", "admin"}),
    ("/parity/", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/parity/import", {"coordinator", "admin"}),
    ("/messages/", {"focal_point", "coordinator", "admin"}),
    ("/messages/new", {"coordinator", "admin"}),
    ("/induction/", {"coordinator", "admin"}),
    ("/induction/mine", {"focal_point", "resident_coordinator", "coordinator", "admin"}),
    ("/sessions/topics/", {"coordinator", "admin"}),
]

ROLES = ["anonymous", "focal_point", "resident_coordinator", "coordinator", "admin"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, allowed", PAGES)
def test_page_access_by_role(client, reference, login_as, url, allowed, role):
    if role != "anonymous":
        login_as(role, uncts=["KEN"] if role == "resident_coordinator" else ())
    response = client.get(url)
    if url == "/login" and role != "anonymous":
        assert response.status_code == 302  # already signed in: sent home
    elif allowed is None or role in allowed:
        assert response.status_code == 200
    elif role == "anonymous":
        assert response.status_code == 302
        assert "/login?next=" in response.headers["Location"]
    else:
        assert response.status_code == 403
        assert b"You do not have access to this page" in response.data


def test_every_fixed_get_page_is_in_the_role_table(app):
    """A new page must be added to PAGES above, so its access is tested for every role."""
    fixed = {
        rule.rule for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and not is_static_endpoint(rule.endpoint)
    }
    assert fixed - {url for url, _ in PAGES} == set()
