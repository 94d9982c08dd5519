import os
import json
import logging

from lithops.version import __version__
from lithops.worker import function_handler
from lithops.worker.utils import get_runtime_metadata

logger = logging.getLogger('lithops.worker')


def main(event, context):
    args = json.loads(event)
    os.environ['__LITHOPS_ACTIVATION_ID'] = context.request_id
    os.environ['__LITHOPS_BACKEND'] = 'Alibaba Function Compute'

    if 'get_metadata' in args:
        logger.info(f"Lithops v{__version__} - Generating metadata")
        return get_runtime_metadata()
    elif 'remote_invoker' in args:
        raise NotImplementedError("stand-in lithops: remote_invoker is not implemented")
    else:
        function_handler(args)
