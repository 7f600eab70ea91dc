"""The pages of messages to the network: who may open them, the composer keeping everything
typed, the archive in the reader's language, the newsletter choice and the unsubscribe link."""
import re

import pytest
from sqlalchemy import func, select

from gfp_portal.accounts.models import User
from gfp_portal.core.outbox import OutboxMessage
from gfp_portal.core.transports import build_mime
from gfp_portal.extensions import db
from gfp_portal.messages import services
from gfp_portal.messages.models import NetworkMessage, NewsletterOptOut
from gfp_portal.registry.models import Person
from tests.helpers import breadcrumb_links, login, opened_from
from tests.markup import filled_form

VALID = {"kind": "notice", "subject_en": "Annual meeting", "body_en": "Dear colleagues,",
         "status": "active"}


def _count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _sent(app, coordinator_id, count=1, kind="notice", **texts):
    """`count` messages sent to the network (the job writes their emails at once)."""
    with app.app_context():
        actor = db.session.get(User, coordinator_id)
        ids = []
        for n in range(count):
            message = services.save_draft(None, {**VALID, "kind": kind,
                                                 "subject_en": f"Message {n}", **texts},
                                          actor=actor)
            services.send_message(message, actor=actor)
            ids.append(message.id)
        db.session.commit()
        return ids


@pytest.fixture
def office(app, reference, create_user, make_network):
    make_network(2, languages=("en", "fr"))
    return create_user("coord@example.org", roles=["coordinator"])


@pytest.mark.parametrize(("roles", "status"), [
    ((), 302), (("resident_coordinator",), 403), (("focal_point",), 403),
    (("coordinator",), 200), (("admin",), 200)])
def test_only_the_office_composes(client, reference, create_user, roles, status):
    if roles:
        create_user("someone@example.org", roles=roles,
                    uncts=["KEN"] if "resident_coordinator" in roles else ())
        login(client, "someone@example.org")
    assert client.get("/messages/new").status_code == status
    # Sent signed out, the form is answered with the page that offers its entries back.
    expected = 302 if status == 200 else 403
    assert client.post("/messages/new", data=VALID).status_code == expected


@pytest.mark.parametrize(("roles", "status"), [
    ((), 302), (("resident_coordinator",), 403), (("focal_point",), 200),
    (("coordinator",), 200)])
def test_the_archive_is_for_the_network(client, reference, create_user, roles, status):
    if roles:
        create_user("someone@example.org", roles=roles,
                    uncts=["KEN"] if "resident_coordinator" in roles else ())
        login(client, "someone@example.org")
    assert client.get("/messages/").status_code == status


@pytest.mark.parametrize("roles", [(), ("resident_coordinator",), ("focal_point",),
                                   ("coordinator",), ("admin",)])
def test_my_account_links_to_the_archive_only_for_those_who_may_open_it(
        client, reference, create_user, roles):
    """Every account with a person has the newsletter choice on /me; the archive beside it is
    the network's and the Office's: a Resident Coordinator (or an account holding no role)
    who followed the link would be refused."""
    create_user("someone@example.org", roles=roles,
                uncts=["KEN"] if "resident_coordinator" in roles else ())
    login(client, "someone@example.org")
    html = client.get("/me").get_data(as_text=True)
    assert 'id="news-receive"' in html
    opens = client.get("/messages/").status_code == 200
    assert ('href="/messages/"' in html) is opens
    assert opens is bool({"focal_point", "coordinator", "admin"} & set(roles))


def test_focal_points_cannot_preview_or_send_a_draft(app, client, office, create_user):
    with app.app_context():
        draft = services.save_draft(None, VALID, actor=db.session.get(User, office))
        db.session.commit()
        draft_id = draft.id
    create_user("fp@example.org", roles=["focal_point"])
    login(client, "fp@example.org")
    assert client.get(f"/messages/{draft_id}/preview").status_code == 403
    assert client.post(f"/messages/{draft_id}/send", data={"expected": "2"}).status_code == 403
    assert client.get(f"/messages/{draft_id}").status_code == 404
    assert _count(app, OutboxMessage) == 0


@pytest.mark.parametrize(("data", "language", "message"), [
    ({"subject_en": ""}, "fr", "Veuillez saisir l’objet en anglais."),
    ({"subject_en": ""}, "ar", "يُرجى إدخال الموضوع باللغة الإنكليزية."),
    ({"entity": "999999"}, "es", "Uno de los filtros del público destinatario designa algo"),
    ({"unct": "XXX"}, "fr", "L’un des filtres du public visé désigne un élément"),
    ({"kind": "spam"}, "ar", "يُرجى اختيار نوع الرسالة."),
])
def test_bad_input_shows_the_form_again_with_everything(app, client, office, data, language,
                                                        message):
    login(client, "coord@example.org")
    typed = {**VALID, "subject_fr": "Réunion annuelle", "body_ar": "الزملاء الأعزاء",
             "region": "africa", **data}
    response = client.post(f"/messages/new?lang={language}", data=typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Réunion annuelle" in html and "الزملاء الأعزاء" in html
    assert 'value="africa" selected' in html or 'selected value="africa"' in html
    assert _count(app, NetworkMessage) == 0 and _count(app, OutboxMessage) == 0


def test_compose_preview_edit_and_send(app, client, office):
    login(client, "coord@example.org")
    response = client.post("/messages/new", data={**VALID, "subject_fr": "Réunion",
                                                   "body_fr": "Chers collègues"})
    preview = response.headers["Location"]
    html = client.get(preview).get_data(as_text=True)
    assert 'data-total="2"' in html and "Réunion" in html
    assert _count(app, OutboxMessage) == 0  # the preview sends nothing
    message_id = int(preview.split("/")[-2])
    edit = client.get(f"/messages/{message_id}/edit").get_data(as_text=True)
    assert "Réunion" in edit
    client.post(f"/messages/{message_id}/edit", data={**VALID, "language": "fr"})
    assert 'data-total="1"' in client.get(preview).get_data(as_text=True)
    # The preview showed one person: a stale count is refused and nothing is sent.
    response = client.post(f"/messages/{message_id}/send", data={"expected": "2"},
                           follow_redirects=True)
    assert "The audience has changed since the preview" in response.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 0
    response = client.post(f"/messages/{message_id}/send", data={"expected": "1"})
    assert response.headers["Location"].startswith("/jobs/")
    assert _count(app, OutboxMessage) == 1
    # Sent: it can no longer be edited or sent again; a second click on Send, or opening
    # the editor, says so on the message's page.
    for again in (client.get(f"/messages/{message_id}/edit", follow_redirects=True),
                  client.post(f"/messages/{message_id}/send", data={"expected": "1"},
                              follow_redirects=True)):
        assert again.status_code == 200 and again.request.path == f"/messages/{message_id}"
        assert "This message has already been sent." in again.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 1
    # A save posted once it was sent is refused, with what was typed kept.
    late = client.post(f"/messages/{message_id}/edit",
                       data={**VALID, "body_en": "A last-minute change"})
    assert late.status_code == 400
    html = late.get_data(as_text=True)
    assert "This message has been sent; it can no longer be changed." in html
    assert "A last-minute change" in html


def test_a_draft_changed_since_its_preview_is_not_sent(app, client, office):
    """The preview confirms one text; the draft is edited meanwhile (another tab, a
    colleague): sending it is refused until its new preview is read."""
    login(client, "coord@example.org")
    preview = client.post("/messages/new", data=VALID).headers["Location"]
    message_id = int(preview.split("/")[-2])
    shown = filled_form(client.get(preview).get_data(as_text=True), "expected")
    client.post(f"/messages/{message_id}/edit", data={**VALID, "body_en": "Wrong date"})
    refused = client.post(f"/messages/{message_id}/send", data=shown, follow_redirects=True)
    assert "The draft was changed since this preview" in refused.get_data(as_text=True)
    assert _count(app, OutboxMessage) == 0
    again = filled_form(client.get(preview).get_data(as_text=True), "expected")
    assert client.post(f"/messages/{message_id}/send", data=again).status_code == 302
    with app.app_context():
        assert [m.body_text.count("Wrong date") for m in db.session.scalars(
            select(OutboxMessage))] == [1, 1]


def test_the_archive_reads_in_the_readers_language(app, client, office, create_user):
    [message_id] = _sent(app, office, subject_fr="Réunion annuelle", body_fr="Chers collègues")
    create_user("fp@example.org", roles=["focal_point"], locale="fr")
    login(client, "fp@example.org")
    html = client.get("/messages/").get_data(as_text=True)
    assert "Réunion annuelle" in html and "Recipients" not in html
    html = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert "Chers collègues" in html and "data-delivery" not in html
    html = client.get(f"/messages/{message_id}?lang=es").get_data(as_text=True)
    assert "Dear colleagues," in html and "data-fallback" in html


def test_the_office_sees_audience_counts_and_delivery(app, client, office):
    [message_id] = _sent(app, office)
    login(client, "coord@example.org")
    html = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert 'data-recipients="2"' in html and "0 sent, 2 waiting, 0 failed" in html
    assert "Appointment status" in html


def test_the_archive_costs_the_same_queries_for_1_or_6_messages(app, client, office,
                                                                 count_queries):
    login(client, "coord@example.org")
    _sent(app, office)
    with count_queries() as one:
        assert client.get("/messages/").status_code == 200
    _sent(app, office, 5)
    with count_queries() as six:
        html = client.get("/messages/").get_data(as_text=True)
    assert html.count("data-message=") == 6
    assert six.count == one.count


def test_newsletter_choice_on_my_account(app, client, reference, create_user):
    user_id = create_user("fp@example.org", roles=["focal_point"])
    login(client, "fp@example.org")
    html = client.get("/me").get_data(as_text=True)
    assert 'id="news-receive"' in html and "checked" in html.split('id="news-receive"')[0][-200:]
    response = client.post("/messages/newsletter", data={"news-submit": "1"})
    assert response.status_code == 302
    with app.app_context():
        person_id = db.session.get(User, user_id).person_id
        assert db.session.get(NewsletterOptOut, person_id) is not None
    client.post("/messages/newsletter", data={"news-receive": "y", "news-submit": "1"})
    assert _count(app, NewsletterOptOut) == 0


def test_the_unsubscribe_link_works_without_signing_in(app, client, office):
    with app.app_context():
        person = db.session.scalars(select(Person).order_by(Person.id)).first()
        token, person_id = services.unsubscribe_token(person.id), person.id
    url = f"/messages/unsubscribe/{token}"
    html = client.get(url).get_data(as_text=True)
    assert "Stop sending me the newsletter" in html
    assert _count(app, NewsletterOptOut) == 0  # opening the link changes nothing
    assert "data-unsubscribed" in client.post(url).get_data(as_text=True)
    with app.app_context():
        assert db.session.get(NewsletterOptOut, person_id).source == "link"
    assert client.get(f"/messages/unsubscribe/{token}x").status_code == 404
    assert client.post(f"/messages/unsubscribe/{token}x").status_code == 404


def test_the_unsubscribe_link_of_a_french_newsletter_opens_in_french(app, client, office):
    """Opened from the mail program, signed out, in an English browser: the page asked in
    English whether to stop a newsletter received in French."""
    _sent(app, office, kind="newsletter", subject_fr="Nouvelles",
          body_fr="Chères et chers collègues,")
    with app.app_context():
        mail = db.session.scalars(select(OutboxMessage).filter_by(locale="fr")).one()
        assert mail.subject == "Nouvelles"
        url = re.search(r"/messages/unsubscribe/\S+", mail.body_text).group(0)
    assert url.endswith("?lang=fr")
    assert '<html lang="fr"' in client.get(url).get_data(as_text=True)
    assert "data-unsubscribed" in client.post(url).get_data(as_text=True)


def test_a_newsletter_carries_the_unsubscribe_link_a_notice_does_not(app, office):
    _sent(app, office, kind="newsletter")
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage)).all()
        assert len(mails) == 2 and all("/messages/unsubscribe/" in m.body_text for m in mails)
        assert all(m.is_secret for m in mails)
    _sent(app, office, kind="notice")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage).where(
            OutboxMessage.body_text.contains("/messages/unsubscribe/"))) == 2


def test_a_newsletter_can_be_left_from_the_mail_programme_in_one_click(app, client, office,
                                                                       monkeypatch):
    """The newsletter says how to leave it in its headers too (RFC 2369 and 8058): a mail
    programme's "Unsubscribe" button opens the page that asks, or posts the one-click
    answer, which needs no form of the portal's; a notice has no such header. The headers
    are read as they are sent: a mail programme decodes no encoded-word there."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    _sent(app, office, kind="newsletter")
    _sent(app, office, kind="notice")
    with app.app_context():
        mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        newsletter, notice = bytes(build_mime(mails[0])), bytes(build_mime(mails[-1]))
        url = re.search(rb"^List-Unsubscribe: <http://portal\.test(/messages/unsubscribe/"
                        rb"[^\s>]+)>$", newsletter, re.MULTILINE)[1].decode()
        assert b"\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n" in newsletter
        assert b"\nList-Unsubscribe" not in notice
        person_id = db.session.scalars(select(Person).filter_by(
            email=mails[0].recipient)).one().id
    assert client.post(url, data={"List-Unsubscribe": "Two-Clicks"}).status_code == 400
    assert _count(app, NewsletterOptOut) == 0
    assert client.post(url, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    with app.app_context():
        assert db.session.get(NewsletterOptOut, person_id).source == "one-click"


def test_the_office_finds_messages_on_its_home_and_focal_points_in_their_menu(
        client, reference, create_user):
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    assert 'data-link="messages"' in client.get("/").get_data(as_text=True)
    client.post("/logout")
    create_user("fp@example.org", roles=["focal_point"])
    login(client, "fp@example.org")
    html = client.get("/me").get_data(as_text=True)
    assert 'href="/messages/"' in html.split("</nav>")[0]


def test_a_language_half_written_is_refused_on_its_field(app, client, office):
    login(client, "coord@example.org")
    response = client.post("/messages/new?lang=fr", data={**VALID, "subject_es": "Reunión"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="body_es-error"' in html
    assert "Rédigez à la fois l’objet et le message dans cette langue" in html
    assert "Reunión" in html and _count(app, NetworkMessage) == 0


def test_a_draft_is_deleted_only_once_confirmed(app, client, office):
    with app.app_context():
        draft = services.save_draft(None, VALID, actor=db.session.get(User, office))
        db.session.commit()
        draft_id = draft.id
    login(client, "coord@example.org")
    assert "Delete the draft" in client.get(f"/messages/{draft_id}/preview").get_data(
        as_text=True)
    response = client.post(f"/messages/{draft_id}/delete")
    assert response.status_code == 200 and "no email is sent" in response.get_data(as_text=True)
    assert _count(app, NetworkMessage) == 1
    response = client.post(f"/messages/{draft_id}/delete", data={"confirmed": "1"})
    assert response.headers["Location"] == "/messages/"
    assert _count(app, NetworkMessage) == 0
    [sent_id] = _sent(app, office)
    assert client.post(f"/messages/{sent_id}/delete", data={"confirmed": "1"}).status_code \
        == 404


def test_the_preview_counts_recipients_not_laureates(client, office):
    """A message's recipients and an award's are two words in French, Spanish and Arabic: the
    preview said "Personnes lauréates" (award winners) of the people a message goes to."""
    login(client, "coord@example.org")
    preview = client.post("/messages/new", data=VALID).headers["Location"]
    for lang, recipients, winners in [("fr", "Destinataires", "lauréates"),
                                      ("es", "Destinatarios", "galardonadas"),
                                      ("ar", "المرسَل إليهم", "الفائزون")]:
        html = client.get(f"{preview}?lang={lang}").get_data(as_text=True)
        assert recipients in html and winners not in html


def test_a_save_over_a_colleagues_change_is_refused_with_the_text_kept(app, client, office,
                                                                       create_user):
    """Two coordinators open the same draft; the colleague adds French. The later save of the
    page opened before it does not erase it unseen: it is refused with the typed text kept,
    and goes through once saved again."""
    create_user("coord2@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    preview = client.post("/messages/new", data=VALID).headers["Location"]
    edit = f"/messages/{int(preview.split('/')[-2])}/edit"
    other = app.test_client()
    login(other, "coord2@example.org")
    mine = filled_form(client.get(edit).get_data(as_text=True), "subject_en")
    theirs = filled_form(other.get(edit).get_data(as_text=True), "subject_en")
    theirs["subject_fr"], theirs["body_fr"] = "Réunion annuelle", "Chers collègues,"
    assert other.post(edit, data=theirs).status_code == 302
    mine["subject_en"] = "Annual meeting 2027"
    refused = client.post(edit, data=mine)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "changed by someone else" in html
    assert 'value="Annual meeting 2027"' in html
    with app.app_context():
        message = db.session.scalars(select(NetworkMessage)).one()
        assert (message.subject_en, message.subject_fr) == ("Annual meeting", "Réunion annuelle")
    assert client.post(edit, data=filled_form(html, "subject_en")).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(NetworkMessage.subject_en)).one() == \
            "Annual meeting 2027"


def test_the_readers_who_got_the_english_text_are_counted_in_a_plural_sentence(
        app, client, office):
    """One French reader got the English text: French says "1 a reçu", not "1 ont reçu"."""
    [message_id] = _sent(app, office)
    login(client, "coord@example.org")
    html = client.get(f"/messages/{message_id}?lang=fr").get_data(as_text=True)
    assert "Parmi ces personnes, 1 a reçu le texte anglais" in html
    english = client.get(f"/messages/{message_id}?lang=en").get_data(as_text=True)
    assert "Of them, 1 person got the English text" in english


def test_the_page_of_a_message_tells_the_office_who_sent_it(app, client, office,
                                                            create_user):
    [message_id] = _sent(app, office)
    login(client, "coord@example.org")
    html = client.get(f"/messages/{message_id}?lang=en").get_data(as_text=True)
    history = html.split('id="history-heading"')[1]
    assert "Message sent to the network" in history and "coord@example.org" in history
    create_user("reader@example.org", roles=["focal_point"])
    client.post("/logout")
    login(client, "reader@example.org")
    assert 'id="history-heading"' not in client.get(f"/messages/{message_id}") \
        .get_data(as_text=True)


def test_a_message_opened_from_a_later_page_of_the_archive_leads_back_to_it(
        app, client, office, monkeypatch):
    """Page 2 of the archive, a message opened: "Messages to the network" in its breadcrumb
    leads back to page 2; a way back that is not the archive on this site, to the archive."""
    ids = _sent(app, office, 2)
    monkeypatch.setitem(app.config, "PER_PAGE", 1)
    login(client, "coord@example.org")
    listing = "/messages/?page=2"
    assert listing in breadcrumb_links(opened_from(client, listing, "/messages/"))
    for elsewhere in ("https://elsewhere.example.org/messages/", "//elsewhere.example.org/",
                      "/admin/users/"):
        links = breadcrumb_links(client.get(f"/messages/{ids[0]}", query_string={
            "back": elsewhere}).get_data(as_text=True))
        assert "/messages/" in links and elsewhere not in links
