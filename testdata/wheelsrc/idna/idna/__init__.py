"""Stand-in idna for offline tests."""

__version__ = "3.7"
