"""Throttling counters that every process shares: rows of `throttle_counters` in the database, or keys in Redis
when THROTTLE_REDIS_URL (or REDIS_URL) is set. Nothing is ever counted in a process's own memory, so four
gunicorn workers see one count, not four.

A limit is a fixed window ("5 per minute; 20 per hour"). A request counts itself first and then looks at the
count it got back, atomically (an upsert returning the count, or Redis INCR), so parallel requests cannot all
slip under the limit. A request that is refused, or that turns out not to count (a successful login), takes
its hit back (`Ticket.refund`).

The database counters write through the request's own session: on SQLite a writing request already holds the
single write lock (BEGIN IMMEDIATE, core/database.py), so a second connection would wait on its own request.
They are committed by whoever commits that transaction (the login service's one commit)."""
from __future__ import annotations

import logging
import math
import random
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache, wraps

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from county_net.core.crypto import lookup_hash
from county_net.core.errors import DomainError, TooManyRequests, respond_error
from county_net.core.models import UTCDateTime
from county_net.extensions import db

log = logging.getLogger(__name__)

# One hit in this many also deletes a batch of expired rows (database counters only; Redis expires keys).
PURGE_ONE_IN = 50
PURGE_BATCH = 500


class ThrottleCounter(db.Model):
    """One fixed window of one counter. Neither tenant nor personal data: the key is a keyed hash (HMAC with
    the lookup key) of what is counted (an account name, an address), which cannot be read back; no unit owns
    a row. Hence no unit_id and no row-level security; the app role reads and writes it directly."""

    __tablename__ = "throttle_counters"

    key_hash: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    hits: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


# ---- limits -----------------------------------------------------------------------------------------------

_UNITS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_UNIT_NAMES = {1: "秒", 60: "分钟", 3600: "小时", 86400: "天"}
_LIMIT_RE = re.compile(r"^(\d+)\s*(?:per|/)\s*(\d+)?\s*(second|minute|hour|day)s?$", re.IGNORECASE)


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int

    def describe(self) -> str:
        """In Chinese, for the audit log: 每小时 50 次, 每 10 分钟 5 次."""
        for size in sorted(_UNIT_NAMES, reverse=True):
            if self.seconds % size == 0:
                n = self.seconds // size
                return f"每{'' if n == 1 else f' {n} '}{_UNIT_NAMES[size]} {self.count} 次"
        return f"每 {self.seconds} 秒 {self.count} 次"  # unreachable: every window is whole seconds


@lru_cache(maxsize=64)
def parse_limits(text: str) -> tuple[Limit, ...]:
    """"5 per minute; 20 per hour" (also "5/minute", "5 per 10 minutes"; ";" or "," between parts).
    Two parts with the same window keep the stricter. Raises ValueError on anything else, or on nothing."""
    by_window: dict[int, int] = {}
    for part in re.split(r"[;,]", text or ""):
        part = part.strip()
        if not part:
            continue
        match = _LIMIT_RE.match(part)
        if not match:
            raise ValueError(f"无法解析的限流设置：{part!r}（应形如 “5 per minute; 20 per hour”）")
        count, every, unit = int(match[1]), int(match[2] or 1), match[3].lower()
        if count < 1 or every < 1:
            raise ValueError(f"限流设置必须是正数：{part!r}")
        seconds = every * _UNITS[unit]
        by_window[seconds] = min(count, by_window.get(seconds, count))
    if not by_window:
        raise ValueError(f"限流设置为空：{text!r}")
    return tuple(Limit(count, seconds) for seconds, count in sorted(by_window.items()))


# ---- what a request counts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """Count `value` (an address, an account, both) in `bucket` against these limits."""

    bucket: str
    value: str
    limits: tuple[Limit, ...]


@dataclass
class Slot:
    """One window of one rule, as this request counted it."""

    bucket: str
    limit: Limit
    key_hash: str
    window_start: int  # epoch seconds
    hits: int = 0

    @property
    def window_end(self) -> int:
        return self.window_start + self.limit.seconds

    @property
    def over(self) -> bool:
        return self.hits > self.limit.count


@dataclass
class Ticket:
    """The hits one request made; `refund()` takes them back (once)."""

    slots: list[Slot]
    backend: "DatabaseCounters | RedisCounters"
    refunded: bool = field(default=False)

    def of(self, *buckets: str) -> list[Slot]:
        return [s for s in self.slots if s.bucket in buckets]

    def over(self, *buckets: str) -> list[Slot]:
        return [s for s in self.of(*buckets) if s.over]

    def refund(self) -> None:
        if not self.refunded:
            self.refunded = True
            self.backend.subtract(self.slots)


def retry_after(slots: list[Slot], now: float | None = None) -> int:
    """Whole seconds until every one of these windows has closed (at least 1)."""
    now = time.time() if now is None else now
    return max(1, math.ceil(max(s.window_end for s in slots) - now))


def _slots(rules: tuple[Rule, ...], now: float) -> list[Slot]:
    slots = []
    for rule in rules:
        for limit in rule.limits:
            # The window length is part of the key, so a minute and an hour window starting at the same
            # second are different rows.
            key = lookup_hash(f"{rule.bucket}|{limit.seconds}|{rule.value}", "throttle")
            start = int(now) // limit.seconds * limit.seconds
            slots.append(Slot(rule.bucket, limit, key, start))
    # One order for everyone: PostgreSQL locks the rows in this order, so two logins never deadlock.
    slots.sort(key=lambda s: (s.key_hash, s.window_start))
    return slots


def hit(*rules: Rule) -> Ticket:
    """Count one hit in every window of every rule and return what each count now is."""
    backend = counters()
    slots = _slots(rules, time.time())
    backend.add(slots)
    return Ticket(slots, backend)


class Throttled(TooManyRequests):
    def __init__(self, seconds: int):
        minutes = math.ceil(seconds / 60)
        wait = f"{seconds} 秒" if seconds < 60 else f"{minutes} 分钟"
        super().__init__(f"尝试过于频繁，请 {wait} 后再试")
        self.retry_after = seconds


def limit(bucket: str, value: str, limits_text: str) -> Ticket:
    """Count this request; refuse it (Throttled, its hit taken back) when any window is over its limit."""
    ticket = hit(Rule(bucket, value, parse_limits(limits_text)))
    refused = ticket.over(bucket)
    if refused:
        ticket.refund()
        log.warning("throttled: %s, retry after %s s", bucket, retry_after(refused))
        raise Throttled(retry_after(refused))
    return ticket


def answers_throttled(view):
    """A refused request answers 429 with Retry-After (seconds) and the Chinese message, in HTML or JSON."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except Throttled as exc:
            db.session.rollback()
            return respond_error(exc.status, exc.code, exc.message,
                                 headers={"Retry-After": str(exc.retry_after)})

    return wrapper


class ThrottleUnavailable(DomainError):
    """The shared counters cannot be reached. Refuse rather than let attempts through uncounted."""

    status, code, default_message = 503, "busy", "系统繁忙，请稍后重试（未保存任何内容）"


# ---- backends ---------------------------------------------------------------------------------------------

def _utc(epoch: int) -> datetime:
    return datetime.fromtimestamp(epoch, timezone.utc)


class DatabaseCounters:
    """Rows of throttle_counters, written in the caller's transaction (db.session)."""

    name = "database"
    table = ThrottleCounter.__table__

    def add(self, slots: list[Slot]) -> None:
        session = db.session
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        elif dialect == "sqlite":  # 3.24+ for the upsert, 3.35+ for RETURNING
            from sqlalchemy.dialects.sqlite import insert
        else:
            raise RuntimeError(f"throttle counters do not support {dialect}")
        t = self.table
        rows = [{"key_hash": s.key_hash, "window_start": _utc(s.window_start), "hits": 1,
                 "expires_at": _utc(s.window_end)} for s in slots]
        stmt = insert(t).values(rows)
        stmt = stmt.on_conflict_do_update(index_elements=[t.c.key_hash, t.c.window_start],
                                          set_={"hits": t.c.hits + 1}).returning(t.c.key_hash, t.c.hits)
        counts = dict(session.execute(stmt).all())
        for s in slots:
            s.hits = counts[s.key_hash]
        if random.randrange(PURGE_ONE_IN) == 0:
            self.purge()

    def subtract(self, slots: list[Slot]) -> None:
        t = self.table
        which = sa.or_(*(sa.and_(t.c.key_hash == s.key_hash, t.c.window_start == _utc(s.window_start))
                         for s in slots))
        db.session.execute(sa.update(t).where(which, t.c.hits > 0).values(hits=t.c.hits - 1))

    def purge(self, now: float | None = None) -> int:
        """Delete a batch of closed windows. On PostgreSQL rows another transaction is deleting are skipped,
        not waited for (that transaction may be a login still checking its password)."""
        cutoff = _utc(int(time.time() if now is None else now))
        session = db.session
        if session.get_bind().dialect.name == "postgresql":
            sql = ("DELETE FROM throttle_counters WHERE ctid = ANY(ARRAY(SELECT ctid FROM throttle_counters "
                   "WHERE expires_at < :cutoff LIMIT :batch FOR UPDATE SKIP LOCKED))")
        else:
            sql = ("DELETE FROM throttle_counters WHERE rowid IN (SELECT rowid FROM throttle_counters "
                   "WHERE expires_at < :cutoff LIMIT :batch)")
        stmt = sa.text(sql).bindparams(sa.bindparam("cutoff", type_=UTCDateTime()), batch=PURGE_BATCH)
        return session.execute(stmt, {"cutoff": cutoff}).rowcount


class RedisCounters:
    """Keys `<prefix><key hash>:<window start>`, each expiring when its window closes."""

    name = "redis"

    def __init__(self, url: str, prefix: str):
        import redis

        self.prefix = prefix
        self.client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def _key(self, s: Slot) -> str:
        return f"{self.prefix}{s.key_hash}:{s.window_start}"

    def _run(self, fill) -> list:
        import redis

        pipe = self.client.pipeline(transaction=True)
        fill(pipe)
        try:
            return pipe.execute()
        except redis.RedisError as exc:
            log.error("throttle counters unreachable: %s", exc)
            raise ThrottleUnavailable() from exc

    def add(self, slots: list[Slot]) -> None:
        def fill(pipe):
            for s in slots:
                pipe.incr(self._key(s))
                pipe.expireat(self._key(s), s.window_end)

        results = self._run(fill)
        for s, count in zip(slots, results[0::2]):
            s.hits = int(count)

    def subtract(self, slots: list[Slot]) -> None:
        # Setting the expiry again deletes a key whose window closed meanwhile, instead of leaving a -1 behind.
        def fill(pipe):
            for s in slots:
                pipe.decr(self._key(s))
                pipe.expireat(self._key(s), s.window_end)

        self._run(fill)


def redis_url(config) -> str | None:
    return config.get("THROTTLE_REDIS_URL") or None


def counters() -> DatabaseCounters | RedisCounters:
    """This app's counters: Redis when a URL is configured, otherwise the database."""
    url = redis_url(current_app.config)
    if not url:
        return DatabaseCounters()
    prefix = current_app.config.get("THROTTLE_REDIS_PREFIX") or "county_net:throttle:"
    cache = current_app.extensions.setdefault("county_net.throttle", {})
    backend = cache.get((url, prefix))
    if backend is None:  # one client (and its connection pool) per app and URL
        backend = cache[(url, prefix)] = RedisCounters(url, prefix)
    return backend


def check_settings(config, names: tuple[str, ...]) -> None:
    """At start-up: every limit parses and a Redis URL is one. Raises RuntimeError in Chinese."""
    for name in names:
        try:
            parse_limits(config.get(name) or "")
        except ValueError as exc:
            raise RuntimeError(f"{name}：{exc}") from exc
    url = redis_url(config)
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise RuntimeError("THROTTLE_REDIS_URL 必须是 redis://、rediss:// 或 unix:// 地址（限流计数须为所有进程共享）")
