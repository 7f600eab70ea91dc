"""Demo parity figures: synthetic women and men of 38 entities by grade, Q4 of 2017 to 2024
and every quarter of 2024, built so that the published headlines come out exactly (the share
of women in the network and the number of entities within the parity range, per year). The
file imported is named as synthetic, so every page that shows the figures says so."""
import random
from fractions import Fraction

from gfp_portal.core.tables import to_csv
from gfp_portal.parity.imports import COLUMNS, import_whole
from gfp_portal.parity.models import FIELD, HEADQUARTERS

FILENAME = "Synthetic demonstration data, not official figures"
ENTITIES = ("UNDP", "UNICEF", "UNHCR", "WFP", "UNFPA", "UN-Women", "UNOPS", "UNEP",
            "UN-Habitat", "UNAIDS", "UNODC", "OCHA", "OHCHR", "DPPA", "DPO", "DESA", "DGC",
            "DMSPC", "DOS", "DSS", "ECA", "ECE", "ECLAC", "ESCAP", "ESCWA", "UNCTAD", "ITC",
            "UNRWA", "UNU", "UNITAR", "UNSSC", "UNOG", "UNON", "UNOV", "EOSG", "OLA", "OIOS",
            "UNV")
FIELD_ENTITIES = ("DPO", "DOS", "UNRWA", "WFP", "UNHCR")  # staff mostly away from headquarters
ABOVE = ("UN-Women", "UNFPA", "UNAIDS")  # entities with more women than the range
LAST_TO_PARITY = ["UNOPS", "OCHA", "DSS", "UNHCR", "WFP", "UNRWA", "DOS", "DPO"]
YEARS = tuple(range(2017, 2025))
# The headlines per year: the network's share of women (Q4, one decimal) and the entities
# within the parity range (47-53 %) in their last quarter of the year.
NETWORK_SHARE = {2017: "44.2", 2018: "44.8", 2019: "45.3", 2020: "45.8", 2021: "46.3",
                 2022: "46.7", 2023: "47.0", 2024: "47.3"}
WITHIN = {2017: 5, 2018: 8, 2019: 12, 2020: 16, 2021: 20, 2022: 24, 2023: 27, 2024: 28}
# Bands of the share of women (percent) that keep each entity on its side of the range.
BANDS = {"within": (Fraction("47.6"), Fraction("52.4")), "below": (Fraction(28), Fraction(46)),
         "above": (Fraction(54), Fraction(64))}
# Grade or staff category: (part of the staff, points of women above the entity's share).
GRADES = (("USG", 3, -12), ("ASG", 5, -10), ("D-2", 15, -8), ("D-1", 30, -6), ("P-5", 70, -4),
          ("P-4", 110, -2), ("P-3", 130, 1), ("P-2", 70, 5), ("P-1", 10, 6), ("NO", 90, -1),
          ("FS", 40, -18), ("G", 427, 6))


def _split(total, weights):
    """`total` split in proportion to `weights`, largest remainders first: sums exactly."""
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    order = sorted(range(len(weights)), key=lambda i: -(total * weights[i] % whole))
    for i in order[:total - sum(parts)]:
        parts[i] += 1
    return parts


def _entity_years(rng):
    """{(acronym, year): (women, staff)} with the headlines exact."""
    staff = {a: rng.randint(400, 4000) * (3 if a in ("UNDP", "UNICEF", "UNHCR", "WFP") else 1)
             for a in ENTITIES}
    # The order in which entities reach the range: the large field operations last.
    progress = [a for a in ENTITIES if a not in ABOVE and a not in LAST_TO_PARITY]
    rng.shuffle(progress)
    progress += LAST_TO_PARITY
    base = {a: Fraction(rng.randint(330, 440), 10) for a in ENTITIES}
    figures = {}
    for year in YEARS:
        within = set(progress[:WITHIN[year]])
        totals, bands, women = {}, {}, {}
        for acronym in ENTITIES:
            band = "above" if acronym in ABOVE else "within" if acronym in within else "below"
            low, high = BANDS[band]
            total = staff[acronym] + staff[acronym] * (year - 2017) // 50
            share = {"within": Fraction(rng.randint(478, 512), 10),
                     "above": Fraction(rng.randint(550, 620), 10),
                     "below": min(base[acronym] + Fraction(year - 2017, 2), high - 1)}[band]
            totals[acronym], bands[acronym] = total, (low, high)
            women[acronym] = int(share * total / 100)
        _balance(women, totals, bands, Fraction(NETWORK_SHARE[year]),
                 [a for a in ENTITIES if a not in ABOVE and a not in within])
        figures.update({(a, year): (women[a], totals[a]) for a in ENTITIES})
    return figures


def _balance(women, totals, bands, target, movable):
    """Move women counts until the network's share is `target` (to the unit: far closer than
    the one decimal shown), each entity inside its band: the `movable` entities first, each
    by about the same number of points, then any entity that still has room."""
    wanted = round(target * sum(totals.values()) / 100)
    for group in (movable, list(women)):
        for _ in range(20):
            gap = wanted - sum(women.values())
            staff = sum(totals[a] for a in group)
            for acronym in group:
                step = int(gap * totals[acronym] / staff) or (1 if gap > 0 else -1 if gap else 0)
                women[acronym] = _within(women[acronym] + step, totals[acronym], bands[acronym])
                if sum(women.values()) == wanted:
                    return
    assert sum(women.values()) == wanted, "the demo parity headlines cannot be met"


def _within(women, total, band):
    low, high = band
    return max(int(low * total / 100) + 1, min(int(high * total / 100) - 1, women))


def _by_grade(women, total):
    """[(grade, women, men)] summing exactly to `women` and `total`."""
    staff = _split(total, [w for _, w, _ in GRADES])
    share = Fraction(100 * women, total)
    wanted = [min(s, max(0, round((share + shift) * s / 100)))
              for s, (_, _, shift) in zip(staff, GRADES, strict=True)]
    gap = women - sum(wanted)
    for i in sorted(range(len(GRADES)), key=lambda i: -staff[i]):
        step = max(-wanted[i], min(staff[i] - wanted[i], gap))
        wanted[i] += step
        gap -= step
    return [(grade, w, s - w) for (grade, _, _), w, s in zip(GRADES, wanted, staff, strict=True)]


def parity_file(*, seed=2026):
    """The demo figures as a CSV import file (bytes), the same for the same seed."""
    yearly = _entity_years(random.Random(seed))
    rows = [list(COLUMNS)]
    for acronym in ENTITIES:
        station = FIELD if acronym in FIELD_ENTITIES else HEADQUARTERS
        periods = [(year, 4, *yearly[(acronym, year)]) for year in YEARS]
        before, after = yearly[(acronym, 2023)], yearly[(acronym, 2024)]
        periods += [(2024, q, before[0] + (after[0] - before[0]) * q // 4,
                     before[1] + (after[1] - before[1]) * q // 4) for q in (1, 2, 3)]
        for year, quarter, women, total in sorted(periods):
            for grade, w, m in _by_grade(women, total):
                rows.append([acronym, f"{year}-Q{quarter}", "", "", grade, station, "", w, m])
    return to_csv(rows)


def seed_parity(*, now=None, seed=2026):
    """Import the demo figures once; returns the number of rows imported (0 the second
    time: the same file changes nothing)."""
    source = import_whole("parity.csv", parity_file(seed=seed), actor=None, now=now,
                          name=FILENAME)
    return source.rows if source else 0
