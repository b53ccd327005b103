#include "server/gzip.h"

#include <zlib.h>

namespace nanotdb::server {

Status GzipDecompress(std::string_view in, uint64_t max_bytes, std::string* out, bool* too_large) {
  *too_large = false;
  out->clear();
  z_stream zs{};
  // 16 + MAX_WBITS: gzip header and trailer, not zlib's.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    return Status::Internal("cannot initialise zlib");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buffer[64 * 1024];
  Status status;
  while (true) {
    zs.next_out = reinterpret_cast<Bytef*>(buffer);
    zs.avail_out = sizeof(buffer);
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = sizeof(buffer) - zs.avail_out;
    if (out->size() + produced > max_bytes) {
      *too_large = true;
      status = Status::InvalidArgument("gzip body expands beyond " + std::to_string(max_bytes) +
                                       " bytes");
      break;
    }
    out->append(buffer, produced);
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      inflateReset(&zs);  // another gzip member follows
      continue;
    }
    if (rc != Z_OK) {
      status = Status::InvalidArgument(std::string("request body is not valid gzip: ") +
                                       (zs.msg != nullptr ? zs.msg : "damaged stream"));
      break;
    }
    if (zs.avail_in == 0 && produced == 0) {
      status = Status::InvalidArgument("request body is not valid gzip: truncated stream");
      break;
    }
  }
  inflateEnd(&zs);
  return status;
}

std::string GzipCompress(std::string_view in) {
  z_stream zs{};
  deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&zs, in.size()) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

}  // namespace nanotdb::server
