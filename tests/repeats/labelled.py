"""The labelled pairs, read for measuring: the 72 pairs of tests/petitions/data (text only: both matters in one
place and category, ten days apart, petitioners as the texts name them) and the pairs of tests/repeats/data."""
from __future__ import annotations

import tomllib
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).parent
OLD = HERE.parent / "petitions" / "data" / "repeat_pairs.toml"


# The earlier set's short category names, as the county's taxonomy spells them.
OLD_CATEGORIES = {"交通": "交通运输", "卫生": "卫生健康", "环境": "生态环境"}


def load(split: str | None = None) -> list[dict]:
    pairs = []
    for entry in tomllib.loads(OLD.read_text(encoding="utf-8"))["pairs"]:
        category = OLD_CATEGORIES.get(entry["category"], entry["category"])
        pairs.append({"id": f"old-{entry['id']}", "kind": "earlier_set", "label": entry["label"], "split": "tune",
                      "category_a": category, "category_b": category, "locality_a": "T1",
                      "locality_b": "T1", "gap_days": 10, "channel_a": "visit", "channel_b": "visit",
                      "a": entry["a"], "b": entry["b"], "a_people": None, "b_people": None, "same_person": False})
    for path in sorted((HERE / "data").glob("pairs_*.toml")):
        for entry in tomllib.loads(path.read_text(encoding="utf-8"))["pairs"]:
            pairs.append({**entry, "id": str(entry["id"])})
    return [p for p in pairs if split is None or p["split"] == split]


def metrics(outcomes: list[tuple[dict, bool]]) -> dict:
    """outcomes: (pair, suggested?) -> precision, recall, F1 overall and per kind."""
    def figures(rows):
        tp = sum(1 for p, hit in rows if hit and p["label"] == "repeat")
        fp = sum(1 for p, hit in rows if hit and p["label"] != "repeat")
        fn = sum(1 for p, hit in rows if not hit and p["label"] == "repeat")
        tn = len(rows) - tp - fp - fn
        precision = tp / (tp + fp) if tp + fp else None
        recall = tp / (tp + fn) if tp + fn else None
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
        return {"pairs": len(rows), "tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": precision,
                "recall": recall, "f1": f1, "accuracy": (tp + tn) / len(rows) if rows else None}
    kinds = defaultdict(list)
    for row in outcomes:
        kinds[row[0]["kind"]].append(row)
    return {"all": figures(outcomes), "kinds": {k: figures(v) for k, v in sorted(kinds.items())}}


def table(result: dict) -> str:
    def fmt(x):
        return "–" if x is None else f"{x:.2f}"
    lines = [f"{'kind':34} pairs  tp  fp  fn  tn  precision recall  F1   accuracy"]
    for name, f in [*result["kinds"].items(), ("ALL", result["all"])]:
        lines.append(f"{name:34} {f['pairs']:5} {f['tp']:3} {f['fp']:3} {f['fn']:3} {f['tn']:3}  {fmt(f['precision']):9} "
                     f"{fmt(f['recall']):6} {fmt(f['f1']):5} {fmt(f['accuracy'])}")
    return "\n".join(lines)


def background() -> list[dict]:
    path = HERE / "data" / "background.toml"
    if not path.exists():
        return []
    return tomllib.loads(path.read_text(encoding="utf-8"))["matters"]
