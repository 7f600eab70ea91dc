"""The global search of the header: people as the viewer's role may see them, entities, country
teams, sessions and resources. Each kind is read through the query of its own list page, so
that the results and the page their "all results" link opens agree; each costs one query (the
first rows, each carrying the count of all) and its eager loads, whatever the size of the
network."""
from dataclasses import dataclass, field

from gfp_portal.core.db import first_rows_and_count
from gfp_portal.reference import queries as reference_queries
from gfp_portal.registry import queries as registry_queries
from gfp_portal.resources import queries as resource_queries
from gfp_portal.sessions import queries as session_queries

# Results shown per kind; the others are one link away, on the kind's own list page.
SHOWN = 5
# Longer than any name or title a person types (the list pages' filters take up to 200).
MAX_LENGTH = 100


@dataclass
class Group:
    """The results of one kind: `items` the first SHOWN of `total`; `more` the list page's
    endpoint and query string, when the viewer has one."""
    kind: str                   # people | directory | entities | uncts | sessions | resources
    items: list
    total: int
    more: tuple | None = None   # (endpoint, {argument: value})


@dataclass
class Results:
    q: str
    groups: list = field(default_factory=list)

    @property
    def total(self):
        return sum(group.total for group in self.groups)


def _group(kind, stmt, more=None):
    """The first SHOWN rows of `stmt` and how many there are: a search tests every candidate
    before the order, so the matches are found once, not again to count them. (The list
    queries eager-load no collection by a join, so each row is one item.)"""
    return Group(kind, *first_rows_and_count(stmt, SHOWN), more)


def _people(user, q, scope_unct_ids, today):
    """The registry for the Office and Resident Coordinators (their own teams only, as its list
    shows them), the network directory for the focal points; nothing for other accounts."""
    if user.is_staff or user.has_role("resident_coordinator"):
        f = registry_queries.RegistryFilter(q=q, status="any", scope_unct_ids=scope_unct_ids)
        return _group("people", registry_queries.people_query(f),
                      ("registry.index", {"q": q, "status": "any"}))
    if user.has_role("focal_point"):
        return _group("directory", registry_queries.directory_query(q, today=today),
                      ("registry.index", {"q": q}))
    return None


def search(user, q, *, now, scope_unct_ids, today=None):
    """What `user` may see that matches `q` (accents and case ignored), kind by kind; a kind
    the viewer may not read, or with no match, is left out. `scope_unct_ids`: the country
    teams a Resident Coordinator sees (accounts.queries.visible_unct_ids), None for all;
    `today`: the viewer's day, as the directory reads it (that of `now` in UTC unless told)."""
    staff = user.is_staff
    groups = [
        _people(user, q, scope_unct_ids, today or now.date()),
        _group("entities", reference_queries.entities_query(q),
               ("reference.entities", {"q": q}) if staff else None),
        _group("uncts", reference_queries.uncts_query(q),
               ("reference.uncts", {"q": q}) if staff else None),
        _group("sessions", session_queries.sessions_query(
            session_queries.SessionFilter(when="any", q=q), now=now, include_drafts=staff),
            ("sessions.index", {"q": q, "when": "any"})),
        _group("resources", resource_queries.library_query(user, q=q),
               ("resources.index", {"q": q})),
    ]
    return Results(q, [g for g in groups if g is not None and g.total])
