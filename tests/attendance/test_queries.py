"""The read-only queries of attendance."""
from gfp_portal.attendance import queries, services
from gfp_portal.sessions.models import RegistrationStatus


def test_the_place_of_a_viewer_in_a_session(held, coordinator, make_person):
    session, people = held
    services.mark(next(r for r in session.registrations if r.person == people["Amina"]),
                  "present", minutes=90, actor=coordinator)
    amina = queries.place_of(session, people["Amina"])
    assert amina.registration.person == people["Amina"]
    assert (amina.attendance.status, amina.taken, amina.in_audience) == ("present", 4, True)

    zoe = queries.place_of(session, people["Zoe"])
    assert zoe.registration.status == RegistrationStatus.waitlisted and zoe.attendance is None

    outsider = queries.place_of(session, make_person())  # no appointment: not in the audience
    assert (outsider.registration, outsider.attendance, outsider.taken,
            outsider.in_audience) == (None, None, 4, False)
    office = queries.place_of(session, None)
    assert (office.registration, office.in_audience, office.taken) == (None, False, 4)
