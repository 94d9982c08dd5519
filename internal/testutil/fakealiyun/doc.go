// Package fakealiyun is an in-process Aliyun for tests: Function Compute 3.0 (API 2023-03-30),
// Function Compute 2.0 (API 2016-08-15) and OSS, each on its own 127.0.0.1 listener, answering
// what the real Go SDKs send and parse.
//
// Pointing the SDKs at the fake (credentials: [AccessKeyID], [AccessKeySecret], or [Cloud.Env]):
//
//   - FC 3.0, github.com/alibabacloud-go/fc-20230330/v4/client with
//     github.com/alibabacloud-go/darabonba-openapi/v2/utils.Config{Endpoint: c.FC3Endpoint()
//     (host:port, no scheme), Protocol: "http", AccessKeyId, AccessKeySecret}. Errors come back as
//     *github.com/alibabacloud-go/tea/tea.SDKError with Code and StatusCode set; the invoke
//     response's Headers map has lower-case keys ("x-fc-error-type", "x-fc-log-result").
//   - FC 2.0, github.com/aliyun/fc-go-sdk: fc.NewClient(c.FC2Endpoint() (http://host:port),
//     "2016-08-15", AccessKeyID, AccessKeySecret). Errors come back as *fc.ServiceError with
//     HTTPStatus and ErrorCode set.
//   - OSS, github.com/aliyun/alibabacloud-oss-go-sdk-v2/oss: oss.LoadDefaultConfig().
//     WithCredentialsProvider(credentials.NewStaticCredentialsProvider(AccessKeyID,
//     AccessKeySecret)).WithRegion(c.Region).WithEndpoint(c.OSSEndpoint()).WithUsePathStyle(true).
//     The SDK switches to path-style addressing by itself when the endpoint host is an IP, but
//     set WithUsePathStyle(true) anyway: virtual-hosted bucket.127.0.0.1 cannot resolve. Errors
//     come back as *oss.ServiceError (errors.As) with Code ("NoSuchKey", "NoSuchBucket") and
//     StatusCode set.
//
// What the fake does like Function Compute, where a deploy tool can get it wrong:
//
//   - A created FC 3.0 function is state "Pending" for [Cloud.Settle], then "Active"; an updated
//     one has lastUpdateStatus "InProgress" for Settle, then "Successful". Updating it meanwhile is
//     409 ConcurrentUpdateError (FC's code for concurrent updates); invoking it while Pending is
//     412 PreconditionFailed; invoking it while an update is in progress runs the code and
//     configuration from before the update.
//   - FC 2.0 has no state machine for code functions: creates and updates take effect at once.
//     CreateFunction, GetFunction and UpdateFunction answer with an ETag header, new with every
//     change; UpdateFunction and DeleteFunction with an If-Match header that is not the
//     function's ETag are 412 PreconditionFailed and change nothing (FC 2.0's conditional
//     update; FC 3.0's API has no such condition, and the fake ignores If-Match there).
//     Services: 409 ServiceAlreadyExists, 404 ServiceNotFound, deleting one that still has
//     functions is 412 ServiceNotEmpty; the role is checked on the service. A qualifier
//     (service.LATEST) is accepted and ignored: the fake has no versions.
//   - Not found is 404 FunctionNotFound; creating an existing function is 409
//     FunctionAlreadyExists.
//   - codeChecksum is the CRC-64/ECMA-182 of the code zip in decimal, as FC reports it (and as
//     zipbundle.Bundle.CRC64String computes it); codeSize is the zip's size.
//   - Validation with FC's error codes: runtimes python3.9, python3.10 and python3.12 (and
//     custom-container with a customContainerConfig), memorySize 128..32768 in multiples of 64,
//     timeout 1..86400, the role must be one of [Cloud.Roles], a request body over 140 MiB is 413
//     EntityTooLarge, code unzipping to over 500 MiB is 400 InvalidArgument, code from an OSS
//     object that does not exist is 400 InvalidArgument. The messages are the fake's own,
//     modelled on FC's; tests should match codes and statuses, not messages.
//   - Invocations really run the handler with the local backend's host
//     (pkg/deploy/local, FC calling convention) in the python3.X of the function's runtime, from
//     the code zip extracted once per checksum. A function that raises answers 200 with
//     x-fc-error-type: UnhandledInvocationError and the error object as the body; with
//     x-fc-log-type: Tail the response has x-fc-log-result, the base64 of the log tail.
//     x-fc-invocation-type: Async answers 202 and runs the function in the background (the test's
//     cleanup waits for it). Custom-container functions are accepted and returned but invoking
//     them is 501 NotImplemented: the fake does not run images.
//   - Every request must carry the fake's access key ID in its Authorization header (any
//     signature is accepted), else 403 InvalidAccessKeyID (FC) / InvalidAccessKeyId (OSS).
//
// Operations: FC 3.0 CreateFunction, GetFunction, ListFunctions (prefix only, one page),
// UpdateFunction, DeleteFunction, InvokeFunction; FC 2.0 CreateService, GetService, ListServices,
// UpdateService, DeleteService, CreateFunction, GetFunction, ListFunctions, UpdateFunction,
// DeleteFunction, InvokeFunction. Other paths answer 404 PathNotSupported.
//
// OSS: buckets (PutBucket, GetBucketInfo, GetBucketAcl, which the SDK's IsBucketExist uses,
// DeleteBucket, ListObjects and ListObjectsV2 without pagination) and objects (PutObject,
// GetObject with ranges, HeadObject, GetObjectMeta, which IsObjectExist uses, DeleteObject), with
// OSS's XML errors (NoSuchBucket, NoSuchKey, BucketAlreadyExists, BucketNotEmpty) and the
// x-oss-hash-crc64ecma header the SDK checks uploads and downloads against.
//
// Every answered request is recorded as a [Call]; [Cloud.Fault] injects errors.
package fakealiyun
