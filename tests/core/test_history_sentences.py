"""Every action the portal audits reads as a sentence: an action written in the code
(log_action, log_changes, log_creation, or an `action=` handed on to them) that no domain
describes would read "Changed" in the audit log and the histories."""
import ast
from pathlib import Path

import gfp_portal
from gfp_portal.core import history

PACKAGE = Path(gfp_portal.__file__).parent
WRITERS = {"log_action", "log_changes", "log_creation"}


def _name(func):
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def audited_actions():
    """{action: "module:line"} of every action written as a literal in the code."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            literals = []
            if isinstance(node, ast.Call) and _name(node.func) in WRITERS and node.args:
                literals.append(node.args[0])
            if isinstance(node, ast.Call):
                literals += [k.value for k in node.keywords if k.arg == "action"]
            if isinstance(node, ast.Assign) and any(  # action = "topic.update"
                    isinstance(t, ast.Name) and t.id == "action" for t in node.targets):
                literals.append(node.value)
            if isinstance(node, ast.FunctionDef):  # a default: def appoint(…, action="…")
                literals += [d for a, d in zip(node.args.kwonlyargs, node.args.kw_defaults,
                                               strict=True) if a.arg == "action" and d is not None]
            # action = "topic.activate" if … else "topic.deactivate"
            literals = [part for literal in literals for part in (
                (literal.body, literal.orelse) if isinstance(literal, ast.IfExp) else (literal,))]
            for literal in literals:
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                    found.setdefault(literal.value,
                                     f"{path.relative_to(PACKAGE)}:{literal.lineno}")
    return found


def test_the_code_audits_the_actions_it_is_known_to(app):
    actions = audited_actions()
    assert {"appointment.create", "agenda.add", "person.anonymise", "topic.activate"} \
        <= set(actions)


def test_every_action_the_code_audits_reads_as_a_sentence(app):
    unsaid = {action: where for action, where in audited_actions().items()
              if action not in history._SENTENCES}
    assert unsaid == {}
