#include "nanotdb/remote_write.h"

#include <snappy.h>

namespace nanotdb::remote {

Status SnappyDecode(std::string_view compressed, uint64_t max_bytes, std::string* out,
                    bool* too_large) {
  *too_large = false;
  size_t length = 0;
  if (!snappy::GetUncompressedLength(compressed.data(), compressed.size(), &length)) {
    return Status::InvalidArgument(
        "body is not snappy-compressed (remote write sends a snappy block of a protobuf "
        "WriteRequest)");
  }
  if (length > max_bytes) {
    *too_large = true;
    return Status::InvalidArgument("decompressed body of " + std::to_string(length) +
                                   " bytes exceeds the limit of " + std::to_string(max_bytes) +
                                   " bytes");
  }
  if (!snappy::Uncompress(compressed.data(), compressed.size(), out)) {
    return Status::InvalidArgument("damaged snappy body: it does not decompress");
  }
  return Status::Ok();
}

void SnappyEncode(std::string_view raw, std::string* out) {
  out->clear();
  snappy::Compress(raw.data(), raw.size(), out);
}

}  // namespace nanotdb::remote
