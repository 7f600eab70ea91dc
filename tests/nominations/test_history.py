"""A nomination's events read as sentences that keep the nominee's name apart."""
import html as html_lib
import re


def _audit_page(client, language):
    return html_lib.unescape(client.get(f"/admin/audit/?lang={language}").get_data(as_text=True))


def test_the_audit_log_says_who_was_nominated_for_what(client, kenya_nomination, login_as):
    login_as("admin")
    page = _audit_page(client, "en")
    assert ("\u2068Njeri Mwangi\u2069 nominated as alternate for "
            "\u2068WFP\u2069 — \u2068Kenya\u2069") in page


def test_an_arabic_nomination_sentence_keeps_the_name_apart(client, kenya_nomination,
                                                            login_as):
    """In "ترشيح Njeri Mwangi مناوبًا …" the Latin name is isolated (U+2068…U+2069), as the
    entity and team are, so it cannot run into the Latin acronym after it."""
    login_as("admin")
    sentence = re.search(r">(ترشيح [^<]*)<", _audit_page(client, "ar")).group(1)
    assert sentence.startswith("ترشيح \u2068Njeri Mwangi\u2069 مناوبًا"), sentence
    assert "\u2068WFP\u2069" in sentence, sentence
