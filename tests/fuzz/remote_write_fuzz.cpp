// Prometheus remote-write bodies (plugins/ingest-prometheus/remote_write.cpp): snappy framing
// and the WriteRequest protobuf. Any body is answered (2xx or 4xx) without crashing. An input
// whose first byte is even is handed over as an already-decompressed protobuf (what the core
// passes on for Content-Encoding: gzip), otherwise as a snappy block.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "metadata_store.h"
#include "remote_write.h"

namespace {

class CountingWriter final : public nanotdb::WriterService {
 public:
  nanotdb::Result<nanotdb::BatchResult> WriteBatch(
      std::span<const nanotdb::PointRef> points) noexcept override {
    nanotdb::BatchResult r;
    r.accepted = points.size();
    return r;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace nanotdb;
  static CountingWriter writer;
  static prom::MetadataStore metadata;
  prom::RemoteWriteOptions options;
  options.max_decoded_bytes = 1 << 20;
  prom::RemoteWriteHandler handler(writer, metadata, options);
  HttpRequest req;
  req.method = "POST";
  req.path = "/api/v1/write";
  if (size > 0 && data[0] % 2 == 0) {
    req.headers["content-encoding"] = "gzip";
    req.body.assign(reinterpret_cast<const char*>(data) + 1, size - 1);
  } else {
    req.headers["content-encoding"] = "snappy";
    req.body.assign(reinterpret_cast<const char*>(data), size);
  }
  HttpResponse resp;
  handler.Handle(req, resp);
  if (resp.status < 200 || resp.status >= 500) __builtin_trap();
  return 0;
}
