"""The confirmation step of drastic actions: the first POST only shows what will happen (to
how many people, how many emails); the same form posted again with `confirmed=1` acts. Its
"No, go back" posts the form's entries back with `went_back=1` instead: nothing is done, and
the form is shown again as it was filled in (by the view that shows it on a POST, such as the
settings; static/js/entries.js refills a form of another page). The header's language switch
posts the entries without `confirmed` too: the same page, in another language. It needs no
JavaScript."""
from flask import abort, redirect, render_template, request

from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm
from gfp_portal.core.http import (
    commit_then_redirect,
    language_switch_resends,
    request_path,
    show_domain_error,
    with_query,
)

NOT_CARRIED = {"csrf_token", "confirmed", "went_back", "submit"}


def went_back():
    """The confirmation page's "No, go back" was pressed: the entries are posted back to be
    shown in their form again, and nothing is done."""
    return request.form.get("went_back") == "1"


def is_confirmed():
    return request.form.get("confirmed") == "1" and not went_back()


def confirmation_page(title, consequences, *, form=None, with_reason=False, reason_label=None,
                      status=200, carry=None):
    """The page restating `title` and the `consequences` (sentences), carrying the posted
    data back to the same URL, its query kept (the way back to a list, `back`), with
    `confirmed=1` or, to go back, `went_back=1`; `carry` ({name: value}) adds to it, or
    replaces, what the page itself shows (the state of a record it describes, core.edits).
    With `with_reason`, the reason stays an editable field (and shows its errors)."""
    form = form or ConfirmForm()
    carry = carry or {}
    carried = [(name, value) for name, value in request.form.items(multi=True)
               if name not in NOT_CARRIED and name not in carry
               and not (with_reason and name == "reason")]
    carried += [(name, str(value)) for name, value in carry.items()]
    # Sent again without `confirmed`, the same page is shown in another language.
    typed = [("reason", request.form["reason"])] if with_reason and "reason" in request.form \
        else []
    language_switch_resends(carried + typed)
    return render_template("confirm.html", title=title, consequences=consequences,
                           action=with_query(request_path(), request.args), carried=carried,
                           form=form, with_reason=with_reason, reason_label=reason_label), status


def confirmation_step(confirmation, *, back):
    """None once the action is confirmed. Before, the confirmation page of the (title,
    consequences) that `confirmation()` gives; when it raises a DomainError (the action is
    refused already), back to `back` with the error shown. Gone back from the confirmation
    page, back to `back`, the page of the form."""
    if went_back():
        return redirect(back)
    if is_confirmed():
        return None
    return _confirmation_shown(confirmation, back)


def _confirmation_shown(confirmation, back):
    """The confirmation page of what `confirmation()` gives: (title, consequences), and
    what the page carries of its own ({name: value}, confirmation_page's `carry`) when it
    has any; back to `back` with the error shown when it raises a DomainError."""
    try:
        title, consequences, *carry = confirmation()
    except DomainError as error:
        show_domain_error(error)
        return redirect(back)
    return confirmation_page(title, consequences, carry=carry[0] if carry else None)


def confirm_then_act(call, *args, confirmation, back, check=None, again=(), **kwargs):
    """The POST of a drastic action's button (a ConfirmForm; a 400 when it does not
    validate): first the confirmation step, then, posted again confirmed, one service call
    as core.http.commit_then_redirect makes it. `check()`, when given, raises the DomainError
    of an action the service would refuse, so that it is refused at the first click. Refused
    with a code in `again` (what the confirmation named changed since it was shown), the
    confirmation is shown again, as things are now, under the refusal."""
    if went_back():
        return redirect(back)
    if not ConfirmForm().validate_on_submit():
        abort(400)

    def checked_confirmation():
        if check is not None:
            check()
        return confirmation()
    step = confirmation_step(checked_confirmation, back=back)
    if step is not None:
        return step
    refused = []

    def noting(*call_args, **call_kwargs):
        try:
            return call(*call_args, **call_kwargs)
        except DomainError as error:
            refused.append(error.code)
            raise
    answer = commit_then_redirect(noting, *args, back=back, **kwargs)
    if refused and refused[0] in again:
        return _confirmation_shown(checked_confirmation, back)
    return answer
