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


def describe_invalid(exc: ValidationError) -> str:
    """Name each invalid setting and why, never echoing the value given."""
    parts = []
    for error in exc.errors(include_url=False, include_input=False):
        name = "TRACKER_" + str(error["loc"][0]).upper() if error["loc"] else "a setting"
        parts.append(f"{name}: {error['msg']}")
    return mask_passwords("; ".join(parts))


def _default_data_dir() -> Path:
    return Path(user_data_dir("unsc-tracker", appauthor=False))


class Settings(BaseSettings):
    """Where the tracker reads from and writes to.

    Every scraper's base URL is a setting, so tests and mirrors can point the
    tracker at a local replay of the UN's pages.
    """

    model_config = SettingsConfigDict(env_prefix="TRACKER_", extra="ignore")

    un_org_url: str = "https://www.un.org"
    undl_url: str = "https://digitallibrary.un.org"
    press_url: str = "https://press.un.org"
    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = None
    undl_token: SecretStr | None = None

    # Politeness: at most this many requests a second to any one source.
    requests_per_second: float = 1.0
    timeout_seconds: float = 30.0
    max_attempts: int = 5
    # Records per page of Digital Library search results (the site allows at most 200).
    undl_page_size: int = Field(default=200, ge=1, le=200)
    # The Digital Library collection that holds the Council's documents (drafts among them).
    undl_documents_collection: str = "Documents and Publications"
    # Refuse response bodies larger than this (bytes).
    max_response_bytes: int = 50_000_000

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
