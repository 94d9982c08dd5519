__version__ = '@LITHOPS_VERSION@'
