"""Stand-in six for offline tests: a top-level module, as the real one."""

__version__ = "1.16.0"
PY3 = True
