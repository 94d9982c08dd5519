# The HTTP server of Lithops custom-container runtimes on Aliyun Function Compute.
#
# FC starts the container and sends each invocation as POST /invoke (after POST /initialize) to
# the port FC_SERVER_PORT (9000 by default). The request body is Lithops' payload; the server
# calls Lithops' FC entry point, main(event_bytes, context), exactly as FC's Python runtime does
# for zip runtimes, and answers its result as JSON. An exception is a function error: HTTP 500
# with x-fc-status: 404 (FC's custom-runtime signal) and {"errorMessage", "errorType", "stackTrace"}.
# Standard library only: no web framework to install or keep patched.
import json
import os
import sys
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CODE_DIR = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, CODE_DIR)

import entry_point  # noqa: E402  (Lithops' aliyun_fc entry point, unzipped next to this file)


class Context:
    def __init__(self, headers):
        self.request_id = headers.get("x-fc-request-id", "")
        self.function = type("Function", (), {"name": os.environ.get("FC_FUNCTION_NAME", ""),
                                               "memory": os.environ.get("FC_FUNCTION_MEMORY_SIZE", "")})()
        self.region = os.environ.get("FC_REGION", "")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self, status, body, headers=()):
        data = json.dumps(body).encode() if not isinstance(body, (bytes, bytearray)) else bytes(body)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith("/initialize"):
            return self._answer(200, {})
        if not self.path.startswith("/invoke"):
            return self._answer(404, {"errorMessage": "unknown path " + self.path})
        try:
            result = entry_point.main(body, Context(self.headers))
        except Exception as e:
            traceback.print_exc()
            return self._answer(500, {"errorMessage": str(e), "errorType": type(e).__name__,
                                      "stackTrace": traceback.format_tb(e.__traceback__)},
                                [("x-fc-status", "404")])
        return self._answer(200, result if result is not None else {})

    def log_message(self, fmt, *args):
        sys.stderr.write("fc_server: " + fmt % args + "\n")


if __name__ == "__main__":
    port = int(os.environ.get("FC_SERVER_PORT", "9000"))
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()
