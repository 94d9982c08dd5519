"""Stand-in charset-normalizer for offline tests."""

__version__ = "3.3.2"
