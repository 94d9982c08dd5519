"""Stand-in numpy for offline tests: not the real numpy."""

__version__ = "1.26.4"


def array(values):
    """Return the values as a list (the stand-in has no ndarray)."""
    return list(values)
