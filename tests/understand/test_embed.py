"""The MiniLM sentence embedding for retrieval: unit length, meaningful, and free for the analysis heads."""

from __future__ import annotations

import numpy as np

from trustdesk.understand import embed
from trustdesk.understand.accurate import EMBEDDING_DIM, MiniLMModel, with_output
from trustdesk.understand.embedding import embedding_model
from trustdesk.understand.registry import MODELS_DIR


def test_embed_unit_rows_and_zero_for_empty_text():
    vectors = embed(["Do you ship beans to Ireland?", "", "   "])
    assert vectors.shape == (3, EMBEDDING_DIM) and vectors.dtype == np.float32
    assert abs(float(np.linalg.norm(vectors[0])) - 1.0) < 1e-5
    assert not vectors[1].any() and not vectors[2].any()
    assert embed([]).shape == (0, EMBEDDING_DIM)


def test_embed_a_paraphrase_is_closer_than_another_topic():
    a, b, c = embed(
        ["Do you ship beans to Ireland?", "Can I order coffee beans to Dublin?", "The app logs me out"]
    )
    assert float(a @ b) > float(a @ c) + 0.2


def test_embed_adding_the_pooled_output_leaves_the_logits_bit_for_bit_the_same():
    import onnxruntime as ort

    texts = ["My flat white was cold", "Love it!", "charged twice " * 40]
    model = MiniLMModel()
    with_pooled = model.logits(texts)
    # the shipped graph as exported, without the extra output
    model._session = ort.InferenceSession(
        str(MODELS_DIR / "minilm_v1.int8.onnx"), providers=["CPUExecutionProvider"]
    )
    assert np.array_equal(with_pooled, model.logits(texts))


def test_embed_with_output_adds_exactly_one_named_output():
    import onnxruntime as ort

    raw = (MODELS_DIR / "minilm_v1.int8.onnx").read_bytes()
    session = ort.InferenceSession(with_output(raw, "/Div_output_0"), providers=["CPUExecutionProvider"])
    assert [o.name for o in session.get_outputs()] == ["logits", "/Div_output_0"]


def test_embed_model_fingerprint_names_the_graph():
    assert embedding_model().startswith("trustdesk.minilm.v1:") and len(embedding_model()) == 36
