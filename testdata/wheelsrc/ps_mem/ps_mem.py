"""Stand-in ps_mem for offline tests: a top-level module, as the real one."""

__version__ = "3.14"
