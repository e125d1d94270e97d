"""Fast measuring without a database, for tuning on the tuning split only:
`python -m tests.repeats.tune` (the held-out split is measured by test_labelled.py, through the services)."""
from __future__ import annotations

import sys
from collections import Counter

from county_net.repeats import score
from county_net.repeats.settings import RepeatSettings
from county_net.repeats.text import mask_name, read
from tests.repeats.labelled import load, metrics, table


def people(pair, side, reading):
    listed = pair.get(f"{side}_people")
    if listed is None:  # the earlier set: the petitioners are the people its text names
        return [{"keys": set(), "name": n} for n in reading.names]
    found = []
    for person in listed:
        keys = set()
        if person.get("id") is not None:
            keys.add(f"id:{pair['id']}:{person['id']}")
        if person.get("phone") is not None:
            keys.add(f"np:{pair['id']}:{person['name']}:{person['phone']}")
        found.append({"keys": keys, "name": mask_name(person["name"])})
    return found


_CACHE: dict = {}


def prepared(split):
    """(pair, reading of b, reading of a, facts, idf) with the county's corpus as the DB test has it: every a,
    and the background matters."""
    if "all" not in _CACHE:
        from tests.repeats.labelled import background

        everything = load()
        readings = {p["id"]: (read(p["a"]), read(p["b"])) for p in everything}
        df = Counter()
        extra = [read(m["text"]) for m in background()]
        for r in [a for a, _ in readings.values()] + extra:
            df.update(r.word_set | set(r.objects))
        _CACHE["all"] = (everything, readings, score.idf_from(df, len(readings) + len(extra)))
    everything, readings, idf = _CACHE["all"]
    rows = []
    for pair in everything:
        if split is not None and pair["split"] != split:
            continue
        a, b = readings[pair["id"]]
        new_people, old_people = people(pair, "b", b), people(pair, "a", a)
        facts = score.Facts(same_category=pair["category_a"] == pair["category_b"],
                            other_locality=bool(pair["locality_a"] and pair["locality_b"]
                                                and pair["locality_a"] != pair["locality_b"]),
                            age_days=pair["gap_days"], people_known=bool(new_people and old_people),
                            **score.people_facts(new_people, old_people, b, a))
        rows.append((pair, b, a, facts))
    return rows, idf


def strays(rows, idf, per_pair=6):
    """Easy negatives as the index brings them: for each b, the first matters of other pairs in the same
    category (other people, unless the texts name them)."""
    out = []
    by_category: dict = {}
    for pair, b, a, facts in rows:
        by_category.setdefault(pair["category_a"], []).append((pair, a))
    for pair, b, _, _ in rows:
        others = [(p, a) for p, a in by_category.get(pair["category_b"], []) if p["id"] != pair["id"]][:per_pair]
        for other, a in others:
            new_people, old_people = people(pair, "b", b), people(other, "a", a)
            facts = score.Facts(same_category=True,
                                other_locality=bool(other["locality_a"] and pair["locality_b"]
                                                    and other["locality_a"] != pair["locality_b"]),
                                age_days=pair["gap_days"], people_known=bool(new_people and old_people),
                                **score.people_facts(new_people, old_people, b, a))
            out.append((score.features(b, a, facts, idf)[0], 0.0))
    return out


def fit(split="tune", l2=0.001, rounds=20000, rate=1.0, stray_weight=0.15, exclude=()):
    """Logistic regression of the label on the signals' values: the default weights."""
    import math

    rows, idf = prepared(split)
    data = [(score.features(b, a, facts, idf)[0], 1.0 if pair["label"] == "repeat" else 0.0, 1.0)
            for pair, b, a, facts in rows]
    data += [(values, y, stray_weight) for values, y in strays(rows, idf)]
    data = [({k: v for k, v in values.items() if k not in exclude}, y, w) for values, y, w in data]
    names = sorted({k for values, _, _ in data for k in values})
    weights = {k: 0.0 for k in names} | {"bias": 0.0}
    total = sum(w for _, _, w in data)
    for _ in range(rounds):
        grad = {k: 0.0 for k in weights}
        for values, y, w in data:
            z = weights["bias"] + sum(weights[k] * v for k, v in values.items())
            err = w * (1 / (1 + math.exp(-z)) - y)
            grad["bias"] += err
            for k, v in values.items():
                grad[k] += err * v
        for k in weights:
            weights[k] -= rate * (grad[k] / total + (l2 * weights[k] if k != "bias" else 0))
    return {k: round(v, 2) for k, v in weights.items()}


def run(split="tune", settings=None, show=False):
    settings = settings or RepeatSettings({})
    rows, idf = prepared(split)
    outcomes = []
    for pair, b, a, facts in rows:
        verdict = score.judge(b, a, facts, idf, settings.weights)
        hit = verdict.score >= settings["threshold"] and score.reaches(facts, verdict, settings)
        outcomes.append((pair, hit))
        if show and hit != (pair["label"] == "repeat"):
            print(f"\n{pair['id']} {pair['kind']} {pair['label']} score={verdict.score:.2f} gap={pair['gap_days']}")
            print("  ", "；".join(f"{s.label} {s.weight:+.2f}" for s in verdict.signals))
            print("  a:", pair["a"][:90])
            print("  b:", pair["b"][:90])
    return metrics(outcomes)


if __name__ == "__main__":
    if "--fit" in sys.argv:
        learned = fit()
        print(learned)
        print(table(run(settings=RepeatSettings({"weights": learned}), show="-v" in sys.argv)))
    else:
        print(table(run(show="-v" in sys.argv)))
