"""Stand-in certifi for offline tests."""

__version__ = "2024.08.30"


def where():
    """Return a path where a CA bundle would be (the stand-in ships none)."""
    return "/etc/ssl/certs/ca-certificates.crt"
