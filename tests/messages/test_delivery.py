"""A message to 650 people in four languages: previewed with the right counts, sent as a job
with progress, and delivered by a real SMTP server, each in its recipient's language."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from gfp_portal.core import jobs
from gfp_portal.core.db import utcnow
from gfp_portal.core.jobs import Job, JobState
from gfp_portal.core.outbox import OutboxMessage, deliver_due
from gfp_portal.core.transports import SMTPTransport
from gfp_portal.extensions import db
from gfp_portal.messages.models import MessageRecipient, MessageStatus, NetworkMessage
from gfp_portal.reference.models import Entity
from gfp_portal.registry.models import AppointmentStatus, Person
from tests.core.test_outbox import smtp  # noqa: F401 — the SMTP server fixture
from tests.helpers import login

SUBJECTS = {"en": "Annual meeting: save the date", "fr": "Réunion annuelle : à noter",
            "ar": "الاجتماع السنوي: احفظوا التاريخ"}
BODIES = {"en": "Dear colleagues, the meeting opens on 3 March.",
          "fr": "Chers collègues, la réunion s’ouvre le 3 mars.",
          "ar": "الزملاء الأعزاء، يفتتح الاجتماع في 3 آذار/مارس."}
JOB_URL = re.compile(r"/jobs/([0-9a-f]{32})$")


def _number(html, attribute):
    return int(re.search(rf'{attribute}="(\d+)"', html).group(1))


def test_650_people_in_four_languages_get_the_message_each_in_theirs(
        app, client, create_user, make_network, smtp, monkeypatch):  # noqa: F811
    controller, inbox = smtp
    controller.start()
    # The audience: 650 alternates of UNDP at headquarters, 200 English, 150 French, 150
    # Spanish, 150 Arabic readers; around them, people the filters leave out.
    audience = make_network(650, languages=("en", "en", "en", "en", "fr", "fr", "fr", "es",
                                            "es", "es", "ar", "ar", "ar")[:13])
    make_network(20, acronym="WFP", languages=("fr",))
    make_network(15, status=AppointmentStatus.ended, languages=("ar",))
    create_user("coord@example.org", roles=["coordinator"])
    login(client, "coord@example.org")
    with app.app_context():
        undp = db.session.scalars(select(Entity.id).filter_by(acronym="UNDP")).one()
        language_of = dict(db.session.execute(select(Person.email, Person.preferred_language)
                                              .where(Person.id.in_(audience))).all())
    expected = {code: sum(1 for lang in language_of.values() if lang == code)
                for code in ("en", "fr", "es", "ar")}
    assert sum(expected.values()) == 650 and all(expected.values())

    response = client.post("/messages/new", data={
        "kind": "notice", **{f"subject_{c}": t for c, t in SUBJECTS.items()},
        **{f"body_{c}": t for c, t in BODIES.items()},
        "role": "alternate", "status": "active", "entity": str(undp), "unct": "HQ"})
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    html = client.get(preview_url).get_data(as_text=True)
    assert _number(html, "data-total") == 650
    for code in ("en", "fr", "es", "ar"):
        assert f'data-language="{code}" data-count="{expected[code]}"' in html
    assert _number(html, "data-fallback") == expected["es"]  # no Spanish text: English
    assert SUBJECTS["ar"] in html and BODIES["fr"] in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    reports = []
    monkeypatch.setattr(jobs, "PUBLISH_SECONDS", 0)  # every 25 people, however fast the job
    engine = app.extensions["jobs"]
    monkeypatch.setattr(engine, "report_progress",
                        lambda job_id, done, total: reports.append((done, total)))
    message_id = int(preview_url.split("/")[-2])
    response = client.post(f"/messages/{message_id}/send", data={"expected": "650"})
    job_id = JOB_URL.search(response.headers["Location"]).group(1)

    with app.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.done, job.error
        assert (job.done, job.total) == (650, 650) and job.result["queued"] == 650
        message = db.session.get(NetworkMessage, message_id)
        assert message.status == MessageStatus.sent and message.recipient_count == 650
        assert db.session.scalar(select(func.count()).select_from(MessageRecipient)) == 650
        # The default rate: 120 a minute, so six batches due a minute apart.
        due = db.session.scalars(select(OutboxMessage.next_attempt_at)).all()
        assert len({moment for moment in due}) == 6
    assert reports == [(done, 650) for done in range(0, 651, 25)]
    assert client.get(f"/jobs/{job_id}").status_code == 200

    with app.app_context():
        later = utcnow() + timedelta(minutes=10)
        while deliver_due(SMTPTransport(app.config), now=later) != (0, 0):
            pass
    assert len(inbox.messages) == 650
    for mail in inbox.messages:
        language = language_of[mail["To"]]
        shown = language if language in SUBJECTS else "en"
        assert mail["Subject"] == SUBJECTS[shown]
        text = mail.get_body(("plain",)).get_content()
        assert BODIES[shown] in text and "unsubscribe" not in text
        if language == "ar":
            assert 'lang="ar" dir="rtl"' in mail.get_body(("html",)).get_content()
    detail = client.get(f"/messages/{message_id}").get_data(as_text=True)
    assert 'data-recipients="650"' in detail and "650 sent" in detail
