import numpy as np

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


def _tfidf_rows(texts, idf):
    """The fast tier's features by their definition, from the vectorizer's counts (float64)."""
    from sklearn.preprocessing import normalize

    x = features._VECTORIZER.transform(texts).astype(np.float64).tocsr()
    x.data = np.log1p(x.data)
    return normalize(x.multiply(idf.astype(np.float64)).tocsr())


def test_features_featurize_is_sublinear_tf_idf_with_unit_rows():
    rng = np.random.default_rng(3)
    idf = rng.uniform(1.0, 9.0, features.N_FEATURES).astype(np.float32)
    big = [f"{t} {k}" for k in range(features.COLUMN_MAJOR_FROM // len(TEXTS) + 1) for t in TEXTS]
    for texts in (TEXTS, TEXTS[:1], [""], TEXTS * 3, big):
        got = features.featurize(texts, idf)
        assert got.format == ("csc" if len(texts) >= features.COLUMN_MAJOR_FROM else "csr")
        assert got.has_sorted_indices
        assert got.shape == (len(texts), features.N_FEATURES)
        assert abs(got - _tfidf_rows(texts, idf)).max() < 1e-6
        # every text with a feature has unit length; a text without one stays all zeros
        lengths = np.sqrt(np.asarray(got.multiply(got).sum(axis=1)).ravel())
        np.testing.assert_allclose(lengths, [1.0 if t.strip() else 0.0 for t in texts], atol=1e-5)
