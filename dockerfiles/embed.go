// Package dockerfiles holds the Lithops runtime templates (see the README of each backend's
// directory) and embeds the files the tool itself puts into images it builds without Docker.
package dockerfiles

import _ "embed"

// AliyunFCServer is aliyun_fc/fc_server.py: the HTTP server of FC custom-container runtimes.
//
//go:embed aliyun_fc/fc_server.py
var AliyunFCServer []byte
