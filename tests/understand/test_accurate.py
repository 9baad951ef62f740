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


def test_accurate_ensemble_mixes_both_components():
    texts = ["The oat latte was cold and the barista ignored me", "Lovely cardamom buns, thank you!"]
    ens = get("trustdesk.ensemble.v1").predict(texts)["sentiment"]
    a = get("trustdesk.minilm.v1").predict(texts)["sentiment"]
    b = get("trustdesk.fast.v1").predict(texts)["sentiment"]
    low, high = np.minimum(a, b) - 1e-6, np.maximum(a, b) + 1e-6
    assert ((ens >= low) & (ens <= high)).all()
