"""Where the keyboard is, on every kind of control inside a page: the portal's ring (an outline
at least 2 px wide, in a colour that stands out from the page: WCAG 1.4.11, 2.4.7), not only
Bootstrap's faint glow."""
import re

import pytest
from playwright.sync_api import expect

from .conftest import sign_in

pytestmark = pytest.mark.browser

# The controls of a page, by Bootstrap's class: each sets `outline: 0` on focus.
CONTROLS = {
    "/coverage/?view=gaps": [
        "main a.btn", "main button.btn", "main .form-select", "main .form-check-input",
        "main .nav-tabs .nav-link", "main .page-link",
    ],
    "/registry/": ["main .filter-form .form-control"],
}
WHITE = (255, 255, 255)


def _on_white(colour):
    """An `rgb()` or `rgba()` colour as seen over the white page."""
    red, green, blue, *alpha = (float(part) for part in re.findall(r"\d+(?:\.\d+)?", colour))
    opacity = alpha[0] if alpha else 1
    return tuple(channel * opacity + 255 * (1 - opacity) for channel in (red, green, blue))


def _luminance(rgb):
    def linear(channel):
        channel /= 255
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4
    red, green, blue = (linear(channel) for channel in rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def _contrast(first, second):
    lighter, darker = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _ring(locator):
    """The focused control's outline (style, width in px, colour) and the colours of its
    box shadows, once Bootstrap's transitions to them have ended."""
    return locator.evaluate("""async element => {
        await Promise.all(element.getAnimations().map(animation => animation.finished));
        const style = getComputedStyle(element);
        const shadows = style.boxShadow === "none" ? "" : style.boxShadow;
        return {outline: [style.outlineStyle, parseFloat(style.outlineWidth), style.outlineColor],
                shadows: shadows.match(/rgba?\\([^)]*\\)/g) || []};
    }""")


@pytest.mark.parametrize("path", sorted(CONTROLS))
def test_every_control_shows_the_portals_focus_ring(page, path):
    sign_in(page, "coordinator@demo.gfp")
    page.goto(path)
    page.keyboard.press("Shift")  # the keyboard was used: a focus moved by a script shows
    for selector in CONTROLS[path]:
        control = page.locator(selector).first
        control.focus()
        expect(control).to_be_focused()
        assert control.evaluate("e => e.matches(':focus-visible')"), selector
        ring = _ring(control)
        style, width, colour = ring["outline"]
        assert style != "none" and width >= 2, (selector, ring)
        # On the white page, the ring (or a band of it) has 3:1 against white.
        colours = [_on_white(colour), *(_on_white(shadow) for shadow in ring["shadows"])]
        assert max(_contrast(rgb, WHITE) for rgb in colours) >= 3, (selector, ring)
