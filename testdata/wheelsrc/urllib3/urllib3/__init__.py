"""Stand-in urllib3 1.x for offline tests."""

__version__ = "1.26.18"
