"""Stand-in of lithops.worker.utils: get_runtime_metadata exactly as Lithops 3.7.0."""

import os
import sys
import pkgutil

from lithops.version import __version__ as lithops_ver

if os.name == 'posix':
    import ps_mem


def get_runtime_metadata():
    """
    Generates the runtime metadata needed for lithops
    """
    # @HANDLER_ERROR@
    runtime_meta = dict()
    mods = list(pkgutil.iter_modules())
    runtime_meta["preinstalls"] = [entry for entry in sorted([[mod, is_pkg] for _, mod, is_pkg in mods])]
    python_version = sys.version_info
    runtime_meta["python_version"] = str(python_version[0]) + "." + str(python_version[1])
    runtime_meta["lithops_version"] = lithops_ver
    return runtime_meta
