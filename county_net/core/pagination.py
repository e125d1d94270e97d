"""Page/offset pagination with a hard maximum page size."""
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select

from county_net.extensions import db


@dataclass
class Page:
    items: list
    page: int
    page_size: int
    total: int

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


def paginate(stmt, page=1, page_size=20, scalars: bool = True) -> Page:
    page, page_size = clamp(page, page_size)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    query = stmt.limit(page_size).offset((page - 1) * page_size)
    items = list(db.session.scalars(query)) if scalars else list(db.session.execute(query))
    return Page(items, page, page_size, total)
