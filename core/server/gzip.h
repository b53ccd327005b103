// gzip bodies for HTTP (zlib): request bodies sent with Content-Encoding: gzip and responses
// to clients that accept gzip. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/status.h"

namespace nanotdb::server {

// Decompresses a gzip stream (several members allowed). InvalidArgument for damaged input,
// and InvalidArgument with *too_large = true as soon as the output would exceed
// `max_bytes` (decompression bombs stop there).
Status GzipDecompress(std::string_view in, uint64_t max_bytes, std::string* out, bool* too_large);
// Compresses `in` as one gzip member at the default level.
std::string GzipCompress(std::string_view in);

}  // namespace nanotdb::server
