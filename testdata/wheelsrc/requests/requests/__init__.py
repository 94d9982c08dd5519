"""Stand-in requests for offline tests: imports its dependencies like the real one."""

import certifi
import charset_normalizer
import idna
import urllib3

__version__ = "2.32.3"
