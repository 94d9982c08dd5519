"""Stand-in redis client for offline tests."""

__version__ = "5.0.8"
