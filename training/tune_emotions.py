"""Choose ``pipeline.NEUTRAL_WEIGHT``: macro-F1 over our 9 emotions on GoEmotions validation, per weight.

Usage:  python -m training.tune_emotions --data ../shared/data
Prints the score of each weight for both tiers; the value in pipeline.py is set by hand from this table
(the lowest weights score alike, so the shipped one is the most conservative of the best).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from trustdesk.understand.evaluate import _rows, _texts, emotions_macro_f1
from trustdesk.understand.pipeline import NEUTRAL_WEIGHT, normalised_groups
from trustdesk.understand.registry import TIERS, get

WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0)


def main() -> None:
    """Print macro-F1 over our 9 emotions for each neutral weight and tier."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    args = ap.parse_args()
    rows = _rows(args.data / "goemotions" / "validation.jsonl")
    print(f"shipped NEUTRAL_WEIGHT = {NEUTRAL_WEIGHT}")
    for tier, name in TIERS.items():
        probs = get(name).predict(_texts(rows))["goemotions"]
        scores = {w: round(emotions_macro_f1(rows, normalised_groups(probs, w)), 4) for w in WEIGHTS}
        print(tier, scores, flush=True)


if __name__ == "__main__":
    main()
