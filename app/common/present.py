"""Presentation helpers: what an endpoint shows is assembled before serialising.

Schemas only read attributes; any look-up (a name, a status as of now) is done
here or in the domain's present.py, in one query per page, never while dumping.
"""


class View:
    """An object seen through extra, computed attributes (nothing is set on the object itself)."""

    def __init__(self, subject, **extra):
        self._subject = subject
        self.__dict__.update(extra)

    def __getattr__(self, name):
        return getattr(self._subject, name)
