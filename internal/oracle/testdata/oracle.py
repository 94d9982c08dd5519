"""Evaluate Lithops' own code over an input matrix (read as JSON on stdin) and print the results.

Run by oracle_test.go with a real lithops wheel (pip install --no-deps --target) first on
sys.path. Only third-party modules Lithops imports but these calls do not need (the cloud SDKs,
and whatever else is not installed) are replaced by inert stand-ins; every name, key, bucket and
config value below is computed by Lithops' own functions and methods. The only inputs set from
outside are the ones Lithops reads from the environment: the caller identity STS returns, the
client's Python version (lithops.utils.CURRENT_PY_VERSION) and the client's Lithops version
(the backend module's __version__), set per case.
"""
import base64
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import sys
import tempfile
import types

sys.path.insert(0, sys.argv[1])  # the lithops wheel's install directory, ahead of anything else

STUBBED = []
# The standard library's own optional imports (try: import X except ImportError) stay as they are.
# Lithops' own optional imports (try: import numpy except ModuleNotFoundError) stay missing.
OPTIONAL = {'numpy'}
STDLIB = set(getattr(sys, 'stdlib_module_names', ())) | set(sys.builtin_module_names)
# The cloud SDKs: always stand-ins, so that nothing can reach a cloud.
ALWAYS = {'boto3', 'botocore', 'oss2', 'fc2', 'darabonba', 'aliyunsdkcore', 'ibm_boto3',
          'ibm_botocore', 'google', 'azure', 'kubernetes', 'docker'}


class InertMeta(type):
    def __getattr__(cls, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return Inert()


class Inert(Exception, metaclass=InertMeta):
    """Accepts any call and attribute; what stubbed SDK objects are."""

    def __init__(self, *a, **k):
        pass

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return Inert()

    def __call__(self, *a, **k):
        return Inert()


class StubModule(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        cls = InertMeta(name, (Inert,), {})
        setattr(self, name, cls)
        return cls


def importer():
    """The module whose import statement is running (skipping importlib's frames)."""
    f = sys._getframe(2)
    while f is not None and f.f_globals.get('__name__', '').startswith(('importlib', '_frozen_importlib')):
        f = f.f_back
    return f.f_globals.get('__name__', '') if f is not None else ''


class StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def __init__(self, fallback):
        self.fallback = fallback

    def find_spec(self, fullname, path, target=None):
        root = fullname.split('.')[0]
        if root == 'lithops' or root in STDLIB or root in OPTIONAL:
            return None
        if root in ALWAYS or root.startswith('alibabacloud') or (self.fallback and importer().startswith('lithops')):
            STUBBED.append(fullname)
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        m = StubModule(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


sys.meta_path.insert(0, StubFinder(False))
sys.meta_path.append(StubFinder(True))  # anything else Lithops imports and is not installed

import lithops  # noqa: E402
from lithops import utils as lutils  # noqa: E402
from lithops.version import __version__  # noqa: E402

# --- fakes of what the SDK clients answer -------------------------------------------------

IDENTITY = {}


class FakeClient:
    def __init__(self, name):
        self.name = name
        self.calls = []

    def get_caller_identity(self):
        return dict(IDENTITY)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)

        def call(*a, **k):
            self.calls.append((name, a, k))
            return Inert()
        return call


class FakeSession:
    def __init__(self, *a, **k):
        self.region_name = k.get('region_name')

    def client(self, name, *a, **k):
        return FakeClient(name)

    def get_credentials(self):
        return None


class StopHere(Exception):
    pass


def set_python(py):
    lutils.CURRENT_PY_VERSION = py


def err(e):
    return type(e).__name__ + ': ' + str(e)


# --- AWS ---------------------------------------------------------------------------------

def aws_module():
    m = importlib.import_module('lithops.serverless.backends.aws_lambda.aws_lambda')
    m.boto3.Session = FakeSession
    return m


def aws_backend(version, user_id_sts, account, region, namespace, user_id_cfg=None):
    m = aws_module()
    m.__version__ = version  # the client's lithops.__version__ as the module sees it
    IDENTITY.clear()
    IDENTITY.update({'UserId': user_id_sts, 'Account': account, 'Arn': 'arn'})
    cfg = {'user_agent': 'lithops/' + version, 'region': region,
           'execution_role': 'arn:aws:iam::%s:role/r' % account}
    if namespace:
        cfg['namespace'] = namespace
    if user_id_cfg:
        cfg['user_id'] = user_id_cfg
    return m.AWSLambdaBackend(cfg, None)


def aws_ecr(b, runtime_name, workdir):
    """build_runtime's repository and tag (what it passes to `docker tag`), and whether
    _deploy_container_runtime can split the name."""
    m = aws_module()
    ran = []
    m.utils.get_docker_path = lambda: 'docker'
    m.utils.run_command = lambda cmd, *a, **k: ran.append(cmd)
    m.utils.docker_login = lambda *a, **k: None
    if hasattr(m, 'subprocess'):  # Lithops < 3.7 runs `docker login` itself
        m.subprocess = types.SimpleNamespace(check_output=lambda *a, **k: b'')

    class ECR(FakeClient):
        def get_authorization_token(self):
            return {'ResponseMetadata': {'HTTPStatusCode': 200},
                    'authorizationData': [{'authorizationToken': base64.b64encode(b'AWS:pw').decode()}]}

        def create_repository(self, repositoryName):
            self.calls.append(repositoryName)

        def describe_images(self, repositoryName):
            raise StopHere(repositoryName)

    b.ecr_client = ECR('ecr')

    def handler_zip(remove=True):  # the handler zip is not a name: an empty file stands in for it
        open(m.LITHOPS_FUNCTION_ZIP, 'wb').close()
        return b''
    b._create_handler_bin = handler_zip
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        b.build_runtime(runtime_name, None)
    finally:
        os.chdir(cwd)
    tag_cmd = [c for c in ran if ' tag ' in c][0]
    image = tag_cmd.split(' ')[-1]
    registry_repo, tag = image.rsplit(':', 1)
    repo = registry_repo.split('/', 1)[1]
    deployable, deploy_repo = True, None
    try:
        b._deploy_container_runtime(runtime_name, 256, 60)
    except StopHere as e:
        deploy_repo = str(e)
    except ValueError:
        deployable = False
    return {'repo': repo, 'tag': tag, 'created': b.ecr_client.calls[0],
            'deployable': deployable, 'deploy_repo': deploy_repo}


def aws_deploy_kind(b, runtime_name):
    kind = []
    b._deploy_default_runtime = lambda *a: kind.append('zip')
    b._deploy_container_runtime = lambda *a: kind.append('container')
    b._generate_runtime_meta = lambda *a: {}
    b.deploy_runtime(runtime_name, 256, 60)
    return kind[0]


def aws_cases(req, workdir):
    out = []
    for c in req['aws']:
        set_python(c['python'])
        b = aws_backend(c['version'], c['sts_user_id'], c['account'], c['region'], c['namespace'], c.get('user_id'))
        r = {'id': c['id'], 'user_key': b.user_key, 'package': b.package,
             'function': b._format_function_name(c['runtime'], c['memory'], c['version']),
             'layer': b._format_layer_name(c['runtime'], c['version']),
             'runtime_key': b.get_runtime_key(c['runtime'], c['memory'], c['version']),
             'container': b._is_container_runtime(c['runtime']),
             'default_runtime': b._get_default_runtime_name(),
             'deploy_kind': aws_deploy_kind(aws_backend(c['version'], c['sts_user_id'], c['account'], c['region'], c['namespace'], c.get('user_id')), c['runtime'])}
        r['ecr'] = aws_ecr(b, c['runtime'], workdir)
        out.append(r)
    return out


def aws_s3_bucket(region, user_id_sts):
    m = importlib.import_module('lithops.storage.backends.aws_s3.aws_s3')
    m.boto3.Session = FakeSession
    IDENTITY.clear()
    IDENTITY.update({'UserId': user_id_sts, 'Account': '123456789012', 'Arn': 'arn'})
    s = m.S3Backend({'user_agent': 'lithops', 'region': region})
    return s.generate_bucket_name()


def python_cases(req):
    """Which Pythons each backend's get_runtime_info accepts for the default runtime."""
    out = {'aws_lambda': [], 'aliyun_fc': [], 'aliyun_fc_container': []}
    for py in req['pythons']:
        set_python(py)
        b = aws_backend(__version__, 'AIDAEXAMPLE1234', '123456789012', 'us-east-1', None)
        b.lambda_config.update({'runtime_memory': 256, 'runtime_timeout': 180, 'max_workers': 1})
        try:
            b.get_runtime_info()
            out['aws_lambda'].append(py)
        except Exception:
            pass
        for mode, key in (('runtime', 'aliyun_fc'), ('custom-container', 'aliyun_fc_container')):
            f = fc_backend(__version__, 'LTAI5tExampleKey', 'cn-hangzhou', None, mode)
            f.config.update({'runtime_memory': 256, 'runtime_timeout': 300, 'max_workers': 1})
            try:
                f.get_runtime_info()
                out[key].append(py)
            except Exception:
                pass
    return out


# --- Aliyun ------------------------------------------------------------------------------

def fc_backend(version, access_key_id, region, service, deploy_mode='runtime', account='1234567890123456'):
    m = importlib.import_module('lithops.serverless.backends.aliyun_fc.aliyun_fc')
    m.__version__ = version
    cfg = {'user_agent': 'lithops/' + version, 'access_key_id': access_key_id, 'access_key_secret': 's',
           'role_arn': 'acs:ram::%s:role/r' % account, 'region': region, 'account_id': account,
           'public_endpoint': '%s.%s.fc.aliyuncs.com' % (account, region), 'deploy_mode': deploy_mode,
           'docker_user': 'u'}
    if service:
        cfg['service'] = service
    return m.AliyunFunctionComputeBackend(cfg, None)


def fc_cases(req):
    out = []
    for c in req['fc']:
        set_python(c['python'])
        b = fc_backend(c['version'], c['access_key_id'], c['region'], c.get('service'), c.get('deploy_mode', 'runtime'))
        out.append({'id': c['id'],
                    'function': b._format_function_name(c['runtime'], c['memory'], c['version']),
                    'runtime_key': b.get_runtime_key(c['runtime'], c['memory'], c['version']),
                    'default_runtime': b._get_default_runtime_name(),
                    'service': getattr(b, 'service_name', None)})
    return out


def oss_bucket(region, access_key_id, account):
    m = importlib.import_module('lithops.storage.backends.aliyun_oss.aliyun_oss')
    cfg = {'access_key_id': access_key_id, 'access_key_secret': 's', 'region': region,
           'public_endpoint': 'oss-%s.aliyuncs.com' % region, 'internal_endpoint': 'x'}
    if account is not None:
        cfg['account_id'] = account
    return m.AliyunObjectStorageServiceBackend(cfg).generate_bucket_name()


# --- metadata ----------------------------------------------------------------------------

class CaptureStorage:
    def __init__(self):
        self.objects = {}

    def put_object(self, bucket, key, body):
        self.objects[(bucket, key)] = body if isinstance(body, bytes) else body.encode('utf-8')


def put_runtime_meta(runtime_key, meta):
    from lithops.storage.storage import InternalStorage
    s = object.__new__(InternalStorage)
    s.storage = CaptureStorage()
    s.bucket = 'bucket'
    s.backend = 'aws_s3'
    s.put_runtime_meta(runtime_key, meta)
    (bucket, key), body = list(s.storage.objects.items())[0]
    return {'key': key, 'body': base64.b64encode(body).decode()}


def metadata_cases(req):
    from lithops.worker.utils import get_runtime_metadata
    out = []
    real = get_runtime_metadata()  # what a runtime answers (this interpreter's modules)
    answers = [json.dumps(real)] + req['metadata_answers']
    for i, answer in enumerate(answers):
        meta = json.loads(answer)  # the client's json.loads of the invoke response
        meta['runtime_timeout'] = req['runtime_timeout']  # invokers.py select_runtime
        r = put_runtime_meta(req['runtime_key'], meta)
        r['answer'] = answer
        out.append(r)
    return out


# --- config files ------------------------------------------------------------------------

def config_cases(req, workdir):
    from lithops import config as lconfig
    out = []
    for c in req['configs']:
        path = os.path.join(workdir, 'config-%d.yaml' % len(out))
        with open(path, 'w') as f:
            f.write(c['yaml'])
        set_python(c['python'])
        r = {'id': c['id']}
        try:
            conf = lconfig.default_config(config_file=path)
            backend = conf['lithops']['backend']
            storage = conf['lithops']['storage']
            r['backend'], r['storage'] = backend, storage
            sconf = conf.get(storage, {})
            r['storage_region'] = sconf.get('region')
            if backend == 'aws_lambda':
                lc = dict(conf['aws_lambda'])
                lc['user_agent'] = 'lithops'
                m = aws_module()
                m.__version__ = __version__
                IDENTITY.clear()
                IDENTITY.update({'UserId': c['sts_user_id'], 'Account': '123456789012', 'Arn': 'arn'})
                b = m.AWSLambdaBackend(lc, None)
                info = b.get_runtime_info()
                r.update({'runtime': info['runtime_name'], 'memory': info['runtime_memory'],
                          'timeout': info['runtime_timeout'], 'region': b.region,
                          'user_key': b.user_key, 'namespace': b.namespace,
                          'function': b._format_function_name(info['runtime_name'], info['runtime_memory'])})
                bucket = sconf.get('storage_bucket')
                if storage == 'aws_s3' and not bucket:
                    bucket = aws_s3_bucket(sconf.get('region'), c['sts_user_id'])
                r['bucket'] = bucket
            elif backend == 'aliyun_fc':
                fcfg = dict(conf['aliyun_fc'])
                fcfg['user_agent'] = 'lithops'
                m = importlib.import_module('lithops.serverless.backends.aliyun_fc.aliyun_fc')
                m.__version__ = __version__
                b = m.AliyunFunctionComputeBackend(fcfg, None)
                info = b.get_runtime_info()
                r.update({'runtime': info['runtime_name'], 'memory': info['runtime_memory'],
                          'timeout': info['runtime_timeout'], 'region': b.region,
                          'service': getattr(b, 'service_name', None),
                          'deploy_mode': getattr(b, 'deploy_mode', None),
                          'runtime_key': b.get_runtime_key(info['runtime_name'], info['runtime_memory'])})
                bucket = sconf.get('storage_bucket')
                if storage == 'aliyun_oss' and not bucket:
                    bucket = oss_bucket(sconf['region'], sconf['access_key_id'], sconf.get('account_id'))
                r['bucket'] = bucket
        except Exception as e:
            r['error'] = err(e)
        out.append(r)
    return out


def main():
    req = json.load(sys.stdin)
    home = tempfile.mkdtemp()
    os.environ['HOME'] = home  # put_runtime_meta's local cache
    workdir = tempfile.mkdtemp()
    res = {'version': __version__, 'file': lithops.__file__}
    res['aws'] = aws_cases(req, workdir)
    res['s3_buckets'] = [aws_s3_bucket(c['region'], c['sts_user_id']) for c in req['s3']]
    res['fc'] = fc_cases(req)
    res['oss_buckets'] = [oss_bucket(c['region'], c['access_key_id'], c['account']) for c in req['oss']]
    res['pythons'] = python_cases(req)
    res['metadata'] = metadata_cases(req)
    res['configs'] = config_cases(req, workdir)
    res['stubbed'] = sorted(set(m.split('.')[0] for m in STUBBED))
    json.dump(res, sys.stdout)


main()
