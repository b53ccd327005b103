#include "server/gzip.h"

#include <zlib.h>

namespace nanotdb::server {

GzipInflater::GzipInflater(uint64_t max_bytes) : max_bytes_(max_bytes), zs_(new z_stream{}) {
  // 16 + MAX_WBITS: gzip header and trailer, not zlib's.
  ok_ = inflateInit2(zs_, 16 + MAX_WBITS) == Z_OK;
}

GzipInflater::~GzipInflater() {
  if (ok_) inflateEnd(zs_);
  delete zs_;
}

Status GzipInflater::Feed(std::string_view in, std::string* out, bool* too_large) {
  *too_large = false;
  if (!ok_) return Status::Internal("cannot initialise zlib");
  if (failed_) return Status::InvalidArgument("request body is not valid gzip");
  zs_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs_->avail_in = static_cast<uInt>(in.size());
  char buffer[64 * 1024];
  while (zs_->avail_in > 0) {
    in_member_ = true;
    zs_->next_out = reinterpret_cast<Bytef*>(buffer);
    zs_->avail_out = sizeof(buffer);
    int rc = inflate(zs_, Z_NO_FLUSH);
    size_t produced = sizeof(buffer) - zs_->avail_out;
    if (out->size() + produced > max_bytes_) {
      failed_ = true;
      *too_large = true;
      return Status::InvalidArgument("gzip body expands beyond " + std::to_string(max_bytes_) +
                                     " bytes");
    }
    out->append(buffer, produced);
    if (rc == Z_STREAM_END) {
      in_member_ = false;
      inflateReset(zs_);  // another gzip member may follow
      continue;
    }
    if (rc == Z_BUF_ERROR && produced == 0) break;  // needs more input
    if (rc != Z_OK) {
      failed_ = true;
      return Status::InvalidArgument(std::string("request body is not valid gzip: ") +
                                     (zs_->msg != nullptr ? zs_->msg : "damaged stream"));
    }
  }
  // Output still pending inside zlib with all input consumed.
  while (true) {
    zs_->next_out = reinterpret_cast<Bytef*>(buffer);
    zs_->avail_out = sizeof(buffer);
    int rc = inflate(zs_, Z_NO_FLUSH);
    size_t produced = sizeof(buffer) - zs_->avail_out;
    if (out->size() + produced > max_bytes_) {
      failed_ = true;
      *too_large = true;
      return Status::InvalidArgument("gzip body expands beyond " + std::to_string(max_bytes_) +
                                     " bytes");
    }
    out->append(buffer, produced);
    if (rc == Z_STREAM_END) {
      in_member_ = false;
      inflateReset(zs_);
      break;
    }
    if (produced == 0) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      failed_ = true;
      return Status::InvalidArgument(std::string("request body is not valid gzip: ") +
                                     (zs_->msg != nullptr ? zs_->msg : "damaged stream"));
    }
  }
  return Status::Ok();
}

Status GzipInflater::Finish() const {
  if (!ok_) return Status::Internal("cannot initialise zlib");
  if (failed_) return Status::InvalidArgument("request body is not valid gzip");
  if (in_member_)
    return Status::InvalidArgument("request body is not valid gzip: truncated stream");
  return Status::Ok();
}

Status GzipDecompress(std::string_view in, uint64_t max_bytes, std::string* out, bool* too_large) {
  out->clear();
  GzipInflater inflater(max_bytes);
  NANOTDB_RETURN_IF_ERROR(inflater.Feed(in, out, too_large));
  return inflater.Finish();
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
