"""Stand-in tblib for offline tests."""

__version__ = "3.0.0"
