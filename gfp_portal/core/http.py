"""Request helpers shared by the views: safe redirects, service-error display, hostile input
refused with a 400 that says why, pagination and caching rules (downloads: core.downloads)."""
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest, HTTPException
from werkzeug.routing import IntegerConverter, RequestRedirect
from wtforms import PasswordField

from gfp_portal.core.db import MAX_ID, db, is_collision, refused_key
from gfp_portal.core.edits import unless_crossed
from gfp_portal.core.errors import DomainError
from gfp_portal.core.forms import ConfirmForm

# Public pages that caches may keep when nobody is signed in; every other answer (signed-in
# pages, sign-in and token pages, certificate verification, which names a person) is no-store.
CACHEABLE_WHEN_ANONYMOUS = {"main.healthz", "resources.index", "resources.detail",
                            "resources.download"}


def safe_next(target, default):
    """Follow `next` only to a path on this site; anything else goes to `default`."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


# What a path may hold as it is (RFC 3986 pchar and "/"); anything else, "?", "#" and "%"
# first, is percent-encoded.
_PATH_SAFE = "/:@!$&'()*+,;="


def request_path():
    """The path of the page asked for, as a URL again (for an href, a form's action or a
    redirect): request.path is decoded, and an acronym "A?B" (/entities/A%3FB) would end it."""
    return quote(request.script_root + request.path, safe=_PATH_SAFE)


def with_query(url, args):
    """`url` carrying the query `args` (a dict, or the request's MultiDict) as its query
    string, never as url_for's keywords: a key such as "fmt" or "endpoint" in the address
    would collide with url_for's own."""
    pairs = list(args.items(multi=True)) if hasattr(args, "getlist") else list(args.items())
    return f"{url}?{urlencode(pairs)}" if pairs else url


def redirect_to_canonical(**values):
    """A permanent redirect to this page's address with `values` for its parameters, the query
    kept, when they differ from those it was asked with (a code typed in another case:
    /entities/undp is /entities/UNDP), so that each page has one address."""
    if all(request.view_args.get(name) == value for name, value in values.items()):
        return
    url = url_for(request.endpoint, **{**request.view_args, **values})
    abort(redirect(with_query(url, request.args), 301))


def list_address():
    """The address of the list shown, with its filters and page but not the language, for
    the pages of its items to lead back to (in whichever language is chosen there); None
    when it is the whole list."""
    args = request.args.copy()
    args.poplist("lang")
    return with_query(request_path(), args) if args else None


def came_from(endpoint):
    """The page of the list `endpoint` that the item's page was opened from (its `back`
    argument, followed only to that list's own address on this site), else None: an item
    some lists lead to leads back to the one it was opened from."""
    back = safe_next(request.args.get("back"), None)
    return back if back and urlsplit(back).path == url_for(endpoint) else None


def back_to_list(endpoint, **values):
    """The list `endpoint` as the item's page was opened from (came_from), else the whole
    list (with `values`, the list the item belongs to: the plans of its period)."""
    return came_from(endpoint) or url_for(endpoint, **values)


def next_from_request(default):
    return safe_next(request.args.get("next") or request.form.get("next"), default)


def _answers_get(path):
    """Whether `path` (with the script root) is a page of this site that a GET may ask for,
    not the address of a form that only takes a POST."""
    root = request.script_root
    if root and not path.startswith(root + "/"):
        return False
    try:
        current_app.url_map.bind_to_environ(request.environ).match(
            path[len(root):], method="GET")
    except RequestRedirect:  # the same page, at its right address
        return True
    except HTTPException:
        return False
    return True


def page_sent_from():
    """The page of this site (path and query) that the request's form was sent from, read
    from its Referer: None when the browser did not say, or named another site or the
    address of a form, which a link cannot lead to."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    page = safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), None)
    return page if page is not None and _answers_get(parts.path) else None


# The language switch sent a form again to show it in another language: it is shown, with
# what was typed and what is wrong with it, and nothing is saved (save_form, resend_entries).
LANGUAGE_ONLY = "lang_only"


def switching_language():
    return request.form.get(LANGUAGE_ONLY) == "1"


def language_switch_resends(fields):
    """The page answering this POST may be asked again, by POST, with `fields` ((name,
    value) pairs): the header's language switch then sends them to show it in another
    language (a confirmation not confirmed, a refused form not saved). Without it, the
    switch of a page answering a POST leads to the page the form was sent from."""
    g.language_switch_fields = list(fields)


def resend_entries(*forms):
    """The page answering this POST shows its form again (refused, or only checked): the
    header's language switch may send the entries again, marked LANGUAGE_ONLY, to show the
    same page in another language; never a password of `forms`, which the page would then
    hold, nor a form's token (the switch sends the page's own, which the request's check
    takes for every form). True when this request is that switch: the page is to be shown
    again, with what is wrong with the entries said in the new language, and nothing saved,
    sent or queued."""
    if request.method != "POST":
        return False
    passwords = {field.name for form in forms if form is not None for field in form
                 if isinstance(field, PasswordField)}
    language_switch_resends([
        *((name, value) for name, value in request.form.items(multi=True)
          if name not in passwords and not name.endswith("csrf_token")
          and name != LANGUAGE_ONLY),
        (LANGUAGE_ONLY, "1")])
    return switching_language()


def with_language(url, code):
    """`url` (a path and query) asking for language `code`."""
    parts = urlsplit(url)
    args = MultiDict([(name, value) for name, value in
                      parse_qsl(parts.query, keep_blank_values=True) if name != "lang"])
    args.add("lang", code)
    return with_query(parts.path, args)


def language_switch(languages):
    """The header's language switch: (fields, {code: url}). On a page asked for, `fields` is
    None and each url is a link to the same page in that language. On a page answering a
    POST, a link to its address would be refused (405) or ask again for what the POST did:
    where the page may be sent again (language_switch_resends), `fields` are sent to each
    url, by POST; elsewhere each url leads to the page the form was sent from, or home."""
    query = request.query_string.decode("latin-1")
    here = request_path() + (f"?{query}" if query else "")
    fields = None if request.method in ("GET", "HEAD") else g.get("language_switch_fields")
    if request.method in ("GET", "HEAD") or fields is not None:
        page = here
    else:
        page = page_sent_from() or request.script_root + "/"
    return fields, {code: with_language(page, code) for code in languages}


def found_or_404(value):
    """`value`, which a view looked up; a 404 when there is none."""
    if value is None:
        abort(404)
    return value


def show_domain_error(error, form=None):
    """Attach a DomainError to its form field when it names one, else flash it."""
    field = getattr(form, error.field, None) if form is not None and error.field else None
    if field is not None:
        field.errors = [*field.errors, str(error.message)]
    else:
        flash(str(error.message), "danger")


def commit_service(call, *args, form=None, **kwargs):
    """Run one service call and commit: (True, result); on DomainError roll back, show the
    error (on its form field when it names one) and return (False, None). So too when the
    database refuses what another request saved at the same moment makes impossible (a
    unique key taken, a row removed), which no rule could see before: nothing is saved, and
    the page says so rather than fail."""
    try:
        result = call(*args, **kwargs)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        show_domain_error(error, form)
        return False, None
    except IntegrityError as error:
        db.session.rollback()
        if not is_collision(error):
            raise
        current_app.logger.warning("Refused as a change made at the same moment (account "
                                   "%s): %s", getattr(current_user, "id", None),
                                   refused_key(error))
        flash(_("Someone else changed this at the same moment, so nothing was saved. Check "
                "the page, then try again if it is still needed."), "danger")
        return False, None
    return True, result


def _given(value, result):
    """`value`, or what it gives for the call's `result` when it is a function."""
    return value(result) if callable(value) else value


def _report(result, done, saved):
    """Flash what a successful call did: `done` (a success message), or `saved` through
    flash_saved for an edit whose call returns its changes; each a message or a function of
    the call's result that gives it. Neither: nothing is flashed."""
    if saved is not None:
        flash_saved(result, _given(saved, result))
    elif done is not None:
        flash(_given(done, result), "success")


def commit_then_redirect(call, *args, back, done=None, saved=None, to=None, **kwargs):
    """One service call, committed through commit_service. Once it succeeded, `done` or
    `saved` is flashed (_report) and the answer goes to `to` (a URL or a function of the
    call's result that gives it; `back` when not given); when it was refused, back to `back`
    with the error shown."""
    ok, result = commit_service(call, *args, **kwargs)
    if not ok:
        return redirect(back)
    _report(result, done, saved)
    return redirect(_given(to, result) or back)


def run_action(call, *args, back, **kwargs):
    """The POST of an action button (a ConfirmForm; a 400 when it does not validate): one
    service call, as commit_then_redirect makes it."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return commit_then_redirect(call, *args, back=back, **kwargs)


def save_form(form, save, *, to, done=None, saved=None, record=None, changes_of=None):
    """The POST of a page's form: once `form` validates, `save()` (one service call, which
    reads the form's data) runs and commits through commit_service, a DomainError shown on
    the form. Once it succeeded, `done` or `saved` is flashed (_report) and the answer is a
    redirect to `to` (a URL or a function of what `save` returned that gives it). None while
    the page is to be shown: not sent, not valid, or refused. An edit form (EditsRecord)
    names the `record` it edits: its save returns the changes (or `changes_of` reads them
    from what it returns), and is refused when it would undo a change made since the page
    was shown (core.edits). Sent again by the language switch (LANGUAGE_ONLY), the form is
    checked and shown in the other language, and never saved."""
    if record is not None:
        save = unless_crossed(form, record, save, changes_of=changes_of)
    if resend_entries(form):
        form.validate()  # what is wrong is said again, in the other language
        return None
    if not form.validate_on_submit():
        return None
    ok, result = commit_service(save, form=form)
    if not ok:
        return None
    _report(result, done, saved)
    return redirect(_given(to, result))


def job_page(job):
    """The progress page of `job`, where a view sends the browser once it queued one."""
    return url_for("jobs.detail", job_id=job.id)


def commit():
    """Commit the request's work, where a view does more than one service call
    (commit_service): with it, the one way a view ends its transaction."""
    db.session.commit()


def flash_saved(changes, message):
    """After an edit: `message` when it changed something, else that nothing was changed."""
    if changes:
        flash(message, "success")
    else:
        flash(_("Nothing was changed."), "info")


def after_response(response, call, *args, **kwargs):
    """Run `call` and commit once `response` has been sent, so that its work cannot show in the
    time the answer takes. It runs in a copy of this request's context (links, settings); a
    failure is rolled back and logged, since the answer has already gone."""
    app = current_app._get_current_object()
    environ = request.environ.copy()

    def run():
        with app.request_context(environ):
            try:
                call(*args, **kwargs)
                db.session.commit()
            except Exception:  # the client has its answer; keep the worker serving
                db.session.rollback()
                app.logger.exception("Work after the response failed: %s", call.__name__)

    response.call_on_close(run)
    return response


# Far beyond the last page of any list; larger numbers overflow the database's integers.
MAX_PAGE = 100_000


class BadInput(BadRequest):
    """A 400 whose page tells the person, in their language, what was wrong."""

    def __init__(self, message):
        super().__init__(description=message)
        self.message = message


def refuse_nul_bytes():
    """No person types a NUL byte and no column stores one (PostgreSQL refuses it outright):
    refuse it anywhere in the address or a submitted form, before any view reads it."""
    texts = [request.path, *(t for pair in request.args.items(multi=True) for t in pair)]
    if request.method in ("POST", "PUT", "PATCH"):
        texts += [t for pair in request.form.items(multi=True) for t in pair]
    if any("\x00" in text for text in texts):
        raise BadInput(_("The request contains an invalid character (a NUL byte)."))


class IdConverter(IntegerConverter):
    """`<int:…>` in an address: a number beyond any id is no page (404) rather than a number
    the database refuses to compare (an error). Registered as the map's `int`."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


def refuse_json_forms():
    """The portal's forms post form data. Flask-WTF would read a JSON body as a form too, with
    numbers, lists and objects where every field expects text: refuse it before any view
    builds a form of it."""
    if request.method in ("POST", "PUT", "PATCH") and request.is_json:
        raise BadInput(_("The portal accepts only the forms of its own pages."))


def page_number():
    """The `page` query parameter: 1 when absent or not a number, a 400 when out of range."""
    page = request.args.get("page", 1, type=int)
    if page > MAX_PAGE:
        raise BadInput(_("This page number does not exist."))
    return max(page, 1)


class _CountedPagination(SelectPagination):
    """A page whose total is read by a count statement of its own, or given."""

    def _query_count(self):
        count = self._query_args["count_stmt"]
        if isinstance(count, int):
            return count
        return self._query_args["session"].execute(count).scalar()


class _PageOfIds(_CountedPagination):
    """A page found among ids, its rows then read by id."""

    def _query_items(self):
        args = self._query_args
        ids = list(args["session"].scalars(
            args["select"].limit(self.per_page).offset(self._query_offset)))
        return args["load"](ids)


class _WindowCountedPagination(SelectPagination):
    """A page whose rows carry the number of all the rows (a window count), so the rows are
    found once: the total of a page past the end is counted apart."""

    def _query_items(self):
        stmt = self._query_args["select"].add_columns(func.count().over())
        rows = self._query_args["session"].execute(
            stmt.limit(self.per_page).offset(self._query_offset)).unique().all()
        self._total = rows[0][1] if rows else None
        return [row[0] for row in rows]

    def _query_count(self):
        return self._total if self._total is not None else super()._query_count()


class _ListPagination(Pagination):
    """A page of a list already read whole."""

    def _query_items(self):
        return self._query_args["rows"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self):
        return len(self._query_args["rows"])


def _page_args():
    return {"session": db.session(), "page": page_number(),
            "per_page": current_app.config["PER_PAGE"], "max_per_page": None,
            "error_out": False}


def _within_the_list(pagination):
    """`pagination`; a page past the end of a list that is not empty (an address kept from when
    the list was longer, say) goes to its last page, rather than saying the list is empty."""
    if pagination.total and pagination.page > pagination.pages:
        args = request.args.copy()
        args["page"] = str(pagination.pages)
        abort(redirect(with_query(request_path(), args)))
    return pagination


def paginate(stmt, count=None):
    """One page of `stmt`, numbered by the `page` query parameter. `count`, a statement that
    counts the same rows (or their number, already known), spares the database counting over
    a subquery of whole rows with the page's loader options."""
    if count is None:
        return _within_the_list(db.paginate(
            stmt, page=page_number(), per_page=current_app.config["PER_PAGE"], error_out=False))
    return _within_the_list(_CountedPagination(select=stmt, count_stmt=count, **_page_args()))


def paginate_list(rows, per_page=None):
    """One page of `rows`, a list computed whole (the gaps of the coverage), numbered and
    kept within the list as the pages read from the database are."""
    return _within_the_list(_ListPagination(
        rows=rows, page=page_number(), per_page=per_page or current_app.config["PER_PAGE"],
        max_per_page=None, error_out=False))


def paginate_ids(ids, load, *, count):
    """One page of the ids that the statement `ids` gives in its order, whose rows `load(ids)`
    then reads (in that order), counted by the statement `count` (or their number). For an
    order no index gives, the database sorts every candidate: it then sorts ids, not whole
    rows with their joins."""
    return _within_the_list(_PageOfIds(select=ids, count_stmt=count, load=load, **_page_args()))


def paginate_counted_in_rows(stmt):
    """One page of `stmt` whose rows also carry how many there are in all: for a list whose
    rows cost more to find than to read (a test on every candidate before the order), found
    once instead of once for the page and again for the count. Only for statements of one
    entity whose eager loads join no collection."""
    return _within_the_list(_WindowCountedPagination(select=stmt, **_page_args()))


def plain_http_allowed(view):
    """The view answers over plain HTTP even when the site forces HTTPS: a load balancer's
    health probe calls an instance by its address, without TLS, and takes a redirect as a
    failure. Read by flask-talisman's per-view options."""
    view.talisman_view_options = {"force_https": False}
    return view


def no_store(response):
    """After each request: nothing that may show personal data is kept by a browser or proxy
    cache. Static files keep their own caching headers. A page left to caches may be in the
    language the browser asks for (core.i18n.select_locale), so it varies by that too."""
    endpoint = request.endpoint or ""
    if endpoint == "static" or endpoint.endswith(".static"):
        return response
    if endpoint in CACHEABLE_WHEN_ANONYMOUS and not current_user.is_authenticated:
        response.vary.add("Accept-Language")
        return response
    response.headers["Cache-Control"] = "no-store"
    return response
