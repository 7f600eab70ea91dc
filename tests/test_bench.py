"""The benchmark compares every page at the network's real size with ten times it: each page it
times must answer at the real size too, or `make bench --real-size` stops half-way."""
from bench import data
from bench.run import pages, signed_in
from gfp_portal.extensions import db


def test_every_page_the_benchmark_times_answers_at_the_real_size(app):
    with app.app_context():
        network = data.generate(**data.REAL_SIZE)
        db.session.commit()
    clients = {"anonymous": app.test_client()}
    clients.update((key, signed_in(app, key)) for key in data.ACCOUNTS)
    answers = {(role, url): clients[role].get(url).status_code
               for role, url in pages(network, min(network.nomination_ids))}
    assert {page: status for page, status in answers.items() if status != 200} == {}
