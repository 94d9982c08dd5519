// Package local is the embedded backend: it "deploys" the AWS Lambda artifacts of a zip runtime
// (a layer version and one function per memory size) into a state directory on this machine and
// invokes them the way Lambda does, with a Python interpreter of the runtime's version. Storage
// (the Lithops metadata objects) is a directory tree in the same state directory.
//
// Layout of the state directory:
//
//	layers/<layer name>/<version>/layer.json    the published version: its CodeSha256 and size
//	layers/<layer name>/<version>/opt/          the layer zip, extracted (Lambda's /opt)
//	functions/<function name>/function.json     configuration, CodeSha256, layers, revision
//	functions/<function name>/code/             the function zip, extracted (Lambda's /var/task)
//	functions/<function name>.previous/         what was live before the last update (for Restore)
//	storage/<bucket>/<key>                      objects (runtime metadata)
package local
