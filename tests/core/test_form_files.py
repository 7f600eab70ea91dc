"""A form sent with a file under the name of a field that takes no file: the field reads it as
absent, and the form says what it says of an empty field — never a server error, nothing
saved. Flask-WTF hands every field the files along with the text of a form that carries one."""
import io

from flask_wtf.file import FileField, MultipleFileField
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict

from gfp_portal.core.forms import PortalForm, SingleLineField
from gfp_portal.extensions import db
from gfp_portal.registry.models import Person
from gfp_portal.sessions.models import TrainingSession
from tests.helpers import PDF

MULTIPART = "multipart/form-data"


def _file(name="a.pdf"):
    return FileStorage(io.BytesIO(PDF), filename=name)


def test_a_file_sent_as_the_password_of_the_sign_in_form_is_no_password(client, reference,
                                                                        create_user):
    create_user("someone@example.org")
    response = client.post("/login", data={"email": "someone@example.org",
                                           "password": _file()}, content_type=MULTIPART)
    assert response.status_code == 200
    assert "Enter your password." in response.get_data(as_text=True)
    assert client.get("/registry/").status_code == 302  # still signed out


def test_a_file_sent_as_a_persons_given_name_is_no_given_name(app, client, reference,
                                                              login_as):
    login_as("coordinator")
    response = client.post("/registry/people/new", data={
        "given_name": _file(), "family_name": "van der Berg", "email": "zoe@unicef.org",
        "entity": "UNICEF", "duty_station": 0, "preferred_language": "fr",
        "time_zone": "Africa/Nairobi"}, content_type=MULTIPART)
    assert response.status_code == 200
    assert "Enter the given name." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Person.id).filter_by(email="zoe@unicef.org")) is None


def test_a_file_sent_as_the_seats_of_a_session_is_no_number_of_seats(app, client, reference,
                                                                      login_as):
    login_as("coordinator")
    response = client.post("/sessions/new", data={
        "title_en": "Another", "topic": "anti_racism", "format": "virtual",
        "time_zone": "UTC", "starts_at": "2030-01-10T10:00", "ends_at": "2030-01-10T12:00",
        "languages": "en", "capacity": _file(), "audience": "both",
        "waitlist_policy": "first_come", "series": "0", "submit": "Save"},
        content_type=MULTIPART)
    assert response.status_code == 200
    assert "Enter the number of seats." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TrainingSession.id).filter_by(title_en="Another")) \
            is None


def test_a_file_beside_the_text_of_a_field_leaves_the_text_as_typed(app, client, reference,
                                                                     login_as):
    login_as("coordinator")
    response = client.post("/registry/people/new", data={
        "given_name": ["Zoë", _file()], "family_name": "van der Berg",
        "email": "zoe@unicef.org", "entity": "UNICEF", "duty_station": 0,
        "preferred_language": "fr", "time_zone": "Africa/Nairobi"}, content_type=MULTIPART)
    assert response.status_code == 302
    with app.app_context():
        person = db.session.scalars(select(Person).filter_by(email="zoe@unicef.org")).one()
        assert person.given_name == "Zoë"


class UploadForm(PortalForm):
    title = SingleLineField()
    file = FileField()
    attachments = MultipleFileField()


def test_a_file_goes_to_the_file_fields_alone(app):
    with app.test_request_context("/", method="POST", content_type=MULTIPART, data={
            "x-title": _file("title.pdf"), "x-file": _file("plan.pdf"),
            "x-attachments": [_file("one.pdf"), _file("two.pdf")]}):
        form = UploadForm(prefix="x", meta={"csrf": False})
        assert not form.title.data and form.title.raw_data == []
        assert form.file.data.filename == "plan.pdf"
        assert [file.filename for file in form.attachments.data] == ["one.pdf", "two.pdf"]


def test_a_form_given_its_data_reads_it_as_given(app):
    with app.test_request_context("/", method="POST", content_type=MULTIPART,
                                  data={"title": _file()}):
        form = UploadForm(formdata=MultiDict({"title": "Given"}), meta={"csrf": False})
        assert form.title.data == "Given"
