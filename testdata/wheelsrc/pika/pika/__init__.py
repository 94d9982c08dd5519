"""Stand-in pika for offline tests."""

__version__ = "1.3.2"
