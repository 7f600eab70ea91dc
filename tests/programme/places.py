"""Guests' places made directly, for the tests of what guests are sent and may do after a
session; and a session evaluated by people of the network and guests alike."""
from datetime import UTC, datetime, timedelta

from gfp_portal.attendance import evaluations
from gfp_portal.attendance import services as attendance
from gfp_portal.core.tokens import digest
from gfp_portal.extensions import db
from gfp_portal.programme import guest_evaluations, guests
from gfp_portal.programme.models import Guest, GuestPlaceStatus, GuestRegistration, Sector
from gfp_portal.sessions import registration
from tests.helpers import NOW

ANSWERS = {"applicable": True, "belonging": True, "empowered": False, "rating": "good",
           "comment": "Le module sur la Bolivie mériterait une heure de plus."}


def guest_place(session, email="ximena@university.example", language="es",
                name="Ximena Quispe-Valdivia", status=GuestPlaceStatus.registered):
    guest = Guest(name=name, email=email, organisation="Universidad de Lima",
                  sector=Sector.academia, preferred_language=language, verified_at=NOW,
                  created_at=NOW)
    db.session.add(guest)
    db.session.flush()
    place = GuestRegistration(session_id=session.id, guest_id=guest.id, status=status,
                              requested_at=NOW, registered_at=NOW,
                              invited_sequence=session.ical_sequence)
    db.session.add(place)
    db.session.flush()
    return place


def answered_session(make_session, make_appointee, coordinator, *, started_ago):
    """(a session of two hours that began `started_ago` before now (real time), its five
    people): four
    people of the network attended and three answered, a fifth was absent; two guests
    attended and answered, a third was absent. Five answers from the six who attended, two
    of them from guests."""
    now = datetime.now(UTC)
    session = make_session(starts_in=now - NOW - started_ago)
    people = [make_appointee() for _ in range(5)]
    for number, person in enumerate(people):
        row = registration.register(session, person, actor=None, by_coordinator=True,
                                    notify=False, now=session.starts_at - timedelta(days=1))
        attendance.mark(row, "absent" if number == 4 else "present", actor=coordinator,
                        now=session.ends_at)
    places = [guest_place(session, email=f"guest{n}@example.org", name=f"Guest {n}")
              for n in range(3)]
    for number, place in enumerate(places):
        guests.mark_guest(place, "absent" if number == 2 else "present", actor=coordinator,
                          now=session.ends_at)
    after = session.ends_at + timedelta(hours=1)
    for person in people[:3]:
        evaluations.submit(session, person, ANSWERS, now=after)
    for number, place in enumerate(places[:2]):
        place.evaluation_token_hash = digest(f"guest-link-{number}")
        guest_evaluations.submit(f"guest-link-{number}", ANSWERS, now=after)
    db.session.commit()
    return session, people
