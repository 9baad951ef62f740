from trustdesk.understand import features

TEXTS = [
    "Great coffee, great staff!! great great",
    "the app crashes when I pay — again?!",
    "Café crème très bon 😀😀 ☕",
    "it's don't l8r x-ray o'clock rock'n'roll",
    "",
    "a",
    "new new new words words appear twice in one text",
    "it's!! ok?? 'x' a'b'c !?!? don't! a1'b2! 100% tab\tx",
]


def test_features_counts_equal_the_hashing_vectorizer():
    expected = features._VECTORIZER.transform(TEXTS)
    for _ in range(2):  # cold and warm word table
        got = features.counts(TEXTS)
        assert got.shape == expected.shape
        assert (got != expected).nnz == 0


def test_features_counts_after_the_word_table_starts_over(monkeypatch):
    monkeypatch.setattr(features, "_TABLE", features._WordTable())
    monkeypatch.setattr(features, "_CACHE_MAX", 5)
    expected = features._VECTORIZER.transform(TEXTS)
    for _ in range(3):
        assert (features.counts(TEXTS) != expected).nnz == 0


def test_features_counts_from_threads_at_once(monkeypatch):
    from concurrent.futures import ThreadPoolExecutor

    monkeypatch.setattr(features, "_TABLE", features._WordTable())
    texts = [f"word{k} and word{k + 1} or word{k % 7}" for k in range(400)]
    expected = features._VECTORIZER.transform(texts)
    chunks = [texts[k : k + 40] for k in range(0, 400, 40)]
    with ThreadPoolExecutor(4) as pool:
        got = list(pool.map(features.counts, chunks))
    for k, m in enumerate(got):
        assert (m != expected[k * 40 : (k + 1) * 40]).nnz == 0


def test_features_ascii_tokens_match_the_unicode_pattern():
    for text in TEXTS:
        low = text.lower()
        if low.isascii():
            assert features._ascii_tokens(low) == features._TOKEN_RE.findall(low)
