"""Settings: one typed object, read from the environment (``TRACKER_*``) then CLI flags."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The password of a URL's user information (scheme://user:password@host): up to the last
# "@" of the URL, so a password holding an unencoded "@" is hidden whole.
_URL_PASSWORD = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s'\"]*):[^\s'\"]*@(?=[^@\s'\"]*(?:[\s'\"]|$))")


_QUERY_PASSWORD = re.compile(r"(?P<head>[?&;\s](?:password|passwd|pwd)=)[^&;\s'\"]*",
                             re.IGNORECASE)


def mask_passwords(text: str, *secrets: str | None) -> str:
    """Return a message with the password of every URL in it replaced by ``***``: the one
    before ``@``, and a ``password=`` parameter. ``secrets`` (a password known to the
    caller) are masked wherever they appear, even quoted in part of a driver's message.

    Every message that may quote a URL (a database URL, a page's URL) goes through
    here before it is shown.
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
            # A password with an unencoded "@" reaches drivers cut at it: mask the pieces.
            for piece in secret.split("@")[1:]:
                if len(piece) >= 4:
                    text = text.replace(piece, "***")
    text = _QUERY_PASSWORD.sub(r"\g<head>***", text)
    return _URL_PASSWORD.sub(r"\g<head>:***@", text)


def describe_invalid(exc: ValidationError, *, options: dict[str, str] | None = None) -> str:
    """Say, for each invalid setting, its name, the value it got and what it takes.

    A setting is named as the user gave it: ``TRACKER_<NAME>`` for the environment, or the
    command-line option in ``options`` ({field: "--db"}). A secret's value is never shown,
    and a URL's password is masked.
    """
    parts = []
    for error in exc.errors(include_url=False):
        field = str(error["loc"][0]) if error["loc"] else ""
        name = (options or {}).get(field) or (f"TRACKER_{field.upper()}" if field
                                              else "a setting")
        info = Settings.model_fields.get(field)
        expected = info.description if info is not None and info.description else None
        if field in _SECRET_FIELDS:
            got = "a value that is not shown (a secret)"
        else:
            got = f"{error.get('input')!r}"
        reason = str(error["msg"]).removeprefix("Value error, ")
        if expected:
            text = f"{name}: got {got}, expected {expected}"
            if error["type"] == "value_error":  # a reason of the tracker's own: say it too
                text += f" ({reason})"
        else:
            text = f"{name}: got {got}: {reason}"
        parts.append(text)
    return mask_passwords("; ".join(parts))


_SECRET_FIELDS = frozenset({"undl_token"})


def _web_address(value: Any) -> Any:
    """Refuse a base URL that is not an http(s) address with a host."""
    if isinstance(value, str) and not re.fullmatch(r"https?://[^/\s?#]+(?:/\S*)?", value.strip()):
        raise ValueError("not an http:// or https:// address")
    return value


def database_url_problem(url: str) -> str | None:
    """Return why SQLAlchemy cannot use a database URL (not a URL, an unknown database, a
    driver not installed), or None when it can. Nothing is connected to."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return "not a database URL"
    try:
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")  # as db.engine opens it
        dialect = parsed.get_dialect()
    except ArgumentError:  # NoSuchModuleError: no such database or driver name
        return f"SQLAlchemy knows no database or driver called {parsed.drivername!r}"
    try:
        dialect.import_dbapi()
    except ImportError as exc:
        return (f"the driver of {parsed.drivername!r} is not installed "
                f"({getattr(exc, 'name', None) or exc}); install it, or use SQLite")
    return None


_WEB_ADDRESS = "an http:// or https:// address such as https://www.un.org"


def _default_data_dir() -> Path:
    return Path(user_data_dir("unsc-tracker", appauthor=False))


class Settings(BaseSettings):
    """Where the tracker reads from and writes to.

    Every scraper's base URL is a setting, so tests and mirrors can point the
    tracker at a local replay of the UN's pages.
    """

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    # Each description says what a setting takes: an invalid value's message quotes it.
    un_org_url: str = Field(default="https://www.un.org", description=_WEB_ADDRESS)
    undl_url: str = Field(default="https://digitallibrary.un.org", description=_WEB_ADDRESS)
    press_url: str = Field(default="https://press.un.org", description=_WEB_ADDRESS)
    docs_url: str = Field(default="https://documents.un.org", description=_WEB_ADDRESS)
    data_dir: Path = Field(default_factory=_default_data_dir,
                           description="a folder (made if missing), not a file")
    database_url: str | None = Field(default=None, description=(
        "a database URL such as sqlite:////home/me/tracker.sqlite or "
        "postgresql+psycopg://me@127.0.0.1/unsc"))
    undl_token: SecretStr | None = Field(default=None, description=(
        "the Digital Library API token: one word of printable ASCII characters"))

    # Politeness: at most this many requests a second to any one source.
    requests_per_second: float = Field(default=1.0, ge=0, allow_inf_nan=False, description=(
        "a number of requests per second such as 1 (0: no pause)"))
    timeout_seconds: float = Field(default=30.0, gt=0, allow_inf_nan=False, description=(
        "a number of seconds above 0 such as 30"))
    max_attempts: int = Field(default=5, ge=1, description=(
        "a whole number of attempts per page, at least 1, such as 5"))
    # Records per page of Digital Library search results (the site allows at most 200).
    undl_page_size: int = Field(default=200, ge=1, le=200, description=(
        "a whole number of records per page from 1 to 200"))
    # The Digital Library collection that holds the Council's documents (drafts among them).
    undl_documents_collection: str = Field(
        default="Documents and Publications", min_length=1, description=(
            "the name of a Digital Library collection, such as Documents and Publications"))
    # The search pattern (p) that finds the Council's drafts in that collection: record type
    # (089 $b) B02, the Library's "Draft Resolutions and Decisions".
    undl_drafts_query: str = Field(default="089__b:B02", min_length=1, description=(
        "a Digital Library search pattern, such as 089__b:B02"))
    # Refuse response bodies larger than this (bytes).
    max_response_bytes: int = Field(default=50_000_000, ge=1, description=(
        "a whole number of bytes above 0 such as 50000000"))

    _base_urls = field_validator("un_org_url", "undl_url", "press_url", "docs_url",
                                 mode="before")(
        _web_address)

    @field_validator("data_dir", mode="after")
    @classmethod
    def _data_dir_is_a_folder(cls, value: Path) -> Path:
        if not str(value).strip():
            raise ValueError("an empty path")
        if value.expanduser().exists() and not value.expanduser().is_dir():
            raise ValueError("a file is there, not a folder")
        return value

    @field_validator("database_url", mode="after")
    @classmethod
    def _database_url_is_usable(cls, value: str | None) -> str | None:
        if value is None:
            return None
        problem = database_url_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("undl_token", mode="before")
    @classmethod
    def _token_is_printable(cls, value: Any) -> Any:
        """Strip the token (a line break from a Windows file) and refuse what cannot be sent.

        The message never quotes the token: an error naming it would publish it.
        """
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            return value
        token = value.strip()
        if not token:
            return None
        if not token.isascii() or not token.isprintable() or any(c.isspace() for c in token):
            raise ValueError("the Digital Library API token must be one word of printable "
                             "ASCII characters, with no space or line break inside (its value "
                             "is not shown)")
        return token

    @property
    def raw_dir(self) -> Path:
        """Return the folder of the raw archive (every response body kept)."""
        return self.data_dir / "raw"

    @property
    def resolved_database_url(self) -> str:
        """Return the database URL: the setting, or SQLite in the data folder."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'tracker.sqlite'}"
