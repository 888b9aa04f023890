"""Question segmentation on request shapes seen in FOI inboxes (texts written for these tests)."""
import pytest

from triage.intake import clean, find_zones
from triage.segment import segment


def questions(text):
    c = clean(text)
    zones = [(z.start, z.end) for z in find_zones(c.text)]
    out = []
    for g in segment(c.text, zones):
        if g.role == "question":
            s, e = c.to_original(g.start, g.end)
            out.append(text[s:e])
    return out


def test_numbered_list_gives_one_question_per_item_and_leaves_out_the_greeting():
    text = ("Dear FOI team,\n\nI am researching rural crime. Please provide the following:\n\n"
            "1. The number of tractor thefts reported in 2022.\n"
            "2. The number of quad bikes recovered in 2022.\n"
            "3. How many officers are in the rural crime team?\n\nKind regards,\nSam")
    qs = questions(text)
    assert qs == ["1. The number of tractor thefts reported in 2022.",
                  "2. The number of quad bikes recovered in 2022.",
                  "3. How many officers are in the rural crime team?"]


@pytest.mark.parametrize("markers", [("1)", "2)"), ("(1)", "(2)"), ("Q1.", "Q2."), ("a)", "b)"),
                                     ("i.", "ii."), ("\u2022", "\u2022"), ("-", "-")])
def test_every_list_marker_shape_splits_items(markers):
    text = (f"{markers[0]} How many dog attacks on livestock were recorded last year?\n"
            f"{markers[1]} How many dogs were seized after such attacks?")
    assert len(questions(text)) == 2


def test_lettered_sub_items_stay_inside_their_numbered_parent():
    text = ("1. For each firearms licence revoked in 2023, please state:\n"
            "a) the reason for revocation\n b) whether an appeal was made\n"
            "2. How many licence applications are waiting to be processed?")
    qs = questions(text)
    assert len(qs) == 2
    assert "whether an appeal was made" in qs[0]


def test_question_headings_take_the_paragraph_under_them():
    text = ("Question 1\nTotal spent on interpreters in 2021/22\n\n"
            "Question 2\n\nThe number of interpreter bookings cancelled in 2021/22")
    qs = questions(text)
    assert len(qs) == 2 and qs[1].endswith("cancelled in 2021/22")


def test_inline_numbered_list_in_one_paragraph_is_split():
    text = "Please tell me 1) how many PCSOs you employ 2) how many are vacancies 3) the PCSO budget for 2023."
    qs = questions(text)
    assert len(qs) == 3
    assert qs[1].startswith("2) how many are vacancies")


def test_unnumbered_paragraph_with_two_asks_gives_two_questions():
    text = "Please provide the number of noise complaints received in 2022. Could you also tell me how many led to a warning?"
    assert len(questions(text)) == 2


def test_one_line_request_is_one_question():
    assert questions("How many speed cameras are there in Kent?") == ["How many speed cameras are there in Kent?"]


def test_context_and_courtesy_sentences_are_not_questions():
    text = ("I am aware that the Home Office publishes figures on police use of force every year. "
            "Please provide the number of times spit hoods were used on children in 2023. "
            "If this request is too broad, please contact me to narrow it. I look forward to your reply.")
    assert questions(text) == ["Please provide the number of times spit hoods were used on children in 2023."]


def test_breakdown_follow_up_stays_with_its_ask():
    text = "How many hate crimes were recorded in 2021? Please break this down by month."
    assert questions(text) == [text]


def test_generic_intro_before_a_list_is_not_a_question():
    text = ("I would like to know the following:\n- How many drones does the force own?\n"
            "- How many drone pilots are trained?")
    qs = questions(text)
    assert len(qs) == 2 and all(q.startswith("-") for q in qs)


def test_an_ask_introducing_lettered_points_is_one_question():
    text = ("Please provide a breakdown for each month including:\n"
            "i) the number of calls\nii) the average answer time")
    assert len(questions(text)) == 1


def test_section_headings_in_dotted_numbering_are_not_questions():
    text = ("1. Staffing\n1.1. How many call handlers are employed?\n1.2. How many vacancies are there?\n"
            "2. Systems\n2.1. Which call handling software is used?")
    qs = questions(text)
    assert [q.split()[0] for q in qs] == ["1.1.", "1.2.", "2.1."]


def test_text_scraped_without_line_breaks_is_still_split():
    text = ("This is a request under the Freedom of Information Act 2000.Please provide the following:"
            "The number of library closures since 2015.The number of library staff made redundant since 2015.")
    assert len(questions(text)) == 2


def test_request_with_no_recognisable_ask_is_one_question():
    text = "All correspondence between the force and the council about the town centre CCTV upgrade"
    assert questions(text) == [text]


def test_sign_off_and_footer_never_become_questions():
    text = ("Please provide the number of cycle thefts at the station car park in 2023.\n\n"
            "Many thanks,\nJo\n\n-------------------------------------------------------------------\n\n"
            "Please use this email address for all replies to this request:\nfoi-request-1-ab@whatdotheyknow.com\n")
    assert questions(text) == ["Please provide the number of cycle thefts at the station car park in 2023."]


def test_repeated_number_with_sub_letters_is_one_question_and_the_next_number_is_new():
    text = ("1. How many PCSOs do you employ?\n"
            "2. a. How many PCSOs hold a driving permit?\n2. b. How many PCSOs are trained in first aid?\n"
            "3. How many PCSO posts are vacant?")
    qs = questions(text)
    assert len(qs) == 3
    assert "first aid" in qs[1] and qs[2].startswith("3.")


def test_section_heading_is_not_glued_to_the_item_before_it():
    text = ("1. Fleet\n1.1. How many marked cars does the force own?\n1.2. How many are electric?\n"
            "2. Fuel\n2.1. What was spent on fuel in 2023?")
    qs = questions(text)
    assert qs[1] == "1.2. How many are electric?"


def test_umbrella_ask_before_specific_asks_is_not_a_question():
    text = ("Please provide information on your use of agency interpreters. "
            "How many interpreter bookings were made in 2023? What was the total cost?")
    qs = questions(text)
    assert qs == ["How many interpreter bookings were made in 2023?", "What was the total cost?"]


def test_context_led_intro_before_a_list_is_not_a_question():
    text = ("I am aware that the force published a vetting report in 2022, but I would like more detail.\n"
            "1. How many vetting applications were refused in 2023?\n2. How many refusals were appealed?")
    assert [q[:2] for q in questions(text)] == ["1.", "2."]


def test_years_listed_under_an_introducing_ask_count_as_asked_periods():
    import datetime as dt

    from triage import Triage

    text = ("The number of data breaches reported to the DPO for each of the following years:\n"
            "2019\n2020\n2021\n"
            "Please provide a breakdown for each year including:\n"
            "i) the month of the breach\nii) whether it was reported to the ICO")
    r = Triage().triage(text, received=dt.date(2023, 6, 1))
    assert {(d.start.year, d.end.year) for d in r.dates} >= {(2019, 2019), (2020, 2020), (2021, 2021)}
