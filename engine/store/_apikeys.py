"""The HTTP API's keys (``ensgate apikey add NAME``): the store keeps a name and the sha256
of each key. A key is 32 random bytes (URL-safe base64, prefixed ``eg_``), so a plain sha256
is enough (nothing to brute-force, unlike a password) and lets a request's key be looked up
by its hash; the key itself is printed once and never stored or logged."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..diagnostics import ConfigError
from ._schema import api_keys


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class StoreApiKeys:
    engine: Engine

    def add_api_key(self, name: str) -> str:
        """Make a key for ``name`` and return it (the only time it is seen)."""
        if not name or len(name) > 100:
            raise ConfigError("an API key needs a name of 1 to 100 characters")
        key = "eg_" + secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as conn:
                conn.execute(insert(api_keys).values(name=name, key_sha256=key_hash(key),
                                                     created_at=datetime.now(UTC)))
        except IntegrityError:
            raise ConfigError(f"an API key named {name!r} exists already") from None
        return key

    def revoke_api_key(self, name: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(update(api_keys).where(
                api_keys.c.name == name, api_keys.c.revoked_at.is_(None)).values(
                revoked_at=datetime.now(UTC)))
        return bool(done.rowcount)

    def api_key_name(self, key: str) -> str | None:
        """The name of a valid (not revoked) key, else None."""
        if not key or len(key) > 200:
            return None
        with self.engine.connect().execution_options(sqlite_begin="DEFERRED") as conn:
            return conn.execute(select(api_keys.c.name).where(
                api_keys.c.key_sha256 == key_hash(key),
                api_keys.c.revoked_at.is_(None))).scalar()
