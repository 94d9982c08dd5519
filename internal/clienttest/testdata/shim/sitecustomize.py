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

# Lithops' Aliyun backends reach Function Compute at https://<account>.<region>.fc.aliyuncs.com
# and OSS at http://<bucket>.oss-<region>.aliyuncs.com, endpoints its config loaders compute and
# the SDKs offer no environment variable for (aliyun_fc/config.py ENDPOINT, aliyun_oss/config.py
# PUBLIC_ENDPOINT). Both SDKs send through requests; this sends exactly those requests to the fake
# FC and OSS (FAKE_ALIYUN_FC_URL, FAKE_ALIYUN_OSS_URL), keeping their Host header, so the fake OSS
# sees the bucket as OSS does.
_fc = os.environ.get('FAKE_ALIYUN_FC_URL')
_oss = os.environ.get('FAKE_ALIYUN_OSS_URL')
if _fc or _oss:
    from urllib.parse import urlsplit, urlunsplit

    import requests

    _requests_send = requests.Session.send

    def _aliyun_send(self, request, **kwargs):
        u = urlsplit(request.url)
        host = u.hostname or ''
        target = None
        if _fc and host.endswith('.fc.aliyuncs.com'):
            target = _fc
        elif _oss and '.oss-' in host and host.endswith('.aliyuncs.com'):
            target = _oss
        if target:
            t = urlsplit(target)
            request.headers['Host'] = u.netloc
            request.url = urlunsplit((t.scheme, t.netloc, u.path, u.query, u.fragment))
        return _requests_send(self, request, **kwargs)

    requests.Session.send = _aliyun_send
