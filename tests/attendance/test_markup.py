"""The attendance register of a running session, its walk-in search included, is valid and
labelled HTML."""
from tests.helpers import login
from tests.markup import markup_problems


def test_the_register_and_its_walk_in_search_show_their_labels(client, running):
    login(client, "coord@example.org")
    response = client.get(f"/sessions/{running['session']}/attendance?walk_in=mensah")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'for="walk_in"' in html
    assert markup_problems(html) == []
