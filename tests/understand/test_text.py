from trustdesk.understand.text import MAX_CHARS, clean, to_text


def test_text_strips_markup_and_scripts_for_analysis():
    c = clean("<p>Great <b>coffee</b></p><script>alert('x')</script>")
    assert c.text == "Great coffee"
    assert "markup stripped for analysis" in c.reasons
    assert c.raw.startswith("<p>")


def test_text_masks_urls_and_handles():
    c = clean("@bluebird see https://example.com/x now")
    assert c.text == "@user see http now"
    assert c.urls == ["https://example.com/x"]


def test_text_truncates_huge_input_with_reason():
    c = clean("a" * 1_000_000)
    assert len(c.text) == MAX_CHARS
    assert any("truncated" in r for r in c.reasons)


def test_text_invalid_utf8_bytes_and_surrogates_are_replaced():
    text, reasons = to_text(b"caf\xe9 au lait")
    assert "caf" in text and reasons == ["invalid UTF-8 replaced"]
    text, reasons = to_text("bad \udce9 byte")
    assert "\udce9" not in text and reasons == ["invalid UTF-8 replaced"]


def test_text_empty_and_emoji_only_have_reasons():
    assert clean("").reasons == ["empty text"]
    assert not clean("😀🔥").has_words
    assert clean("😀🔥").reasons == ["no words (emoji or symbols only)"]
