"""Stand-in of lithops.worker.handler: imports the worker's dependencies, runs no jobs."""

import tblib
import cloudpickle


def function_handler(payload):
    """Refuse: the stand-in lithops runs no jobs."""
    raise NotImplementedError("stand-in lithops: function_handler runs no jobs")


def function_invoker(payload):
    """Refuse: the stand-in lithops invokes no functions."""
    raise NotImplementedError("stand-in lithops: function_invoker invokes no functions")
