"""The appointment policy read from the settings, and the compliance warnings it implies."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l

from gfp_portal.core.settings import all_settings, get_setting

# Grades from lowest to highest; the equivalence table maps other categories onto these.
GRADE_LADDER = ("G-1", "G-2", "G-3", "G-4", "G-5", "G-6", "G-7",
                "P-1", "P-2", "P-3", "P-4", "P-5", "D-1", "D-2", "ASG", "USG")

# Shipped defaults (ST/SGB/2023/3 and the UN-SWAP requirements); the Office can change them.
DEFAULT_SETTINGS = {
    "policy.default_term_years": 2,
    "policy.alert_days": [90, 30, 7],
    "policy.min_grade": "P-4",
    "policy.min_time_share": 20,
    "policy.require_terms_of_reference": True,
    "policy.grade_equivalence": {
        "NO-A": "P-2", "NO-B": "P-3", "NO-C": "P-4", "NO-D": "P-5", "NO-E": "P-5",
        "FS-4": "P-1", "FS-5": "P-2", "FS-6": "P-3", "FS-7": "P-4",
    },
}

WARNING_TITLES = {
    "grade_below_minimum": _l("Grade below the expected level"),
    "grade_unknown": _l("Grade not recorded"),
    "time_share_below_minimum": _l("Less working time than expected"),
    "time_share_unknown": _l("Share of working time not recorded"),
    "no_terms_of_reference": _l("No terms of reference on file"),
}


def grade_rank(grade, equivalence=None):
    """Position of `grade` on the ladder after equivalence, or None when unknown."""
    if not grade:
        return None
    grade = grade.strip().upper()
    equivalence = get_setting("policy.grade_equivalence") if equivalence is None else equivalence
    grade = {k.upper(): v for k, v in equivalence.items()}.get(grade, grade)
    try:
        return GRADE_LADDER.index(grade)
    except ValueError:
        return None


def grades_at_or_above(minimum, equivalence):
    """Every grade code (ladder or equivalent) that meets `minimum`."""
    floor = GRADE_LADDER.index(minimum)
    codes = set(GRADE_LADDER[floor:])
    codes |= {code for code, same in equivalence.items()
              if same in GRADE_LADDER and GRADE_LADDER.index(same) >= floor}
    return codes


@dataclass(frozen=True)
class Policy:
    default_term_years: int
    alert_days: tuple
    min_grade: str
    min_time_share: int
    require_terms_of_reference: bool
    grade_equivalence: dict

    @classmethod
    def current(cls):
        values = all_settings("policy.")
        return cls(
            default_term_years=int(values["policy.default_term_years"]),
            alert_days=tuple(sorted({int(d) for d in values["policy.alert_days"]},
                                    reverse=True)),
            min_grade=values["policy.min_grade"],
            min_time_share=int(values["policy.min_time_share"]),
            require_terms_of_reference=bool(values["policy.require_terms_of_reference"]),
            grade_equivalence=dict(values["policy.grade_equivalence"]),
        )

    def default_end_date(self, start):
        try:
            return start.replace(year=start.year + self.default_term_years) - timedelta(days=1)
        except ValueError:  # 29 February
            return start.replace(year=start.year + self.default_term_years, day=28)

    @property
    def compliant_grades(self):
        return grades_at_or_above(self.min_grade, self.grade_equivalence)

    @property
    def alert_window(self):
        return max(self.alert_days) if self.alert_days else 0

    def warnings(self, appointment):
        """Codes of the UN-SWAP compliance warnings of one appointment (never blocking)."""
        return self.warnings_for(appointment.person.grade, appointment.time_share,
                                 appointment.tor_on_file)

    def warnings_for(self, grade, time_share, tor_on_file):
        codes = []
        rank = grade_rank(grade, self.grade_equivalence)
        if rank is None:
            codes.append("grade_unknown")
        elif rank < grade_rank(self.min_grade, {}):
            codes.append("grade_below_minimum")
        if time_share is None:
            codes.append("time_share_unknown")
        elif time_share < self.min_time_share:
            codes.append("time_share_below_minimum")
        if self.require_terms_of_reference and not tor_on_file:
            codes.append("no_terms_of_reference")
        return codes

    def is_expiring(self, appointment, today=None):
        today = today or date.today()
        return appointment.end_date is not None and \
            today <= appointment.end_date <= today + timedelta(days=self.alert_window)
