"""Stand-in lithops for offline tests: only the runtime-metadata contract of Lithops."""

from lithops.version import __version__
