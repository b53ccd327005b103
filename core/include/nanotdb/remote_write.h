// The Prometheus remote-write 1.0 wire format for plugins that receive or send it
// (ingest-prometheus, forward-remote-write): the protobuf messages generated from
// core/sdk/remote_write/nanotdb/remote_write.proto (namespace nanotdb::remote, lite runtime) and
// the snappy block coding the protocol wraps them in.
//
// Linking: target nanotdb_sdk_remote_write (the SDK plus protobuf-lite and snappy). It is kept
// apart from nanotdb_sdk so that plugins not speaking remote write need neither library. It is
// part of the build tree only, not installed with the SDK. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/remote_write.pb.h"
#include "nanotdb/status.h"

namespace nanotdb::remote {

// Decompresses a snappy block (not the framed format) into *out. InvalidArgument for damaged
// input; `*too_large` set (and InvalidArgument naming both sizes) when the declared length
// exceeds max_bytes, before anything is decompressed.
Status SnappyDecode(std::string_view compressed, uint64_t max_bytes, std::string* out,
                    bool* too_large);

// Compresses `raw` as one snappy block into *out (replacing its contents).
void SnappyEncode(std::string_view raw, std::string* out);

}  // namespace nanotdb::remote
