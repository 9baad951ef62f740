import pytest

from trustdesk.understand.language import detect


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("The coffee was cold and the staff were rude", "en"),
        ("Le café était froid et je ne suis pas content", "fr"),
        ("Der Kaffee war kalt und ich bin nicht zufrieden", "de"),
        ("El café estaba frío y no me gusta nada", "es"),
        ("Il caffè era freddo e non mi piace", "it"),
        ("De koffie was koud en het is niet goed", "nl"),
        ("Кофе был холодный", "ru"),
        ("コーヒーが冷たいです", "ja"),
        ("القهوة باردة جدا", "ar"),
        ("הקפה היה קר", "he"),
    ],
)
def test_language_detects_common_languages(text, lang):
    assert detect(text) == lang


@pytest.mark.parametrize("text", ["", "😀😀😀", "12345", "ok"])
def test_language_unknown_is_und(text):
    assert detect(text) == "und"


def test_language_ascii_words_match_the_unicode_pattern():
    from trustdesk.understand import language

    texts = [
        "it's the BEST coffee, isn't it?", "don't 2day l8r x-ray o'clock 'quoted' rock'n'roll ''a'' b'", "a1b2 c_d",
        "", "   ", "!!!", "tab\tnew\nline", "it''s", "'", "o'", "'o",
    ]  # fmt: skip
    for text in texts:
        low = text.lower()
        assert (
            language._ascii_words(low)
            == language._WORD_RE.findall(low)
            == language._ASCII_WORD_RE.findall(low)
        )
