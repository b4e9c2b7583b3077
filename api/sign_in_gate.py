"""The guard in front of password checks at sign-in, one per process (SPEC §4.1).

Sign-in is where an attacker can make the server work hardest (argon2 costs ~0.2 s and
64 MiB a try): a name with too many recent failures is refused before any hashing,
passwords are checked `hash_concurrency` at a time in threads of their own, and
sign-ins beyond `sign_in_queue` waiting for one are refused at once. Waiting sign-ins
are coroutines, not threads: they never take the thread pool the other endpoints use.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import anyio

from assess.api.settings import Settings
from assess.infrastructure.accounts import Account, AccountStore
from assess.infrastructure.sign_in import SignInThrottle

LOCKED_LIMIT = 10_000  # throttled names remembered before starting afresh


class Throttled(Exception):
    """The name has too many recent failures: refused for `seconds` more."""

    def __init__(self, seconds: int) -> None:
        super().__init__(seconds)
        self.seconds = seconds


@dataclass
class SignInGate:
    accounts: AccountStore
    throttle: SignInThrottle  # failures per name, in the database: every worker counts them
    hashing: anyio.CapacityLimiter
    queue: int
    in_flight: int = 0  # sign-ins past the gate; counted on the event loop only
    # Names found throttled, with the time their refusal ends (on the throttle's clock):
    # until then they are refused here, without a thread or a query. Exact, since
    # nothing but time ends a refusal (a throttled name cannot succeed).
    locked: dict[str, datetime] = field(default_factory=dict)

    @classmethod
    def open(cls, accounts: AccountStore, settings: Settings) -> SignInGate:
        """Built in the server's lifespan (the limiter belongs to its event loop)."""
        window = timedelta(minutes=settings.sign_in_window_minutes)
        throttle = SignInThrottle(accounts.engine, settings.sign_in_limit, window)
        hashing = anyio.CapacityLimiter(settings.hash_concurrency)
        return cls(accounts, throttle, hashing, settings.sign_in_queue)

    def crowded(self) -> bool:
        """As many sign-ins under way as there are hashing slots plus `queue` waiting."""
        return self.in_flight >= self.hashing.total_tokens + self.queue

    async def check(self, name: str, password: str) -> Account | None:
        """The account if the password is right; Throttled if the name may not try now."""
        ends = self.locked.get(name)
        if ends is not None:
            left = (ends - self.throttle.clock()).total_seconds()
            if left > 0:
                raise Throttled(math.ceil(left))
            del self.locked[name]
        self.in_flight += 1
        try:
            # Asked before waiting for a hashing slot too: a throttled name never waits.
            seconds = await anyio.to_thread.run_sync(self.throttle.retry_after, name)
            if seconds is not None:
                raise Throttled(seconds)
            return await anyio.to_thread.run_sync(self._check, name, password, limiter=self.hashing)
        except Throttled as refusal:
            if len(self.locked) >= LOCKED_LIMIT:
                self.locked.clear()
            self.locked[name] = self.throttle.clock() + timedelta(seconds=refusal.seconds)
            raise
        finally:
            self.in_flight -= 1

    def _check(self, name: str, password: str) -> Account | None:
        """The password check and its count, in a hashing thread. The name is looked up
        again first: failures recorded while this sign-in waited may have tripped it."""
        seconds = self.throttle.retry_after(name)
        if seconds is not None:
            raise Throttled(seconds)
        account = self.accounts.authenticate(name, password)
        if account is None:
            self.throttle.failed(name)
        else:
            self.throttle.succeeded(name)
        return account
