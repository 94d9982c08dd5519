from lithops.worker.handler import function_handler
from lithops.worker.handler import function_invoker
