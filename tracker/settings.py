"""Settings: one typed object, read from the environment (``TRACKER_*``) then CLI flags."""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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
