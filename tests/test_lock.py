"""The lock files pin every dependency that setup.cfg asks for, within setup.cfg's ranges."""
import configparser
import re
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def pins(lock_name):
    text = (ROOT / lock_name).read_text(encoding="utf-8")
    return {canonicalize_name(name): version
            for name, version in re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, re.M)}


def requirements(*extras):
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].split("\n")
    for extra in extras:
        lines += config["options.extras_require"][extra].split("\n")
    return [Requirement(line) for line in lines if line.strip()]


@pytest.mark.parametrize("lock_name, extras", [
    ("requirements.lock", ("postgres", "prod", "dev")),
    ("requirements-prod.lock", ("postgres", "prod")),
])
def test_every_requirement_is_pinned_within_its_range(lock_name, extras):
    pinned = pins(lock_name)
    for requirement in requirements(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock_name}"
        assert requirement.specifier.contains(pinned[name], prereleases=True), \
            f"{lock_name} pins {name}=={pinned[name]}, outside {requirement.specifier}"


def test_production_uses_the_versions_of_development():
    development, production = pins("requirements.lock"), pins("requirements-prod.lock")
    assert {name: development.get(name) for name in production} == production
