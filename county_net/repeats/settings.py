"""A county's repeat-detection settings: its network file's [settings.repeats] over these defaults, which were
set on the tuning part of tests/repeats/data (docs/repeats.md gives the figures). Every value is the county's."""
from __future__ import annotations

from dataclasses import dataclass

from county_net.petitions.settings import county_settings

# Log-odds per unit of each signal (score.features): a logistic regression on the tuning split of
# tests/repeats/data with the easy negatives the index brings (other pairs' matters), rounded; "same village"
# came out slightly negative (a person's other matters share it) and is left at 0. `python -m tests.repeats.tune
# --fit` prints the fit again.
WEIGHTS = {
    "bias": -1.2,
    "text": 2.2,  # × IDF-weighted similarity of the whole texts (0–1)
    "core_text": 1.0,  # × the same without places and named things: what is asked
    "same_person_text": 3.4,  # the same petitioner file × what is asked; the person alone counts nothing
    "same_name": 1.3,  # a petitioner of the same name whose file cannot be matched (a new phone, no ID)
    "named_earlier": 2.6,  # the new text names a person of the earlier matter
    "other_person": -4.2,  # both name their petitioners, none is the same, none is named
    "other_category": -1.3,
    "other_locality": -1.5,
    "same_object_text": 0.3,  # a shared estate, company, school, project … × what is asked (× its rarity)
    "same_village": 0.0,
    "other_object": -1.4,  # two different named things of one kind
    "other_village": -1.1,
    "same_amount": 1.5,  # per matching money or area figure, at most two
    "other_amount": -1.5,  # money or area given in both, no figure in common
    "other_year": -1.4,  # both give years, none in common
    "object_idf_full": 4.0,  # an object name at least this rare counts in full (a scale, not a weight)
}

DEFAULTS = {
    "threshold": 0.35,  # a score (0–1, the estimated chance of a repeat) at least this proposes "可能重复"
    "text_window_days": 90,  # similar text alone looks back this far
    "object_window_days": 730,  # a shared named object, a named or same-named petitioner: this far
    "max_suggestions": 8,
    "weights": {},  # any of WEIGHTS, to override
}


class SettingsError(ValueError):
    pass


def check(raw) -> None:
    where = "settings.repeats"
    if not isinstance(raw, dict):
        raise SettingsError(f"{where}：格式错误")
    for key in raw:
        if key not in DEFAULTS:
            raise SettingsError(f"{where}.{key}：未知设置项")
    threshold = raw.get("threshold")
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
                                  or not 0.05 <= threshold <= 0.99):
        raise SettingsError(f"{where}.threshold：应为 0.05–0.99 之间的数")
    for key, low, high in (("text_window_days", 1, 3650), ("object_window_days", 1, 3650), ("max_suggestions", 1, 30)):
        value = raw.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            raise SettingsError(f"{where}.{key}：应为 {low}–{high} 的整数")
    if raw.get("text_window_days", DEFAULTS["text_window_days"]) > raw.get("object_window_days",
                                                                         DEFAULTS["object_window_days"]):
        raise SettingsError(f"{where}.object_window_days：应不短于 text_window_days")
    weights = raw.get("weights", {})
    if not isinstance(weights, dict):
        raise SettingsError(f"{where}.weights：格式错误")
    for key, value in weights.items():
        if key not in WEIGHTS:
            raise SettingsError(f"{where}.weights.{key}：未知权重")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not -20 <= value <= 20:
            raise SettingsError(f"{where}.weights.{key}：应为 -20–20 之间的数")


@dataclass(frozen=True)
class RepeatSettings:
    values: dict

    def __getitem__(self, key):
        return self.values.get(key, DEFAULTS[key])

    @property
    def weights(self) -> dict:
        return {**WEIGHTS, **(self.values.get("weights") or {})}


def repeat_settings(county_unit_id: int) -> RepeatSettings:
    return RepeatSettings(county_settings(county_unit_id).values.get("repeats") or {})
