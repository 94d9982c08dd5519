"""Stand-in psutil for offline tests."""

__version__ = "6.0.0"


def cpu_count():
    """Return 1 (the stand-in does not look at the machine)."""
    return 1
