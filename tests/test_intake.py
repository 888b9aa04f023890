"""Intake: cleaning keeps offsets into the original, zones mark what is not the request."""
from triage.intake import clean, find_zones


def zones_of(text):
    c = clean(text)
    return {z.kind: text[slice(*c.to_original(z.start, z.end))] for z in find_zones(c.text)}


def test_html_entities_are_decoded_and_map_back_to_the_original():
    text = "Please provide the number of stop &amp; searches&nbsp;in 2022."
    c = clean(text)
    assert "stop & searches in 2022" in c.text
    s = c.text.index("stop")
    e = c.text.index("2022") + 4
    assert text[slice(*c.to_original(s, e))] == "stop &amp; searches&nbsp;in 2022"


def test_windows_line_endings_and_bullet_glyphs_are_normalised():
    c = clean("Questions:\r\n\u25cf one\r\n\u25aa two")
    assert c.text == "Questions:\n\u2022 one\n\u2022 two"
    assert len(c.offsets) == len(c.text) + 1


def test_smart_quotes_and_dashes_become_plain_but_keep_length():
    text = "Clare\u2019s Law \u2013 \u201crequests\u201d"
    c = clean(text)
    assert c.text == "Clare's Law - \"requests\""
    assert c.to_original(0, len(c.text)) == (0, len(text))


def test_greeting_and_sign_off_with_name_and_phone_are_zoned():
    text = ("Dear Sir or Madam,\n\nPlease tell me how many dog bites were reported in 2021.\n\n"
            "Yours faithfully,\n\nPriya Patel\n14 Mill Lane, Leeds\n07700 900461\n")
    z = zones_of(text)
    assert z["greeting"] == "Dear Sir or Madam,"
    assert z["signoff"].startswith("Yours faithfully,")
    assert "07700 900461" in z["signoff"]


def test_quoted_earlier_email_is_zoned_from_the_on_wrote_line():
    text = ("Thank you for your reply. Could you also tell me the number of appeals?\n\n"
            "On 3 May 2023, Freedom of Information wrote:\n> Dear Mr Jones,\n> Please find our response attached.\n")
    z = zones_of(text)
    assert z["quoted"].startswith("On 3 May 2023")
    assert "appeals" not in z["quoted"]


def test_original_message_separator_starts_a_quoted_zone():
    text = "Please send the policy.\n\n-----Original Message-----\nFrom: FOI Unit\nSent: 2 May\n"
    assert zones_of(text)["quoted"].startswith("-----Original Message-----")


def test_whatdotheyknow_footer_is_zoned():
    text = ("Please provide the 2022 budget for the dog unit.\n\nYours faithfully,\nAlex\n\n"
            "-------------------------------------------------------------------\n\n"
            "Please use this email address for all replies to this request:\n"
            "foi-request-1234-abcd@whatdotheyknow.com\n\n"
            "Is foi@example.police.uk the wrong address for Freedom of Information requests to Example Police? "
            "If so, please contact us using this form:\nhttps://www.whatdotheyknow.com/change_request/new\n")
    z = zones_of(text)
    assert "footer" in z and "whatdotheyknow.com" in z["footer"]
    assert "dog unit" not in z["footer"] and "dog unit" not in z["signoff"]


def test_a_thank_you_line_alone_is_not_treated_as_a_sign_off():
    # a one-line message that begins with thanks is the request itself
    assert "signoff" not in zones_of("Thanks\n")
