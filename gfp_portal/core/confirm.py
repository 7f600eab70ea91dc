"""The confirmation step of drastic actions: the first POST only shows what will happen (to
how many people, how many emails); the same form posted again with `confirmed=1` acts. It
needs no JavaScript."""
from flask import render_template, request

from gfp_portal.core.forms import ConfirmForm

NOT_CARRIED = {"csrf_token", "confirmed", "submit"}


def is_confirmed():
    return request.form.get("confirmed") == "1"


def confirmation_page(title, consequences, *, back, form=None, with_reason=False,
                      reason_label=None, status=200):
    """The page restating `title` and the `consequences` (sentences), carrying the posted
    data back to the same URL with `confirmed=1`. With `with_reason`, the reason stays an
    editable field (and shows its errors)."""
    form = form or ConfirmForm()
    carried = [(name, value) for name, value in request.form.items(multi=True)
               if name not in NOT_CARRIED and not (with_reason and name == "reason")]
    return render_template("confirm.html", title=title, consequences=consequences,
                           action=request.path, carried=carried, back=back, form=form,
                           with_reason=with_reason, reason_label=reason_label), status
