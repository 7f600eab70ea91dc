"""The layers of gfp_portal point one way (CONTRIBUTING.md, "Layers"): every import between its
packages, at module level or inside a function, is read from the source and checked."""
import ast
from pathlib import Path

import gfp_portal

PACKAGE = Path(gfp_portal.__file__).parent

# Lowest first. A domain module may import its own package and the packages of lower layers;
# packages on one line know nothing of each other. When a lower domain must react to a higher
# one, the lower one sends a signal (registry/signals.py) or takes what it needs as an argument.
# `admin` holds the Office's queries and forms over the domains below it; its views are edge.
LAYERS = (
    ("core",),
    ("extensions",),
    ("reference",),
    ("registry",),
    ("accounts",),
    ("sessions", "nominations", "resources", "practices", "plans", "parity"),
    ("attendance", "coverage", "admin"),
    ("messages", "programme", "induction"),
    ("privacy",),  # erases what every domain holds of a person or a guest
)

# The edge of each domain: the modules that adapt HTTP, the command line and the job queue to
# its services. They sit above every domain and may import any of them, but nothing in a
# domain imports them; only the application factory does. A module named `*_views` (a domain's
# second or third set of pages, such as attendance/certificate_views.py) is edge too.
EDGE_MODULES = ("views", "manage", "cli", "jobs")

# Whole packages made only of edge: the site's own pages and the demo data. Like the edges
# above, they may import every domain.
EDGE_PACKAGES = ("main", "demo")

EDGE = len(LAYERS)
APP = EDGE + 1

# Function-level imports of gfp_portal modules allowed, as (module, imported module): why.
# Keep it empty: a seam (a signal, an argument) is the answer to a cycle.
FUNCTION_LEVEL_EXCEPTIONS = {}


def module_name(path):
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def rank(module):
    """(layer, package) of a gfp_portal module."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] == "app":
        return APP, "app"
    package = parts[1]
    if package in EDGE_PACKAGES or (package != "core" and len(parts) > 2
                                    and (parts[2] in EDGE_MODULES
                                         or parts[2].endswith("_views"))):
        return EDGE, package
    for layer, packages in enumerate(LAYERS):
        if package in packages:
            return layer, package
    raise AssertionError(f"{module}: its package is in no layer of tests/test_layers.py")


def imports(path):
    """(imported module, line, inside a function) for every gfp_portal import of `path`."""
    module = module_name(path)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    in_function = {id(node) for function in ast.walk(tree)
                   if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                   for node in ast.walk(function)}
    base = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parent = base[:len(base) - node.level + 1]
                source = ".".join(parent + ([node.module] if node.module else []))
            else:
                source = node.module
            # `from gfp_portal.core import audit` imports the module gfp_portal.core.audit.
            names = [f"{source}.{alias.name}" if (PACKAGE.parent / source.replace(".", "/")
                                                   / alias.name).exists()
                     or (PACKAGE.parent / f"{source.replace('.', '/')}/{alias.name}.py").exists()
                     else source for alias in node.names]
        else:
            continue
        for name in names:
            if name == "gfp_portal" or name.startswith("gfp_portal."):
                yield name, node.lineno, id(node) in in_function


def all_imports():
    for path in sorted(PACKAGE.rglob("*.py")):
        for imported, line, in_function in sorted(set(imports(path))):
            yield module_name(path), path, imported, line, in_function


def where(path, line):
    return f"{path.relative_to(PACKAGE.parent)}:{line}"


def test_every_package_has_a_layer():
    for path in PACKAGE.rglob("*.py"):
        rank(module_name(path))


def test_no_module_imports_a_higher_layer():
    wrong = []
    for module, path, imported, line, _ in all_imports():
        (layer, package), (their_layer, their_package) = rank(module), rank(imported)
        if package == their_package and layer >= their_layer:
            continue  # inside one package, anything but a domain module importing its edge
        if their_layer >= layer:
            wrong.append(f"{where(path, line)}: {module} imports {imported}")
    assert not wrong, "imports against the layer order (CONTRIBUTING.md):\n" + "\n".join(wrong)


def test_no_function_level_imports():
    found = [f"{where(path, line)}: {module} imports {imported}"
             for module, path, imported, line, in_function in all_imports()
             if in_function and (module, imported) not in FUNCTION_LEVEL_EXCEPTIONS]
    assert not found, "imports inside functions (import at the top, or add a seam):\n" + \
        "\n".join(found)


def test_only_notices_modules_write_mail():
    """One name for the modules that write mail (CONTRIBUTING.md, "Where a new rule goes"):
    outside core.outbox, only a domain's notices.py queues an email."""
    writers = [module_name(path) for path in sorted(PACKAGE.rglob("*.py"))
               if "queue_email" in path.read_text(encoding="utf-8")
               and path.name != "notices.py" and module_name(path) != "gfp_portal.core.outbox"]
    assert not writers, "modules that write mail outside a notices.py:\n" + "\n".join(writers)
