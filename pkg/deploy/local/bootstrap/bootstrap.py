# The local function host's bootstrap: runs one invocation of a Lambda- or FC-style Python handler.
#
# Started by the Go host as `python -I -S -u bootstrap.py <invocation.json>`. The invocation file
# names the handler, the sys.path entries, the event file and the result file. The handler's
# stdout/stderr are the execution log; the result goes to the result file (written atomically),
# never to stdout. Must run on every Python the host supports (3.9+): no match, no X | Y types.
import base64
import decimal
import importlib
import json
import os
import sys
import time
import traceback

BOOTSTRAP = os.path.abspath(__file__)


class LambdaContext(object):
    """The context object of AWS Lambda's Python runtime (awslambdaric.lambda_context)."""

    def __init__(self, inv):
        self.aws_request_id = inv["request_id"]
        self.log_group_name = inv["log_group_name"]
        self.log_stream_name = inv["log_stream_name"]
        self.function_name = inv["function_name"]
        # The runtime reads AWS_LAMBDA_FUNCTION_MEMORY_SIZE from the environment: a string.
        self.memory_limit_in_mb = str(inv["memory_mb"])
        self.function_version = inv["function_version"]
        self.invoked_function_arn = inv["function_arn"]
        self.client_context = None
        self.identity = CognitoIdentity()
        self.tenant_id = None
        self._deadline_ms = inv["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={0},log_group_name={1},log_stream_name={2},"
            "function_name={3},memory_limit_in_mb={4},function_version={5},"
            "invoked_function_arn={6},client_context=None,identity={7}])"
        ).format(self.aws_request_id, self.log_group_name, self.log_stream_name,
                 self.function_name, self.memory_limit_in_mb, self.function_version,
                 self.invoked_function_arn, self.identity)


class CognitoIdentity(object):
    """Lambda's context.identity: empty outside the mobile SDKs."""

    def __init__(self):
        self.cognito_identity_id = None
        self.cognito_identity_pool_id = None

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id=None,cognito_identity_pool_id=None])"


class FCCredentials(object):
    """FC's context.credentials (empty locally: there is no execution role)."""

    def __init__(self, access_key_id="", access_key_secret="", security_token=""):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.accessKeyId = access_key_id
        self.accessKeySecret = access_key_secret
        self.securityToken = security_token
        self.security_token = security_token


class FCFunction(object):
    """FC's context.function."""

    def __init__(self, inv):
        self.name = inv["function_name"]
        self.handler = inv["handler"]
        self.memory = inv["memory_mb"]
        self.timeout = inv["timeout_sec"]
        self.initializer = None
        self.initialization_timeout = None


class FCService(object):
    """FC's context.service (FC 2.0; empty fields on FC 3.0)."""

    def __init__(self):
        self.name = ""
        self.log_project = ""
        self.log_store = ""
        self.qualifier = "LATEST"
        self.version_id = ""


class FCContext(object):
    """The context object of Aliyun Function Compute's Python runtime."""

    def __init__(self, inv):
        self.request_id = inv["request_id"]
        self.credentials = FCCredentials()
        self.function = FCFunction(inv)
        self.service = FCService()
        self.region = inv["region"]
        self.account_id = inv["account_id"]
        self.retry_count = 0
        self.tracing = None
        self._deadline_ms = inv["deadline_ms"]

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)


class Fault(Exception):
    """A runtime error of the Lambda runtime's own (awslambdaric FaultException)."""

    def __init__(self, error_type, msg, trace=None):
        Exception.__init__(self, msg)
        self.error_type = error_type
        self.msg = msg
        self.trace = trace


def user_frames(tb):
    """The traceback without the bootstrap's leading frames, as traceback.format_list renders it."""
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if frame[0] != BOOTSTRAP:
            return traceback.format_list(frames[i:])
    return []


def error_object(error_type, message, request_id, stack, convention):
    if convention == "fc":
        return {"errorMessage": message, "errorType": error_type, "stackTrace": stack}
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": stack}


def log_error(err):
    """Logs an error as the Lambda runtime does: [ERROR] Type: message, then the traceback."""
    line = "[ERROR]"
    if err.get("errorType"):
        line += " " + err["errorType"]
    if err.get("errorMessage"):
        if err.get("errorType"):
            line += ":"
        line += " " + err["errorMessage"]
    lines = [line]
    stack = err.get("stackTrace")
    if stack is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack:
            lines.extend(element.splitlines() or [""])
    sys.stdout.write("\n".join(lines) + "\n")


def get_handler(handler):
    """Imports the handler the way awslambdaric.bootstrap._get_handler does."""
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise Fault("Runtime.MalformedHandlerName", "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise Fault("Runtime.BuiltInModuleConflict",
                        "Cannot use built-in module {} as a handler module".format(modname))
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise Fault("Runtime.ImportModuleError", "Unable to import module '{}': {}".format(modname, str(e)))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise Fault("Runtime.UserCodeSyntaxError", "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise Fault("Runtime.HandlerNotFound", "Handler '{}' missing on module '{}'".format(fname, modname))


def decimal_serializer(o):
    if isinstance(o, decimal.Decimal):
        return float(o)
    raise TypeError("Object of type %s is not JSON serializable" % type(o).__name__)


def lambda_body(result):
    try:
        return json.dumps(result, default=decimal_serializer).encode("utf-8")
    except (TypeError, ValueError, OverflowError) as e:
        raise Fault("Runtime.MarshalError", "Unable to marshal response: {}".format(str(e)))


def fc_body(result):
    if result is None:
        return b""
    if isinstance(result, bytes):
        return result
    if isinstance(result, str):
        return result.encode("utf-8")
    if isinstance(result, (dict, list)):
        return json.dumps(result).encode("utf-8")
    return str(result).encode("utf-8")


def write_result(path, is_error, body):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"error": is_error, "body": base64.b64encode(body).decode("ascii")}, f)
    os.rename(tmp, path)


def run(inv):
    convention = inv["convention"]
    request_id = inv["request_id"]
    with open(inv["event_file"], "rb") as f:
        raw = f.read()
    try:
        handler = get_handler(inv["handler"])
        if convention == "fc":
            event, context = raw, FCContext(inv)
        else:
            event, context = json.loads(raw.decode("utf-8")), LambdaContext(inv)
        result = handler(event, context)
        body = fc_body(result) if convention == "fc" else lambda_body(result)
        return False, body
    except Fault as e:
        err = error_object(e.error_type, e.msg, request_id, e.trace or [], convention)
    except Exception as e:
        err = error_object(type(e).__name__, str(e), request_id, user_frames(sys.exc_info()[2]), convention)
    log_error(err)
    return True, json.dumps(err).encode("utf-8")


def main():
    with open(sys.argv[1]) as f:
        inv = json.load(f)
    sys.path[0:0] = inv["sys_path"]
    os.chdir(inv["code_dir"])
    is_error, body = run(inv)
    write_result(inv["result_file"], is_error, body)
    sys.stdout.flush()
    sys.stderr.flush()
    # Like a Lambda sandbox after the response: threads the handler left behind do not keep it alive.
    os._exit(0)


if __name__ == "__main__":
    main()
