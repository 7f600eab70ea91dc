"""The parity figures: shares, distance to parity, the parity range (both ends included),
the grades furthest from parity, the network per quarter and per year; summed in the
database in a fixed number of queries."""
from fractions import Fraction

import pytest

from gfp_portal.core.settings import update_settings
from gfp_portal.extensions import db
from gfp_portal.parity import imports, queries
from gfp_portal.parity.queries import ParityRange, Point, grade_order
from gfp_portal.parity.tables import rounded
from tests.helpers import entity
from tests.parity.conftest import figures_csv, grid


def load(rows, actor, name="f.csv"):
    imports.import_whole(name, figures_csv(rows), actor=actor)
    db.session.flush()


@pytest.mark.parametrize("women, men, within", [
    (47, 53, True), (53, 47, True), (50, 50, True), (469, 531, False), (531, 469, False),
    (4699, 5301, False), (5300, 4700, True), (0, 0, False)])
def test_the_range_includes_both_ends(ctx, women, men, within):
    assert ParityRange(Fraction(47), Fraction(53)).holds(Point(2023, 4, women, men)) is within


def test_share_and_distance_are_exact_and_rounded_for_display():
    point = Point(2023, 4, 1, 2)
    assert point.share == Fraction(100, 3) and rounded(point.share) == rounded(Fraction(
        3333, 100))
    assert str(rounded(point.share)) == "33.3" and str(rounded(point.distance)) == "16.7"
    assert Point(2023, 4, 60, 40).distance == 10 and Point(2023, 4, 40, 60).distance == 10
    assert str(rounded(Fraction(4705, 100))) == "47.1"  # halves away from zero
    assert Point(2023, 4, 0, 0).share is None


def test_grades_are_ordered_from_the_most_senior():
    grades = ["G-5", "P-1", "FS-5", "USG", "NO-B", "D-1", "P-4", "ASG", "NO-D", "G", "X", "D-2"]
    assert sorted(grades, key=grade_order) == [
        "USG", "ASG", "D-2", "D-1", "P-4", "P-1", "NO-D", "NO-B", "FS-5", "G", "G-5", "X"]


def test_an_entity_per_quarter_by_grade_and_its_furthest_grades(coordinator):
    load([["UNDP", "2023-Q4", "P-4", "HQ", 40, 60], ["UNDP", "2023-Q4", "P-4", "field", 10, 0],
          ["UNDP", "2024-Q1", "P-4", "HQ", 50, 50], ["UNDP", "2024-Q1", "D-1", "HQ", 2, 8],
          ["UNDP", "2024-Q1", "G-5", "HQ", 70, 30], ["UNDP", "2024-Q1", "P-3", "HQ", 45, 55],
          ["UNDP", "2024-Q1", "USG", "HQ", 0, 0], ["UNICEF", "2024-Q1", "P-4", "HQ", 1, 1]],
         coordinator)
    figures = queries.entity_figures(entity("UNDP"))
    assert [(p.period, p.women, p.men) for p in figures.periods] == [
        ("2023-Q4", 50, 60), ("2024-Q1", 167, 143)]
    assert figures.grades == ["USG", "D-1", "P-4", "P-3", "G-5"]
    assert figures.by_grade[(2023, 4)]["P-4"].share == Fraction(500, 11)
    # Furthest in the latest quarter: D-1 (20 %), G-5 (70 %), P-3 (45 %); USG has nobody.
    assert [(p.label, p.distance) for p in figures.furthest] == [
        ("D-1", 30), ("G-5", 20), ("P-3", 5)]


def test_the_network_per_quarter_and_entities_within_the_range_per_year(coordinator):
    load([["UNDP", "2023-Q3", "P-4", "HQ", 50, 50],      # within in Q3 only
          ["UNDP", "2023-Q4", "P-4", "HQ", 40, 60],      # its last quarter of 2023: out
          ["UNICEF", "2023-Q4", "P-4", "HQ", 47, 53],    # exactly 47 %: within
          ["UNHCR", "2023-Q2", "P-4", "HQ", 53, 47],     # exactly 53 %, its last of 2023
          ["UNHCR", "2024-Q1", "P-4", "HQ", 30, 70]], coordinator)
    network = queries.network()
    assert [(p.period, p.women, p.men) for p in network.periods] == [
        ("2023-Q2", 53, 47), ("2023-Q3", 50, 50), ("2023-Q4", 87, 113), ("2024-Q1", 30, 70)]
    assert network.years == [(2023, 2, 3), (2024, 0, 1)]
    assert [(e.acronym, p.period, within) for e, p, within in network.entities] == [
        ("UNDP", "2023-Q4", False), ("UNHCR", "2024-Q1", False), ("UNICEF", "2023-Q4", True)]


def test_the_range_is_a_setting(coordinator):
    load([["UNDP", "2023-Q4", "P-4", "HQ", 45, 55]], coordinator)
    assert queries.network().years == [(2023, 0, 1)]
    update_settings({"parity.range_min": 45, "parity.range_max": 55}, actor=coordinator)
    assert queries.network().years == [(2023, 1, 1)]


def test_figures_take_a_fixed_number_of_queries(coordinator, count_queries):
    load(grid(["UNDP"], ["2023-Q4"], ["P-4"]), coordinator, "small.csv")
    undp = entity("UNDP")
    db.session.commit()  # each count starts a transaction (which reads the settings once)
    with count_queries() as small:
        queries.network(), queries.entity_figures(undp), queries.latest_import(undp)
    load(grid(["UNDP", "UNICEF", "UNHCR", "WFP"], ["2022-Q4", "2023-Q1", "2023-Q4"],
              ["P-1", "P-2", "P-3", "P-4", "D-1", "G-5"], women=30), coordinator, "large.csv")
    db.session.commit()
    with count_queries() as large:
        queries.network(), queries.entity_figures(undp), queries.latest_import(undp)
    assert small.count == large.count


def test_entities_below_the_parity_range_by_their_latest_quarter(app, reference):
    with app.app_context():
        imports.import_whole("f.csv", figures_csv([
            ["UNDP", "2023-Q4", "P-4", "HQ", 50, 50],   # within, then below
            ["UNDP", "2024-Q4", "P-4", "HQ", 46, 54],
            ["UNICEF", "2023-Q4", "P-4", "HQ", 30, 70],  # below, then at 47.0: within
            ["UNICEF", "2024-Q4", "P-4", "HQ", 47, 53],
            ["WFP", "2024-Q4", "P-4", "HQ", 60, 40]]), actor=None)  # above: not below
        ids = {name: entity(name).id for name in ("UNDP", "UNICEF", "WFP", "UNFPA")}
        assert queries.entities_below_parity(set(ids.values())) == {ids["UNDP"]}
        assert queries.entities_below_parity(set()) == set()
