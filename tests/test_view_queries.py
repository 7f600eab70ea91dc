"""Views adapt HTTP only (CONTRIBUTING.md, "Where a new page goes"): a view module reads the
database through its domains' queries and services, and ends its work through the commit helpers
of core.http. Every view module is read from the source and checked."""
import ast
from pathlib import Path

import gfp_portal

PACKAGE = Path(gfp_portal.__file__).parent

# The modules that adapt HTTP to the domains: every domain's views.py, its other route modules
# (`*_views.py`) and its management pages (manage.py).
VIEW_MODULES = sorted([*PACKAGE.glob("*/views.py"), *PACKAGE.glob("*/*_views.py"),
                       *PACKAGE.glob("*/manage.py")])

# What a view leaves to a queries.py or a service: building a query, running it, loading a row
# by its key (db.get_or_404 stays: it answers 404), and committing (core.http.commit_service,
# core.http.commit).
SESSION_CALLS = {"scalars", "scalar", "execute", "get", "query", "commit"}

# (module, function): why it may do so itself. Keep it short.
EXCEPTIONS = {
    ("main/views.py", "healthz"):
        "the health probe asks the database connection itself (SELECT 1), not for any data",
}


def _is_db_session(node):
    return isinstance(node, ast.Attribute) and node.attr == "session" and \
        isinstance(node.value, ast.Name) and node.value.id == "db"


def _forbidden(call):
    """What the call does that a view must not, or None."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "select":
        return "select(...)"
    if isinstance(func, ast.Attribute) and func.attr in SESSION_CALLS and \
            _is_db_session(func.value):
        return f"db.session.{func.attr}(...)"
    return None


def direct_database_calls(path):
    """(function, line, what) for every forbidden call in the module at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    owner = {}
    # ast.walk goes outside in: a nested function's calls end up assigned to it.
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                if inner is not node:
                    owner[id(inner)] = node.name
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    for node in sorted(calls, key=lambda call: (call.lineno, call.col_offset)):
        if what := _forbidden(node):
            yield owner.get(id(node), "<module>"), node.lineno, what


def test_the_view_modules_are_found():
    assert len(VIEW_MODULES) > 10 and all(path.exists() for path in VIEW_MODULES)


def test_views_query_and_commit_through_queries_and_services():
    found = []
    for path in VIEW_MODULES:
        module = path.relative_to(PACKAGE).as_posix()
        for function, line, what in direct_database_calls(path):
            if (module, function) not in EXCEPTIONS:
                found.append(f"gfp_portal/{module}:{line} in {function}: {what}")
    assert not found, ("views call the database directly; name the query in the domain's "
                       "queries.py (or a service) and commit through core.http:\n"
                       + "\n".join(found))


def test_every_exception_is_still_needed():
    used = {(path.relative_to(PACKAGE).as_posix(), function)
            for path in VIEW_MODULES for function, _line, _what in direct_database_calls(path)}
    assert not set(EXCEPTIONS) - used, "exceptions no longer needed: remove them"
