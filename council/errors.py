"""The tracker's errors: one base class, with the exit code the command line gives.

Every error the tracker expects (a bad option, an unknown member, a record the parser
refuses, a page it could not fetch, another sync holding the lock) derives from
``TrackerError``. The command line catches ``TrackerError`` in one place and turns it
into one line, ``error: <message>``, and the error's ``exit_code``; a subclass says its
own code (2 for "another process holds the lock") and, if it helps, a ``hint`` shown on
the next line. Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class TrackerError(Exception):
    """An error the tracker expects and can explain in one message."""

    exit_code: int = 1
    hint: str | None = None
