"""Stand-in cloudpickle for offline tests: plain pickle underneath."""

from pickle import dumps, loads

__version__ = "3.0.0"
