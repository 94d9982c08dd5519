"""fastnative: a fixture wheel tagged for macOS arm64 only (pip must refuse it for manylinux)."""

__version__ = "2.0.0"
