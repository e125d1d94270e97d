"""Login throttling, one policy for the web form and the API token endpoint (both go through
services.authenticate). Only failed attempts count: every attempt counts itself first and a successful login
takes its hits back.

Three counters, in the shared store of core/throttle.py:
* one account from one address (LOGIN_LIMIT_ACCOUNT_ADDRESS): guessing one password from one place;
* one address whatever the account (LOGIN_LIMIT_ADDRESS): one place trying many accounts;
* one account from every address (LOGIN_LIMIT_ACCOUNT_CEILING): the ceiling. Once reached it refuses only the
  addresses that have failed in the current window, so an attacker elsewhere cannot lock the owner out of an
  account: a desk with no failures still gets its try."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import current_app

from county_net.core import throttle

log = logging.getLogger(__name__)

PAIR, ADDRESS, ACCOUNT = "login.account_address", "login.address", "login.account"


@dataclass
class LoginAttempt:
    ticket: throttle.Ticket

    def succeeded(self) -> None:
        """Only failures count: give this attempt's hits back."""
        self.ticket.refund()

    def ceiling_limits(self) -> list[throttle.Limit]:
        """The account limits this (failed) attempt has just used up: reached now, not before."""
        return [s.limit for s in self.ticket.of(ACCOUNT) if s.hits == s.limit.count]


def begin(username: str, address: str | None) -> LoginAttempt:
    """Count an attempt before the password is looked at; raise Throttled (hits taken back) if it is over."""
    cfg = current_app.config
    account, address = username[:64] or "-", address or "-"
    ticket = throttle.hit(
        throttle.Rule(PAIR, f"{account}|{address}", throttle.parse_limits(cfg["LOGIN_LIMIT_ACCOUNT_ADDRESS"])),
        throttle.Rule(ADDRESS, address, throttle.parse_limits(cfg["LOGIN_LIMIT_ADDRESS"])),
        throttle.Rule(ACCOUNT, account, throttle.parse_limits(cfg["LOGIN_LIMIT_ACCOUNT_CEILING"])),
    )
    refused = ticket.over(PAIR, ADDRESS)
    if not refused and ticket.over(ACCOUNT) and _has_been_failing(ticket):
        refused = ticket.over(ACCOUNT)
    if refused:
        ticket.refund()
        seconds = throttle.retry_after(refused)
        log.warning("login throttled (%s) from %s, retry after %s s", refused[0].bucket, address, seconds)
        raise throttle.Throttled(seconds)
    return LoginAttempt(ticket)


def _has_been_failing(ticket: throttle.Ticket) -> bool:
    """Did this address fail (at any account) earlier in one of its windows? Its count includes this attempt."""
    return any(s.hits > 1 for s in ticket.of(ADDRESS))
