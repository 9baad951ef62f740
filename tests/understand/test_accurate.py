"""The accurate tier (int8 ONNX MiniLM), when its artefacts are shipped."""

import numpy as np
import pytest

from trustdesk.understand import analyze
from trustdesk.understand.registry import available, get
from trustdesk.understand.schemas import MessageInput

pytestmark = pytest.mark.skipif(not available("accurate"), reason="accurate tier artefacts not shipped")


def test_accurate_clear_anger_vs_gratitude():
    angry, grateful = analyze(
        [
            MessageInput(text="I am furious, the staff were rude and my order was wrong AGAIN. Disgraceful."),
            MessageInput(text="Thank you so much for the lovely birthday cake, the team were so kind!"),
        ],
        tier="accurate",
    )
    assert angry.sentiment == "negative" and angry.emotion in ("anger", "frustration", "disappointment")
    assert grateful.sentiment == "positive" and grateful.emotion in ("gratitude", "joy")
    assert angry.model == "trustdesk.ensemble.v1"


def test_accurate_length_buckets_keep_order_and_truncate_long_texts():
    texts = ["great coffee thanks", "terrible " * 5000, "ok", "the app crashes when I pay, please fix it"]
    model = get("trustdesk.minilm.v1")
    batch = model.predict(texts)
    for k, text in enumerate(texts):
        single = model.predict([text])
        for head, probs in batch.items():
            # int8 activations are quantised per batch, so the batch's other texts move scores a little,
            # never much (the 3,083-step model moves one GoEmotions probability by 0.11 here; known, in
            # the model card)
            assert abs(probs[k] - single[head][0]).max() < 0.15, head


def test_accurate_batches_stay_within_the_token_budget_padding_included():
    from trustdesk.understand.accurate import BATCH_TOKENS, MAX_TOKENS, _length_batches

    # many short texts and some at the truncation limit: the short ones once set the row count for a
    # batch padded to 128 tokens (69 x 128 rows in the demo, 4x the budget; a 300 MB peak)
    rng = np.random.default_rng(5)
    ids = [[1] * int(n) for n in rng.choice([3, 5, 9, 20, 29, 60, MAX_TOKENS], size=500)]
    batches = _length_batches(ids)
    seen = np.concatenate([rows for rows, _, _ in batches])
    assert sorted(seen.tolist()) == list(range(len(ids)))
    for rows, input_ids, mask in batches:
        assert input_ids.size <= BATCH_TOKENS
        assert input_ids.shape[1] == max(len(ids[k]) for k in rows)
        assert (mask.sum(axis=1) == [len(ids[k]) for k in rows]).all()


def test_accurate_ensemble_mixes_both_components_then_corrects_the_class_priors():
    texts = ["The oat latte was cold and the barista ignored me", "Lovely cardamom buns, thank you!"]
    ensemble = get("trustdesk.ensemble.v1")
    out = ensemble.predict(texts)
    a = get("trustdesk.minilm.v1").predict(texts)
    b = get("trustdesk.fast.v1").predict(texts)
    meta = ensemble.meta  # type: ignore[attr-defined]
    for head in ("sentiment", "tweet_emotion", "offensive"):
        w = meta["minilm_weight"][head]
        expected = w * a[head] + (1 - w) * b[head]
        scale = meta.get("class_scale", {}).get(head)
        if scale is None:  # a plain mix lies between its parts
            low, high = np.minimum(a[head], b[head]) - 1e-6, np.maximum(a[head], b[head]) + 1e-6
            assert ((out[head] >= low) & (out[head] <= high)).all()
        else:
            expected = expected * np.asarray(scale)
            expected /= expected.sum(axis=1, keepdims=True)
            assert np.allclose(out[head].sum(axis=1), 1.0, atol=1e-5)
        assert np.allclose(out[head], expected, atol=1e-5), head


def test_minilm_refit_emotion_head_names_each_tweeteval_emotion():
    # the TweetEval-emotion head was refit on the frozen encoder and written into the int8 graph's head
    # columns (training/refit_emotion_head.py); a column written in the wrong place or order fails here
    tweets = {
        "anger": "I am so angry right now, worst customer service ever and nobody cares",
        "sadness": "Feeling so sad and lonely today, I really miss her",
        "joy": "Best day ever, the concert was amazing and I am so happy",
        "optimism": "Tomorrow is a new day, keep going and never give up, things will get better",
    }
    model = get("trustdesk.minilm.v1")
    probs = model.predict(list(tweets.values()))["tweet_emotion"]
    labels = next(h["labels"] for h in model.heads if h["name"] == "tweet_emotion")  # type: ignore[attr-defined]
    assert [labels[k] for k in probs.argmax(1)] == list(tweets)
    assert (probs.max(1) > 0.5).all()
