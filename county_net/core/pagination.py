"""Page/offset pagination with a hard maximum page size."""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, inspect, select

from county_net.extensions import db


# Counting stops here: "10000+ 条" tells a user as much as an exact figure, and an exact count of a whole
# county's matters would read every one of them on each page view.
COUNT_CAP = 10_000


@dataclass
class Page:
    items: list
    page: int
    page_size: int
    total: int
    total_capped: bool = False  # more than `total` rows match

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.page > 1


def clamp(page, page_size, default_size: int = 20) -> tuple[int, int]:
    try:
        page = max(1, int(page or 1))
    except (TypeError, ValueError):
        page = 1
    try:
        page_size = int(page_size or default_size)
    except (TypeError, ValueError):
        page_size = default_size
    return min(page, 100_000), max(1, min(page_size, current_app.config["API_MAX_PAGE_SIZE"]))


def paginate(stmt, page=1, page_size=20, scalars: bool = True, by_key: bool = False,
             total: int | None = None) -> Page:
    """`by_key`: find the page's primary keys first (an index can answer that, and a sort then moves
    keys, not whole rows), then load just those rows: the deferred join, for wide rows in long lists."""
    page, page_size = clamp(page, page_size)
    cap = current_app.config.get("LIST_COUNT_CAP", COUNT_CAP)
    counted = stmt.order_by(None)
    entity = stmt.column_descriptions[0].get("entity") if stmt.column_descriptions else None
    keys = []
    if entity is not None:
        # The ORM attributes, never the table's columns: a statement of bare columns is Core, and the
        # tenant criteria apply to ORM entities only.
        mapper = inspect(entity)
        keys = [mapper.get_property_by_column(column).class_attribute for column in mapper.primary_key]
        counted = counted.with_only_columns(*keys)
    # The capped count rides along on the page's own statement as an uncorrelated scalar subquery (both
    # engines run it once): one statement fewer on every list. An empty page past the first counts on its own.
    counting = select(func.count()).select_from(counted.limit(cap + 1).subquery())
    riding = total is None and (scalars or by_key)
    ride = (lambda q: q.add_columns(counting.scalar_subquery().label("matched_total"))) if riding else (lambda q: q)
    if total is None and not riding:  # a caller that counted already (the inbox's boxes) passes it in
        total = db.session.scalar(counting)
    query = stmt.limit(page_size).offset((page - 1) * page_size)
    if by_key and len(keys) == 1:
        key = keys[0]
        found_keys = list(db.session.execute(ride(query.with_only_columns(key))))
        ids = [row[0] for row in found_keys]
        # The same statement (its filters, options and tenant criteria) narrowed to the page's keys.
        rows = stmt.where(key.in_(ids)).order_by(None) if ids else None
        found = {getattr(row, key.key): row for row in db.session.scalars(rows)} if ids else {}
        items = [found[i] for i in ids if i in found]
    elif scalars:
        found_keys = list(db.session.execute(ride(query)))
        items = [row[0] for row in found_keys]
    else:
        found_keys, items = [], list(db.session.execute(query))
    if total is None:
        total = found_keys[0][-1] if found_keys else 0 if page == 1 else db.session.scalar(counting)
    if total > cap:
        return Page(items, page, page_size, cap, total_capped=True)
    return Page(items, page, page_size, total)


def paginate_rows(stmt, order, columns, page=1, page_size=20, total: int | None = None) -> Page:
    """A page of column rows in one statement, with the semantics of `paginate(…, by_key=True)`: the page's
    primary keys are found first (a subquery an index can answer; the sort moves keys, not whole rows), then
    `columns` are read for those keys only, in `order`; the capped count rides along as an uncorrelated scalar
    subquery, which both engines run once per statement. `stmt` is an ORM select of one entity with its
    filters and no order; `columns` are ORM attributes or expressions over them, so the tenant criteria apply
    to every part. `total`: counted already (the inbox's boxes), so not counted again. An empty page past the
    first asks for the count on its own (the one case with two statements)."""
    page, page_size = clamp(page, page_size)
    cap = current_app.config.get("LIST_COUNT_CAP", COUNT_CAP)
    mapper = inspect(stmt.column_descriptions[0]["entity"])
    (column,) = mapper.primary_key
    key = mapper.get_property_by_column(column).class_attribute
    keys = stmt.with_only_columns(key).order_by(*order).limit(page_size).offset((page - 1) * page_size)
    query = select(*columns).where(key.in_(keys)).order_by(*order)
    counted = select(func.count()).select_from(stmt.with_only_columns(key).limit(cap + 1).subquery())
    if total is None:
        query = query.add_columns(counted.scalar_subquery().label("matched_total"))
    items = list(db.session.execute(query))
    if total is None:
        total = items[0].matched_total if items else 0 if page == 1 else db.session.scalar(counted)
    if total > cap:
        return Page(items, page, page_size, cap, total_capped=True)
    return Page(items, page, page_size, total)
