"""Every module that builds ORM loader options or aliases, and every `queries.py` (whose
statements may be built at module level), imports on its own, first, in a new interpreter: a
loader option or alias made at import configures the mappers, which fails while a model named
in a relationship is not imported yet (CONTRIBUTING.md, "Keeping pages fast"). Inside the
application every model is imported before, so only a fresh interpreter shows it."""
import re
import subprocess
import sys
from pathlib import Path

import gfp_portal

PACKAGE = Path(gfp_portal.__file__).parent

# The constructs of sqlalchemy.orm that inspect a mapped class when they are called.
ORM_IMPORT = re.compile(
    r"^from sqlalchemy\.orm import [^\n]*\b(aliased|\w*load|defer|undefer|contains_eager"
    r"|with_polymorphic)\b", re.MULTILINE)

# Imports each module named on the command line in a child forked from an interpreter that
# holds only the third-party packages, so that the module is the first of gfp_portal imported.
FORK_EACH = """
import importlib, os, sys
import flask, flask_babel, flask_login, flask_sqlalchemy, flask_wtf, sqlalchemy.orm
for name in sys.argv[1:]:
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            importlib.import_module(name)
            os.write(write, b"ok")
        except BaseException as error:
            os.write(write, repr(error).encode()[:400])
        os._exit(0)
    os.close(write)
    outcome = os.read(read, 500).decode()
    os.close(read)
    os.waitpid(pid, 0)
    print(name, outcome, sep="\\t")
"""


def orm_modules():
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "queries.py" or ORM_IMPORT.search(path.read_text(encoding="utf-8")):
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_the_modules_that_build_loader_options_find_some():
    assert "gfp_portal.attendance.queries" in orm_modules()


def test_each_module_that_builds_loader_options_imports_on_its_own():
    result = subprocess.run([sys.executable, "-c", FORK_EACH, *orm_modules()],  # noqa: S603
                            capture_output=True, text=True, cwd=PACKAGE.parent, timeout=300)
    assert result.returncode == 0, result.stderr
    outcomes = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert set(outcomes) == set(orm_modules())
    assert {name: outcome for name, outcome in outcomes.items() if outcome != "ok"} == {}
