"""acme_core: the fixture dependency of acme-text-utils."""

__version__ = "1.0.3"


def normalize(text):
    """Return text stripped and lower-cased."""
    return text.strip().lower()
