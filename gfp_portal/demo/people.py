"""Demo registry: about 700 synthetic people and their appointments, with gaps and history."""
import random
import re
import unicodedata
import zlib
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from faker import Faker
from sqlalchemy import func, select

from gfp_portal.extensions import db
from gfp_portal.reference.models import EntityType, Region
from gfp_portal.reference.services import get_or_create_duty_station
from gfp_portal.registry import services
from gfp_portal.registry.models import Appointment, AppointmentRole, EndReason, Person

DOMAIN = "demo.gfp"  # people's addresses are given.family@<entity>.demo.gfp

# The city of the UN offices in each UNCT host country, and its IANA time zone.
CAPITALS = {
    "AGO": ("Luanda", "Africa/Luanda"), "BEN": ("Cotonou", "Africa/Porto-Novo"),
    "BWA": ("Gaborone", "Africa/Gaborone"), "BFA": ("Ouagadougou", "Africa/Ouagadougou"),
    "BDI": ("Bujumbura", "Africa/Bujumbura"), "CPV": ("Praia", "Atlantic/Cape_Verde"),
    "CMR": ("Yaoundé", "Africa/Douala"), "CAF": ("Bangui", "Africa/Bangui"),
    "TCD": ("N'Djamena", "Africa/Ndjamena"), "COM": ("Moroni", "Indian/Comoro"),
    "COG": ("Brazzaville", "Africa/Brazzaville"), "CIV": ("Abidjan", "Africa/Abidjan"),
    "COD": ("Kinshasa", "Africa/Kinshasa"), "GNQ": ("Malabo", "Africa/Malabo"),
    "ERI": ("Asmara", "Africa/Asmara"), "SWZ": ("Mbabane", "Africa/Mbabane"),
    "ETH": ("Addis Ababa", "Africa/Addis_Ababa"), "GAB": ("Libreville", "Africa/Libreville"),
    "GMB": ("Banjul", "Africa/Banjul"), "GHA": ("Accra", "Africa/Accra"),
    "GIN": ("Conakry", "Africa/Conakry"), "GNB": ("Bissau", "Africa/Bissau"),
    "KEN": ("Nairobi", "Africa/Nairobi"), "LSO": ("Maseru", "Africa/Maseru"),
    "LBR": ("Monrovia", "Africa/Monrovia"), "MDG": ("Antananarivo", "Indian/Antananarivo"),
    "MWI": ("Lilongwe", "Africa/Blantyre"), "MLI": ("Bamako", "Africa/Bamako"),
    "MRT": ("Nouakchott", "Africa/Nouakchott"), "MUS": ("Port Louis", "Indian/Mauritius"),
    "MOZ": ("Maputo", "Africa/Maputo"), "NAM": ("Windhoek", "Africa/Windhoek"),
    "NER": ("Niamey", "Africa/Niamey"), "NGA": ("Abuja", "Africa/Lagos"),
    "RWA": ("Kigali", "Africa/Kigali"), "STP": ("São Tomé", "Africa/Sao_Tome"),
    "SEN": ("Dakar", "Africa/Dakar"), "SLE": ("Freetown", "Africa/Freetown"),
    "ZAF": ("Pretoria", "Africa/Johannesburg"), "SSD": ("Juba", "Africa/Juba"),
    "TGO": ("Lomé", "Africa/Lome"), "UGA": ("Kampala", "Africa/Kampala"),
    "TZA": ("Dar es Salaam", "Africa/Dar_es_Salaam"), "ZMB": ("Lusaka", "Africa/Lusaka"),
    "ZWE": ("Harare", "Africa/Harare"), "DZA": ("Algiers", "Africa/Algiers"),
    "BHR": ("Manama", "Asia/Bahrain"), "DJI": ("Djibouti", "Africa/Djibouti"),
    "EGY": ("Cairo", "Africa/Cairo"), "IRQ": ("Baghdad", "Asia/Baghdad"),
    "JOR": ("Amman", "Asia/Amman"), "KWT": ("Kuwait City", "Asia/Kuwait"),
    "LBN": ("Beirut", "Asia/Beirut"), "LBY": ("Tripoli", "Africa/Tripoli"),
    "MAR": ("Rabat", "Africa/Casablanca"), "OMN": ("Muscat", "Asia/Muscat"),
    "SAU": ("Riyadh", "Asia/Riyadh"), "SOM": ("Mogadishu", "Africa/Mogadishu"),
    "PSE": ("Ramallah", "Asia/Hebron"), "SDN": ("Port Sudan", "Africa/Khartoum"),
    "SYR": ("Damascus", "Asia/Damascus"), "TUN": ("Tunis", "Africa/Tunis"),
    "ARE": ("Abu Dhabi", "Asia/Dubai"), "YEM": ("Sana'a", "Asia/Aden"),
    "AFG": ("Kabul", "Asia/Kabul"), "BGD": ("Dhaka", "Asia/Dhaka"),
    "BTN": ("Thimphu", "Asia/Thimphu"), "KHM": ("Phnom Penh", "Asia/Phnom_Penh"),
    "CHN": ("Beijing", "Asia/Shanghai"), "PRK": ("Pyongyang", "Asia/Pyongyang"),
    "FJI": ("Suva", "Pacific/Fiji"), "IND": ("New Delhi", "Asia/Kolkata"),
    "IDN": ("Jakarta", "Asia/Jakarta"), "IRN": ("Tehran", "Asia/Tehran"),
    "LAO": ("Vientiane", "Asia/Vientiane"), "MYS": ("Kuala Lumpur", "Asia/Kuala_Lumpur"),
    "MDV": ("Malé", "Indian/Maldives"), "FSM": ("Palikir", "Pacific/Pohnpei"),
    "MNG": ("Ulaanbaatar", "Asia/Ulaanbaatar"), "MMR": ("Yangon", "Asia/Yangon"),
    "NPL": ("Kathmandu", "Asia/Kathmandu"), "PAK": ("Islamabad", "Asia/Karachi"),
    "PNG": ("Port Moresby", "Pacific/Port_Moresby"), "PHL": ("Manila", "Asia/Manila"),
    "WSM": ("Apia", "Pacific/Apia"), "LKA": ("Colombo", "Asia/Colombo"),
    "THA": ("Bangkok", "Asia/Bangkok"), "TLS": ("Dili", "Asia/Dili"),
    "VNM": ("Hanoi", "Asia/Ho_Chi_Minh"), "ALB": ("Tirana", "Europe/Tirane"),
    "ARM": ("Yerevan", "Asia/Yerevan"), "AZE": ("Baku", "Asia/Baku"),
    "BLR": ("Minsk", "Europe/Minsk"), "BIH": ("Sarajevo", "Europe/Sarajevo"),
    "GEO": ("Tbilisi", "Asia/Tbilisi"), "KAZ": ("Astana", "Asia/Almaty"),
    "KGZ": ("Bishkek", "Asia/Bishkek"), "MNE": ("Podgorica", "Europe/Podgorica"),
    "MKD": ("Skopje", "Europe/Skopje"), "MDA": ("Chișinău", "Europe/Chisinau"),
    "SRB": ("Belgrade", "Europe/Belgrade"), "TJK": ("Dushanbe", "Asia/Dushanbe"),
    "TUR": ("Ankara", "Europe/Istanbul"), "TKM": ("Ashgabat", "Asia/Ashgabat"),
    "UKR": ("Kyiv", "Europe/Kyiv"), "UZB": ("Tashkent", "Asia/Tashkent"),
    "ARG": ("Buenos Aires", "America/Argentina/Buenos_Aires"),
    "BRB": ("Bridgetown", "America/Barbados"), "BLZ": ("Belmopan", "America/Belize"),
    "BOL": ("La Paz", "America/La_Paz"), "BRA": ("Brasília", "America/Sao_Paulo"),
    "CHL": ("Santiago", "America/Santiago"), "COL": ("Bogotá", "America/Bogota"),
    "CRI": ("San José", "America/Costa_Rica"), "CUB": ("Havana", "America/Havana"),
    "DOM": ("Santo Domingo", "America/Santo_Domingo"), "ECU": ("Quito", "America/Guayaquil"),
    "SLV": ("San Salvador", "America/El_Salvador"),
    "GTM": ("Guatemala City", "America/Guatemala"), "GUY": ("Georgetown", "America/Guyana"),
    "HTI": ("Port-au-Prince", "America/Port-au-Prince"),
    "HND": ("Tegucigalpa", "America/Tegucigalpa"), "JAM": ("Kingston", "America/Jamaica"),
    "MEX": ("Mexico City", "America/Mexico_City"), "NIC": ("Managua", "America/Managua"),
    "PAN": ("Panama City", "America/Panama"), "PRY": ("Asunción", "America/Asuncion"),
    "PER": ("Lima", "America/Lima"), "SUR": ("Paramaribo", "America/Paramaribo"),
    "TTO": ("Port of Spain", "America/Port_of_Spain"), "URY": ("Montevideo", "America/Montevideo"),
    "VEN": ("Caracas", "America/Caracas"),
}

HQ_STATIONS = {
    "New York": ("USA", "America/New_York"), "Geneva": ("CHE", "Europe/Zurich"),
    "Vienna": ("AUT", "Europe/Vienna"), "Nairobi": ("KEN", "Africa/Nairobi"),
    "Rome": ("ITA", "Europe/Rome"), "Paris": ("FRA", "Europe/Paris"),
    "Bangkok": ("THA", "Asia/Bangkok"), "Addis Ababa": ("ETH", "Africa/Addis_Ababa"),
    "Santiago": ("CHL", "America/Santiago"), "Beirut": ("LBN", "Asia/Beirut"),
    "Bonn": ("DEU", "Europe/Berlin"), "Copenhagen": ("DNK", "Europe/Copenhagen"),
    "Madrid": ("ESP", "Europe/Madrid"), "Washington": ("USA", "America/New_York"),
    "Montreal": ("CAN", "America/Toronto"), "London": ("GBR", "Europe/London"),
    "The Hague": ("NLD", "Europe/Amsterdam"), "Turin": ("ITA", "Europe/Rome"),
    "Tokyo": ("JPN", "Asia/Tokyo"), "Amman": ("JOR", "Asia/Amman"),
    "Bern": ("CHE", "Europe/Zurich"), "Hamburg": ("DEU", "Europe/Berlin"),
}
_HQ_CITIES = {
    "Geneva": "ECE ILO ITC ITU OHCHR UNAIDS UNCTAD UNHCR UNICC UNIDIR UNITAR UNOG UNRISD "
              "WHO WIPO WMO WTO IOM ODA",
    "Vienna": "CTBTO IAEA OOSA UNIDO UNODC UNOV", "Nairobi": "UN-Habitat UNEP UNON",
    "Rome": "FAO IFAD WFP", "Paris": "UNESCO", "Bangkok": "ESCAP", "Addis Ababa": "ECA UNOAU",
    "Santiago": "ECLAC", "Beirut": "ESCWA", "Bonn": "UNCCD UNFCCC UNV",
    "Copenhagen": "UNOPS", "Madrid": "UN Tourism", "Washington": "IMF WBG",
    "Montreal": "ICAO", "London": "IMO", "The Hague": "ICC OPCW", "Turin": "UNICRI UNSSC",
    "Tokyo": "UNU", "Amman": "UNRWA", "Bern": "UPU", "Hamburg": "ITLOS",
}
HQ_CITY = {acronym: city for city, names in _HQ_CITIES.items() for acronym in names.split()}

# Faker locales for the names of national staff, by host country, then by region.
NAME_LOCALES = {
    "KEN": "en_KE sw", "TZA": "sw en_KE", "UGA": "sw en_KE", "RWA": "sw", "BDI": "sw fr_FR",
    "NGA": "en_NG yo_NG ig_NG ha_NG", "NER": "ha_NG fr_FR", "GHA": "tw_GH en_NG",
    "LBR": "tw_GH en_NG", "SLE": "tw_GH en_NG", "GMB": "ha_NG tw_GH",
    "ZAF": "zu_ZA en_GB", "SWZ": "zu_ZA", "LSO": "zu_ZA", "BWA": "zu_ZA", "ZWE": "zu_ZA",
    "AGO": "pt_PT pt_BR", "CPV": "pt_PT", "GNB": "pt_PT", "STP": "pt_PT", "MOZ": "pt_PT",
    "GNQ": "es_ES", "DZA": "fr_DZ ar", "MAR": "fr_DZ ar", "TUN": "fr_DZ ar", "LBY": "fr_DZ ar",
    "MRT": "fr_DZ ar", "IND": "en_IN", "NPL": "en_IN", "BTN": "en_IN", "LKA": "en_IN",
    "BGD": "en_IN en_PK", "PAK": "en_PK", "AFG": "en_PK", "MDV": "en_PK", "IRN": "en_PK",
    "THA": "en_TH", "LAO": "en_TH", "KHM": "en_TH", "MMR": "en_TH", "IDN": "id_ID",
    "MYS": "id_ID", "TLS": "pt_PT id_ID", "VNM": "vi_VN", "PHL": "es_ES en_US",
    "FJI": "en_NZ", "WSM": "en_NZ", "FSM": "en_NZ", "PNG": "en_NZ", "TUR": "tr_TR",
    "AZE": "az_AZ", "MDA": "ro_RO", "UKR": "pl_PL", "BLR": "pl_PL",
    "ALB": "hr_HR", "BIH": "hr_HR", "SRB": "hr_HR", "MNE": "hr_HR", "MKD": "hr_HR",
    "MEX": "es_MX", "GTM": "es_MX", "SLV": "es_MX", "HND": "es_MX", "NIC": "es_MX",
    "CRI": "es_MX", "PAN": "es_MX es_CO", "CUB": "es_MX es_ES", "DOM": "es_MX es_CO",
    "COL": "es_CO", "VEN": "es_CO", "ECU": "es_CO", "CHL": "es_CL", "PER": "es_CL",
    "BOL": "es_CL", "ARG": "es_AR", "URY": "es_AR", "PRY": "es_AR", "BRA": "pt_BR",
    "HTI": "fr_FR", "BRB": "en_GB", "BLZ": "en_GB es_MX", "GUY": "en_GB en_IN",
    "JAM": "en_GB", "SUR": "nl_NL en_IN", "TTO": "en_GB en_IN",
}
REGION_LOCALES = {
    Region.africa: "fr_FR ha_NG en_KE", Region.arab_states: "ar",
    Region.asia_pacific: "en_IN en_GB", Region.europe_central_asia: "uz_UZ tr_TR",
    Region.latin_america_caribbean: "es_MX",
}


def _words(text):
    return tuple(text.split())


INTERNATIONAL = _words("en_US en_GB fr_FR fr_CA es_ES es_MX es_CO pt_BR de_DE it_IT nl_NL sv_SE "
                       "da_DK pl_PL en_IN en_KE en_NG ar tr_TR id_ID vi_VN fr_DZ en_NZ")

# Preferred languages (weights of en, fr, es, ar) by where people work.
FRENCH = _words("BEN BFA BDI CMR CAF TCD COM COG CIV COD GAB GIN MDG MLI NER SEN TGO DJI HTI")
SPANISH = _words("ARG BOL CHL COL CRI CUB DOM ECU SLV GTM HND MEX NIC PAN PRY PER URY VEN GNQ "
                 "BLZ")
MAGHREB = _words("DZA MAR TUN MRT LBN")
HQ_LANGUAGES = {"Geneva": (60, 35, 3, 2), "Paris": (50, 45, 3, 2), "Santiago": (15, 2, 83, 0),
                "Beirut": (35, 10, 0, 55), "Amman": (45, 0, 0, 55)}

# Arabic names as entered in Arabic script, with the transliteration used in addresses.
ARABIC_GIVEN_F = ("فاطمة Fatima", "مريم Mariam", "نور Nour", "ليلى Leila", "سارة Sara",
                  "هدى Huda", "رنا Rana", "دينا Dina", "ريم Reem", "سلمى Salma", "أمل Amal",
                  "ياسمين Yasmine", "هالة Hala", "منى Mona", "رشا Rasha", "لينا Lina",
                  "نادية Nadia", "سمر Samar", "عائشة Aisha", "زينب Zeinab")
ARABIC_GIVEN_M = ("محمد Mohamed", "أحمد Ahmed", "عمر Omar", "خالد Khaled", "يوسف Youssef",
                  "علي Ali", "حسن Hassan", "كريم Karim", "طارق Tarek", "سامي Sami",
                  "باسل Basel", "مازن Mazen", "زياد Ziad", "هشام Hisham", "وليد Walid")
ARABIC_FAMILY = ("حداد Haddad", "الخطيب Al-Khatib", "منصور Mansour", "عبد_الله Abdallah",
                 "السيد El-Sayed", "حسين Hussein", "النجار Al-Najjar", "صالح Saleh",
                 "الزعبي Al-Zoubi", "خوري Khoury", "عيسى Issa", "الشامي Al-Shami",
                 "المصري Al-Masri", "فرح Farah", "عثمان Osman", "قاسم Kassem", "جابر Jaber",
                 "الحسيني Al-Husseini", "سليمان Suleiman", "درويش Darwish", "نصر Nasr",
                 "عواد Awad", "الراشد Al-Rashid", "حمدان Hamdan", "التميمي Al-Tamimi")

GRADES = {  # (grade, weight); "" is a grade not recorded
    "national": (("NO-A", 3), ("NO-B", 25), ("NO-C", 30), ("NO-D", 12), ("G-6", 10),
                 ("G-7", 9), ("", 8)),
    "international": (("P-2", 4), ("P-3", 26), ("P-4", 34), ("P-5", 24), ("D-1", 4), ("", 8)),
    "headquarters": (("P-2", 3), ("P-3", 22), ("P-4", 30), ("P-5", 22), ("D-1", 5),
                     ("G-6", 7), ("G-7", 6), ("", 5)),
}
TITLES = {
    "NO": ("Gender Specialist", "Programme Specialist", "Programme Officer", "Programme Analyst",
           "Human Rights Officer", "Monitoring and Evaluation Officer", "Social Policy Officer",
           "Communications Officer", "Human Resources Officer", "Partnerships Specialist",
           "Health Officer", "Education Officer", "Protection Officer", "Nutrition Officer",
           "Programme Policy Officer"),
    "P": ("Deputy Representative", "Programme Specialist", "Gender Specialist",
          "Senior Programme Officer", "Human Rights Officer", "Policy Specialist",
          "Human Resources Specialist", "Chief of Section", "Senior Gender Adviser",
          "Partnerships Specialist", "Operations Manager", "Evaluation Specialist",
          "Protection Officer", "Coordination Officer", "Senior Human Resources Officer"),
    "G": ("Programme Associate", "Senior Programme Assistant", "Human Resources Associate",
          "Administrative Associate", "Executive Associate"),
    "D": ("Director", "Deputy Director", "Chief of Staff"),
}
COUNTRY_HEADS = {"UNDP": "Resident Representative", "WFP": "Country Director",
                 "IOM": "Chief of Mission", "ILO": "Director, Country Office",
                 "UNICEF": "Representative", "UNFPA": "Representative",
                 "UN-Women": "Representative", "WHO": "Representative", "FAO": "Representative",
                 "UNHCR": "Representative", "UNESCO": "Head of Office"}
ENTITY_HEADS = {"UNDP": "Administrator", "UNHCR": "High Commissioner",
                "OHCHR": "High Commissioner", "UNCTAD": "Secretary-General",
                "ITU": "Secretary-General", "ICAO": "Secretary-General",
                "IMO": "Secretary-General", "WMO": "Secretary-General",
                "UN Tourism": "Secretary-General", "ECA": "Executive Secretary",
                "ECE": "Executive Secretary", "ECLAC": "Executive Secretary",
                "ESCAP": "Executive Secretary", "ESCWA": "Executive Secretary",
                "UNFCCC": "Executive Secretary", "UNCCD": "Executive Secretary"}
TYPE_HEADS = {EntityType.secretariat: "Under-Secretary-General",
              EntityType.specialized_agency: "Director-General",
              EntityType.related_organization: "Director-General",
              EntityType.research_training: "Director"}
REPLACEMENT_NOTES = ("Reassigned to another duty station.", "Separated from the organization.",
                     "Took up a new position in the office.", "Returned from leave; "
                     "handover completed.", None)

# Share of (UNCT, entity) cells each country team has reported on: a few teams keep the
# registry complete, many report only their core agencies, the rest little beyond UN-Women.
COMPLETE_TEAMS = 3  # besides KEN and COL, which the demo accounts look at
PARTIAL_TEAMS = 5
CORE = ("UNDP", "UNICEF", "UNFPA", "UN-Women", "WHO", "FAO", "WFP")
SPARSE = {"UN-Women": 0.5, "UNFPA": 0.12, "UNDP": 0.12, "UNICEF": 0.08}
HQ_ENTITIES = 60
PEOPLE = 690  # sparse teams report more core agencies until the registry holds this many
# Kenya, which rc.kenya@demo.gfp sees: a gap with a former holder, an alternate-only cell,
# a team with nobody reported, and terms about to end.
KENYA = {"UNODC": {"kind": "gap", "history": True}, "UNON": {"kind": "gap", "history": False},
         "OCHA": {"kind": "alt_only"}, "WHO": {"kind": "fp", "fp_days_left": 12},
         "UNDP": {"kind": "fp", "alt_days_left": 5}, "UNICEF": {"kind": "fp", "fp_days_left": 64}}

# How the network grew: the share of today's focal points and alternates already in their role
# at each date. The first two dozen took up the role in January 2017; about 450 held one at the
# end of 2021 and 500 at the end of 2023. The rest joined since.
GROWTH = ((date(2017, 1, 1), 0.0), (date(2017, 1, 31), 0.046), (date(2021, 12, 31), 0.715),
          (date(2023, 12, 31), 0.82))
TERM_DAYS = 730  # earlier terms are renewed about every two years

_FOLD = str.maketrans({"ı": "i", "ə": "e", "Ə": "E", "ø": "o", "Ø": "O", "æ": "ae",
                       "ß": "ss", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "œ": "oe"})


def slug(text):
    """ASCII form of a name for an email address: 'Nguyễn Đức' -> 'nguyen-duc'."""
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    text = text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def _at(day):
    return datetime.combine(day, time(9), tzinfo=UTC)


def _years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def is_seeded():
    return bool(db.session.scalar(select(Person.id).where(
        Person.email.like(f"%.{DOMAIN}")).limit(1)))


def seed_registry(uncts, entities, *, seed, now):
    """Add the demo people and appointments once; returns (people added, appointments added)."""
    if is_seeded():
        return 0, 0
    count = [db.session.scalar(select(func.count()).select_from(m))
             for m in (Person, Appointment)]
    _Registry(uncts, entities, seed=seed, now=now).build()
    return tuple(db.session.scalar(select(func.count()).select_from(m)) - before
                 for m, before in zip((Person, Appointment), count, strict=True))


class _Registry:
    def __init__(self, uncts, entities, *, seed, now):
        self.rng = random.Random(seed)
        # Its own stream, so that the history leaves every other draw (names, terms) as it was.
        self.history = random.Random(seed + 1)
        self.seed, self.today = seed, now.date()
        self.uncts, self.entities = uncts, entities
        self.fakers, self.stations, self.signers = {}, {}, {}
        self.emails = set(db.session.scalars(select(func.lower(Person.email))))
        self.reported, self.added = set(), 0

    def build(self):
        for acronym in self._hq_entities():
            self._cell(self.entities[acronym], None, 0.96)
        lucia = services.find_person_by_email("fp@demo.gfp")
        others = sorted(set(self.uncts) - {"KEN", "COL"})
        complete = {"KEN", "COL", *self.rng.sample(others, COMPLETE_TEAMS)}
        partial = set(self.rng.sample(sorted(set(others) - complete), PARTIAL_TEAMS))
        for iso3 in sorted(self.uncts):
            for entity in self._members(iso3):
                name, plan = entity.acronym, dict(KENYA.get(entity.acronym, {})
                                                  if iso3 == "KEN" else {})
                if iso3 == "COL" and name == "UNDP" and lucia and not lucia.active_appointments:
                    plan.update(kind="fp", holder=lucia)
                if iso3 in complete:
                    reported = 0.96
                elif iso3 in partial:
                    reported = 0.75 if name in CORE else 0.2
                else:
                    reported = SPARSE.get(name, 0.03 if name in CORE else 0.01)
                self._cell(entity, self.uncts[iso3], reported, **plan)
        sparse = sorted(set(others) - complete - partial)
        self.rng.shuffle(sparse)
        for acronym in CORE:
            for iso3 in sparse:
                if self.added >= PEOPLE:
                    return
                entity = next((e for e in self._members(iso3) if e.acronym == acronym), None)
                if entity and (iso3, acronym) not in self.reported:
                    self._cell(entity, self.uncts[iso3], 1.0)

    def _members(self, iso3):
        # Sorted: the collection's order depends on whether it was just assigned or loaded.
        return sorted(self.uncts[iso3].members, key=lambda e: e.acronym)

    def _hq_entities(self):
        chosen = [a for a in CORE if a in self.entities]
        pool = sorted(a for a, e in self.entities.items()
                      if e.type != EntityType.mission and a not in chosen)
        return chosen + self.rng.sample(pool, HQ_ENTITIES - len(chosen))

    # --- one (entity, scope) cell -----------------------------------------------------------

    def _cell(self, entity, unct, reported, *, kind=None, history=None, holder=None,
              fp_days_left=None, alt_days_left=None):
        rng = self.rng
        if kind is None:
            if rng.random() >= reported:
                return
            roll = rng.random()
            kind = "fp" if roll < 0.9 else "alt_only" if roll < 0.93 else "gap"
        self.reported.add((unct.iso3 if unct else None, entity.acronym))
        if kind == "gap":
            if history or (history is None and rng.random() < 0.5):
                self._former(entity, unct)
            return
        if kind == "fp":
            self._holder(entity, unct, AppointmentRole.focal_point, fp_days_left, holder)
        else:
            self._former(entity, unct)
        roll = rng.random()
        alternates = 1 if kind == "alt_only" or 0.2 <= roll < 0.92 else 0 if roll < 0.2 else 2
        if alt_days_left is not None:
            alternates = max(alternates, 1)
        for i in range(alternates):
            self._holder(entity, unct, AppointmentRole.alternate, alt_days_left if i == 0 else None)

    def _holder(self, entity, unct, role, days_left, person=None):
        """The current holder of `role`, sometimes after a renewal or a replacement, in a role
        held since the date the network's growth gives it (earlier terms renewed up to the
        current one)."""
        rng, (start, end) = self.rng, self._term(days_left)
        data = self._terms(entity, unct, role)
        roll = rng.random()
        if person is not None:  # the demo focal point: a plain term that meets every expectation
            roll = 1.0
            data.update(time_share=30, tor_on_file=True)
            since = start
        else:
            since = self._since(start)
        person = person or self._person(entity, unct, start if 0.1 <= roll < 0.22 else since)
        if roll < 0.1:  # the current term renews an earlier one
            earlier = self._earlier_terms(person, data, min(since, _years_before(start, 2)),
                                          start)
            return services.renew(earlier, end_date=end, actor=None,
                                  now=_at(start - timedelta(days=rng.randint(3, 45))))
        if roll < 0.22:  # someone else held the role before
            first = start - timedelta(days=rng.randint(200, 700))
            before = self._person(entity, unct, min(first, since))
            earlier = self._earlier_terms(before, self._terms(entity, unct, role),
                                          min(first, since), start)
            return services.replace(earlier, person, {
                **data, "start_date": start, "end_date": end,
                "reason": rng.choice(REPLACEMENT_NOTES)}, actor=None, now=_at(start))
        if since < start - timedelta(days=30):
            earlier = self._earlier_terms(person, data, since, start)
            return services.renew(earlier, end_date=end, actor=None,
                                  now=_at(start - timedelta(days=20)))
        return services.appoint(person, {**data, "start_date": start, "end_date": end},
                                actor=None, now=_at(start))

    def _since(self, start):
        """Since when the role has been held, drawn from GROWTH (never after `start`)."""
        share = self.history.random()
        points = (*GROWTH, (self.today, 1.0))
        for (day, low), (next_day, high) in pairwise(points):
            if share <= high:
                offset = (next_day - day).days * (share - low) / (high - low)
                return min(day + timedelta(days=int(offset)), start)
        return start

    def _earlier_terms(self, person, data, since, until):
        """The terms of `person` in `data`'s role from `since` to the day before `until`, each
        renewing the one before about every two years; the last one is left active."""
        count = max(1, round((until - since).days / TERM_DAYS))
        bounds = [since + (until - since) * i // count for i in range(count + 1)]
        appointment = services.appoint(person, {**data, "start_date": since,
                                                "end_date": bounds[1] - timedelta(days=1)},
                                       actor=None, now=_at(since))
        for begin, next_begin in pairwise(bounds[1:]):
            appointment = services.renew(appointment, end_date=next_begin - timedelta(days=1),
                                         actor=None, now=_at(begin - timedelta(days=20)))
        return appointment

    def _former(self, entity, unct):
        """A focal point whose appointment ended and was not followed: the cell's history."""
        rng = self.rng
        reason = rng.choice((EndReason.left_entity, EndReason.left_entity,
                             EndReason.withdrawn, EndReason.term_ended))
        start = self.today - timedelta(days=rng.randint(740, 1000) if reason ==
                                       EndReason.term_ended else rng.randint(400, 1000))
        person = self._person(entity, unct, start)
        appointment = services.appoint(person, {**self._terms(entity, unct,
                                                              AppointmentRole.focal_point),
                                                "start_date": start}, actor=None, now=_at(start))
        ended = appointment.end_date if reason == EndReason.term_ended else \
            min(start + timedelta(days=rng.randint(90, 600)), self.today - timedelta(days=14))
        services.end_appointment(appointment, reason=reason, ended_on=ended, actor=None,
                                 now=_at(ended))

    def _term(self, days_left=None):
        """Start and end of a current term: mostly the policy's two years, a few ending soon."""
        rng, roll = self.rng, self.rng.random()
        if days_left is None and roll < 0.05:
            days_left = rng.randint(1, 7) if roll < 0.006 else \
                rng.randint(8, 30) if roll < 0.018 else rng.randint(31, 90)
        if days_left is not None:
            end = self.today + timedelta(days=days_left)
            return _years_before(end + timedelta(days=1), 2), end
        start = self.today - timedelta(days=int(620 * rng.random() ** 1.4))
        if start > self.today - timedelta(days=250) and rng.random() < 0.15:
            return start, start + timedelta(days=364)  # a one-year term
        return start, None  # the policy's default term

    def _terms(self, entity, unct, role):
        rng = self.rng
        roll = rng.random()
        share = rng.choice((5, 10, 15)) if roll < 0.1 else None if roll < 0.16 else \
            rng.choice((20, 20, 20, 25, 30, 30, 40, 50, 100 if role == "focal_point" else 20))
        name, title = self._signer(entity, unct)
        return {"entity": entity, "unct": unct, "role": role, "time_share": share,
                "tor_on_file": rng.random() < 0.82, "appointed_by_name": name,
                "appointed_by_title": title}

    def _signer(self, entity, unct):
        """Who signs appointments for a cell: the head of office, sometimes the RC."""
        key = (entity.acronym, unct.iso3 if unct else None)
        if key not in self.signers:
            if unct is None:
                title = ENTITY_HEADS.get(entity.acronym) or TYPE_HEADS.get(
                    entity.type, "Executive Director")
                if self.rng.random() < 0.3:
                    title = "Director, Human Resources"
            elif self.rng.random() < 0.12:
                self.signers[key] = self._resident_coordinator(unct)
                return self.signers[key]
            else:
                title = COUNTRY_HEADS.get(entity.acronym, "Head of Office")
            name = self._name(self.rng.choice(INTERNATIONAL), self.rng.random() < 0.5)[0]
            self.signers[key] = (" ".join(name), title)
        return self.signers[key]

    def _resident_coordinator(self, unct):
        key = ("RC", unct.iso3)
        if key not in self.signers:
            rc = next((u.person for u in unct.resident_coordinators if u.person), None)
            name = rc.full_name if rc else " ".join(self._name(self.rng.choice(INTERNATIONAL),
                                                               self.rng.random() < 0.6)[0])
            self.signers[key] = (name, "Resident Coordinator")
        return self.signers[key]

    # --- people -----------------------------------------------------------------------------

    def _person(self, entity, unct, start):
        rng = self.rng
        self.added += 1
        if unct is None:
            category, city = "headquarters", HQ_CITY.get(entity.acronym, "New York")
            iso3, zone = HQ_STATIONS[city]
            locale = rng.choice(INTERNATIONAL)
        else:
            city, zone = CAPITALS[unct.iso3]
            iso3 = unct.iso3
            category = "national" if rng.random() < 0.65 else "international"
            pool = NAME_LOCALES.get(iso3) or REGION_LOCALES[unct.region]
            locale = rng.choice(pool.split()) if category == "national" else \
                rng.choice(INTERNATIONAL)
        (given, family), email_name = self._name(locale, rng.random() < 0.72)
        grades, weights = zip(*GRADES[category], strict=True)
        grade = rng.choices(grades, weights)[0]
        titles = TITLES["NO" if grade.startswith("NO") else grade[:1] or "P"]
        return services.create_person({
            "given_name": given, "family_name": family,
            "email": self._email(email_name, entity), "grade": grade or None,
            "position_title": rng.choice(titles) if rng.random() < 0.95 else None,
            "entity": entity, "duty_station": self._station(city, iso3, zone),
            "preferred_language": self._language(unct, city, None if category == "national"
                                                 else locale), "time_zone": zone,
            "directory_consent": rng.random() < 0.7}, actor=None, now=_at(start))

    def _name(self, locale, female):
        """((given, family) as entered, (given, family) in Latin letters for the address)."""
        rng = self.rng
        if locale == "ar":
            given = rng.choice(ARABIC_GIVEN_F if female else ARABIC_GIVEN_M).split()
            family = rng.choice(ARABIC_FAMILY).split()
            arabic = (given[0], family[0].replace("_", " "))
            latin = (given[1], family[1])
            return (arabic if rng.random() < 0.5 else latin), latin
        fake = self._faker(locale)
        given = fake.first_name_female() if female else fake.first_name_male()
        family = fake.last_name()
        if locale.startswith("es") and rng.random() < 0.4:  # two family names
            family = f"{family} {fake.last_name()}"
        return (given, family), (given, family)

    def _faker(self, locale):
        if locale not in self.fakers:
            fake = Faker(locale)
            fake.seed_instance(self.seed + zlib.crc32(locale.encode()))
            self.fakers[locale] = fake
        return self.fakers[locale]

    def _email(self, names, entity):
        local = ".".join(slug(n) for n in names if slug(n)) or "focal.point"
        domain = f"{slug(entity.acronym)}.{DOMAIN}"
        email, n = f"{local}@{domain}", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@{domain}"
        self.emails.add(email)
        return email

    def _station(self, city, iso3, zone):
        if (city, iso3) not in self.stations:
            self.stations[city, iso3] = get_or_create_duty_station(city, iso3, zone)
        return self.stations[city, iso3]

    def _language(self, unct, city, home=None):
        """en, fr, es or ar: international staff often keep their own, others the country's."""
        rng = self.rng
        home = home[:2] if home else None
        if home in ("fr", "es", "ar") and rng.random() < 0.7:
            return home
        if unct is None:
            weights = HQ_LANGUAGES.get(city, (82, 8, 6, 4))
        elif unct.iso3 in MAGHREB:
            weights = (10, 45, 0, 45)
        elif unct.region == Region.arab_states:
            weights = (30, 3, 0, 67)
        elif unct.iso3 in FRENCH:
            weights = (12, 88, 0, 0)
        elif unct.iso3 in SPANISH:
            weights = (8, 0, 92, 0)
        else:
            weights = (92, 4, 3, 1)
        return rng.choices(("en", "fr", "es", "ar"), weights)[0]
