"""Settings: read from the environment in one place, once, with explicit parsing."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(ValueError):
    """An environment variable has a value that cannot be used."""


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"{name} must be at least {minimum}, got {value}")
    return value


def _date(env: Mapping[str, str], name: str) -> dt.date | None:
    raw = env.get(name)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an ISO date (YYYY-MM-DD), got {raw!r}") from None


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    """Everything the app can be configured with."""

    # Trial database URL; None means the embedded demo SQLite file under instance_dir.
    db_url: str | None = None
    instance_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "instance")
    protocol_file: Path | None = None
    # A fixed "today" (for demos, screenshots and tests); None means the real date.
    as_of: dt.date | None = None
    demo_seed: int = 20251
    query_timeout_ms: int = 5000
    row_cap: int = 200_000
    cache_redis_url: str | None = None
    cache_timeout_s: int = 300
    cache_type: str = "auto"  # auto (Redis if CACHE_REDIS_URL, else in-memory) or none
    # Compute the default views in the background after each change of the data.
    warm_cache: bool = True
    host: str = "127.0.0.1"
    port: int = 8050
    debug: bool = False
    # Sessions are signed with this key; outside the local demo it must come from the
    # environment (the app refuses to start without it).
    secret_key: str | None = None
    # The app's own user store (never the trial database).
    users_db_url: str | None = None
    secure_cookies: bool = False
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    # Pages one account may have computed at once in one process (cache misses); more are
    # answered at once with a message instead of queueing behind them (fair share).
    user_concurrent_pages: int = 2
    login_failure_delay_ms: int = 400
    # A session ends after this long without a request, and this long after the login.
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    # The largest request body accepted (Dash callbacks are small).
    max_request_kb: int = 256
    chromium_path: str = "/usr/lib/chromium/chromium"

    def __post_init__(self) -> None:
        # Accept str paths from callers (tests, scripts) and store Paths.
        object.__setattr__(self, "instance_dir", Path(self.instance_dir))
        if self.protocol_file is not None:
            object.__setattr__(self, "protocol_file", Path(self.protocol_file))

    @property
    def demo_db_path(self) -> Path:
        """Where the embedded demo database lives."""
        return self.instance_dir / "trial_demo.sqlite"

    @property
    def resolved_users_db_url(self) -> str:
        """The user store URL actually used."""
        return self.users_db_url or f"sqlite:///{self.instance_dir / 'users.sqlite'}"

    @property
    def uses_demo(self) -> bool:
        """True when no trial database was configured (the local demo)."""
        return self.db_url is None

    @property
    def resolved_db_url(self) -> str:
        """The trial database URL actually used."""
        return self.db_url or f"sqlite:///{self.demo_db_path}"

    def with_(self, **changes: object) -> Settings:
        """A copy with some fields changed (for tests and the CLI)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Parse settings from environment variables (see the README's table)."""
        env = os.environ if env is None else env
        instance = env.get("TRIAL_INSTANCE_DIR")
        protocol = env.get("TRIAL_PROTOCOL_FILE")
        return cls(
            db_url=env.get("TRIAL_DB_URL") or None,
            instance_dir=Path(instance) if instance else PROJECT_ROOT / "instance",
            protocol_file=Path(protocol) if protocol else None,
            as_of=_date(env, "TRIAL_AS_OF"),
            demo_seed=_int(env, "TRIAL_DEMO_SEED", 20251),
            query_timeout_ms=_int(env, "TRIAL_QUERY_TIMEOUT_MS", 5000, minimum=100),
            row_cap=_int(env, "TRIAL_ROW_CAP", 200_000, minimum=1000),
            cache_redis_url=env.get("CACHE_REDIS_URL") or None,
            cache_timeout_s=_int(env, "TRIAL_CACHE_TIMEOUT_S", 300),
            cache_type="none"
            if env.get("TRIAL_CACHE", "").lower() in ("off", "none", "0")
            else "auto",
            warm_cache=_bool(env, "TRIAL_WARM_CACHE", True),
            host=env.get("TRIAL_HOST", "127.0.0.1"),
            port=_int(env, "TRIAL_PORT", 8050, minimum=1),
            debug=_bool(env, "TRIAL_DEBUG", False),
            secret_key=env.get("TRIAL_SECRET_KEY") or None,
            users_db_url=env.get("TRIAL_USERS_DB_URL") or None,
            secure_cookies=_bool(env, "TRIAL_SECURE_COOKIES", False),
            login_max_failures=_int(env, "TRIAL_LOGIN_MAX_FAILURES", 5, minimum=1),
            login_lock_minutes=_int(env, "TRIAL_LOGIN_LOCK_MINUTES", 15, minimum=1),
            user_concurrent_pages=_int(env, "TRIAL_USER_CONCURRENT_PAGES", 2, minimum=1),
            login_failure_delay_ms=_int(env, "TRIAL_LOGIN_FAILURE_DELAY_MS", 400),
            session_idle_minutes=_int(env, "TRIAL_SESSION_IDLE_MINUTES", 30, minimum=1),
            session_max_hours=_int(env, "TRIAL_SESSION_MAX_HOURS", 12, minimum=1),
            max_request_kb=_int(env, "TRIAL_MAX_REQUEST_KB", 256, minimum=16),
            chromium_path=env.get("TRIAL_CHROMIUM", "/usr/lib/chromium/chromium"),
        )
