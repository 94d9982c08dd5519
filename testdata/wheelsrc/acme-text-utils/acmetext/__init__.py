"""acmetext: a fixture package whose import name differs from its distribution name."""

from acme_core import normalize

__version__ = "1.2.0"


def shout(text):
    """Return the normalized text upper-cased."""
    return normalize(text).upper()
