"""Checks iCalendar data with libical (what Evolution, GNOME Calendar and many servers use),
through the system Python's GObject bindings: the project's virtualenv cannot import them.
Needs Debian's gir1.2-ical-3.0 and python3-gi; under CI their absence fails the test."""
import os
import subprocess
import tempfile
from pathlib import Path

import pytest

SYSTEM_PYTHON = "/usr/bin/python3"

# Prints one line per error libical finds: X-LIC-ERROR properties it inserts while parsing,
# and the RFC 5545/5546 restrictions it checks (which depend on the calendar's METHOD).
SCRIPT = r'''
import sys
import gi
gi.require_version("ICalGLib", "3.0")
from gi.repository import ICalGLib
root = ICalGLib.Component.new_from_string(open(sys.argv[1], encoding="utf-8").read())
if root is None:
    print("libical could not parse the calendar")
    sys.exit(0)
root.check_restrictions()
ERROR, ANY = ICalGLib.PropertyKind.XLICERROR_PROPERTY, ICalGLib.ComponentKind.ANY_COMPONENT
def walk(component, path):
    prop = component.get_first_property(ERROR)
    while prop is not None:
        print(path + ": " + prop.get_xlicerror())
        prop = component.get_next_property(ERROR)
    child = component.get_first_component(ANY)
    while child is not None:
        walk(child, path + "/" + ICalGLib.Component.kind_to_string(child.isa()))
        child = component.get_next_component(ANY)
walk(root, "VCALENDAR")
'''

PROBE = 'import gi; gi.require_version("ICalGLib", "3.0"); from gi.repository import ICalGLib'


def _available():
    if not Path(SYSTEM_PYTHON).exists():
        return False
    probe = subprocess.run([SYSTEM_PYTHON, "-c", PROBE], capture_output=True)  # noqa: S603
    return probe.returncode == 0


def libical_errors(data):
    """The errors libical reports for `data` (bytes of a VCALENDAR); [] when it is clean."""
    if not _available():
        message = "libical is not installed (apt-get install gir1.2-ical-3.0 python3-gi)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "calendar.ics"
        path.write_bytes(data)
        result = subprocess.run(  # noqa: S603 — a fixed interpreter and script
            [SYSTEM_PYTHON, "-c", SCRIPT, str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()
