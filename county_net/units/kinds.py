"""The registry of unit kinds: which parent may hold which kind (三级网络)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class UnitKind:
    name: str
    label: str
    parents: tuple[str, ...]  # empty: a root


KINDS: dict[str, UnitKind] = {
    k.name: k
    for k in (
        UnitKind("county_center", "县信访局（联合接待中心）", ()),
        UnitKind("township", "乡镇（街道）", ("county_center",)),
        UnitKind("bureau", "县级部门", ("county_center",)),
        UnitKind("enterprise", "企业", ("township", "bureau")),
        UnitKind("village", "村（社区）", ("township",)),
    )
}

KIND_NAMES = tuple(KINDS)


def kind_label(name: str) -> str:
    kind = KINDS.get(name)
    return kind.label if kind else name


def may_hold(parent_kind: str | None, child_kind: str) -> bool:
    spec = KINDS[child_kind]
    if parent_kind is None:
        return not spec.parents
    return parent_kind in spec.parents
