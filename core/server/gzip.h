// gzip bodies for HTTP (zlib): request bodies sent with Content-Encoding: gzip and responses
// to clients that accept gzip. The functions are pure and thread-safe; a GzipInflater belongs
// to one request.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/status.h"

typedef struct z_stream_s z_stream;

namespace nanotdb::server {

// Decompresses a gzip stream fed in pieces as they arrive from the socket, so neither the
// compressed nor the decompressed body is ever held beyond `max_bytes` of output (several
// members allowed). Not copyable.
class GzipInflater {
 public:
  explicit GzipInflater(uint64_t max_bytes);
  ~GzipInflater();
  GzipInflater(const GzipInflater&) = delete;
  GzipInflater& operator=(const GzipInflater&) = delete;

  // Appends what `in` decompresses to onto *out. InvalidArgument for damaged input, and
  // InvalidArgument with *too_large = true as soon as *out would exceed max_bytes (a
  // decompression bomb stops there, *out holds at most max_bytes).
  Status Feed(std::string_view in, std::string* out, bool* too_large);
  // Changes the output limit for the following Feeds.
  void set_max_bytes(uint64_t max_bytes) { max_bytes_ = max_bytes; }
  // After the last Feed: InvalidArgument when the stream ended inside a member.
  Status Finish() const;

 private:
  uint64_t max_bytes_;
  z_stream* zs_;
  bool ok_ = false;         // inflateInit2 succeeded
  bool in_member_ = false;  // bytes of an unfinished member were fed
  bool failed_ = false;     // a Feed failed; later Feeds fail too
};

// Decompresses a whole gzip stream (see GzipInflater).
Status GzipDecompress(std::string_view in, uint64_t max_bytes, std::string* out, bool* too_large);
// Compresses `in` as one gzip member at the default level.
std::string GzipCompress(std::string_view in);

}  // namespace nanotdb::server
