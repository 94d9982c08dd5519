# Test-only network shim for the client process (never in product code).
#
# Lithops' AWS Lambda backend invokes functions with its own botocore URLLib3Session at a
# hard-coded https://lambda.<region>.amazonaws.com (lithops/serverless/backends/aws_lambda/
# aws_lambda.py, AWSLambdaBackend.invoke), which AWS_ENDPOINT_URL_LAMBDA does not reach. This
# sends exactly those requests to the fake Lambda instead, unchanged otherwise (signed headers
# included). Everything else the client does goes through boto3 clients, which honour
# AWS_ENDPOINT_URL_<SERVICE> themselves.
import os
import re

_endpoint = os.environ.get('AWS_ENDPOINT_URL_LAMBDA')
if _endpoint:
    from botocore import httpsession

    _send = httpsession.URLLib3Session.send
    _lambda = re.compile(r'^https://lambda\.[a-z0-9-]+\.amazonaws\.com(/.*)$')

    def _redirected_send(self, request):
        m = _lambda.match(request.url)
        if m:
            request.url = _endpoint.rstrip('/') + m.group(1)
        return _send(self, request)

    httpsession.URLLib3Session.send = _redirected_send
