# A minimal AWS Lambda runtime interface client (the part of awslambdaric the tests need): it
# imports the handler named by argv[1] from LAMBDA_TASK_ROOT and serves invocations through the
# Lambda Runtime API at AWS_LAMBDA_RUNTIME_API, as the Python base image's entrypoint does.
import importlib
import json
import os
import sys
import time
import traceback
import urllib.request

API = "http://%s/2018-06-01/runtime" % os.environ["AWS_LAMBDA_RUNTIME_API"]


def post(path, body, headers=None):
    data = json.dumps(body).encode()
    req = urllib.request.Request(API + path, data=data, method="POST", headers=headers or {})
    urllib.request.urlopen(req).read()


def error_object(e):
    return {"errorMessage": str(e), "errorType": type(e).__name__,
            "stackTrace": traceback.format_tb(e.__traceback__)}


class Context:
    def __init__(self, request_id, deadline_ms, arn):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = "local"
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, self._deadline_ms - int(time.time() * 1000))


def main():
    sys.path.insert(0, os.environ.get("LAMBDA_TASK_ROOT", "/var/task"))
    module, _, name = sys.argv[1].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module), name)
    except Exception as e:
        post("/init/error", error_object(e), {"Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError"})
        sys.exit(1)
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as r:
            request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
            deadline = int(r.headers.get("Lambda-Runtime-Deadline-Ms", "0"))
            arn = r.headers.get("Lambda-Runtime-Invoked-Function-Arn", "")
            event = json.loads(r.read() or b"{}")
        try:
            result = handler(event, Context(request_id, deadline, arn))
            post("/invocation/%s/response" % request_id, result)
        except Exception as e:
            traceback.print_exc()
            post("/invocation/%s/error" % request_id, error_object(e), {"Lambda-Runtime-Function-Error-Type": "Unhandled"})


if __name__ == "__main__":
    main()
