"""unsc-tracker: how the UN Security Council votes, from the UN's own sources."""

__version__ = "0.2.0"
PROJECT_URL = "https://github.com/unsc-tracker/unsc-tracker"
