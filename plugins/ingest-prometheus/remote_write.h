// RemoteWriteHandler: `POST /api/v1/write`, the Prometheus remote-write 1.0 receiver.
//
// The body is a snappy block-compressed protobuf WriteRequest (nanotdb/remote_write.h), as
// Prometheus, Grafana Agent/Alloy and vmagent send it (Content-Encoding: snappy, which this
// route decodes itself; a body without Content-Encoding is read as snappy too, since the
// protocol requires it). Each TimeSeries is one series: the `__name__` label is the metric
// name, the other labels its labels (a "db" label becomes "exported_db"); each sample
// (float64 value, Unix ms timestamp) is stored through SampleWriter into `?db=` or the default
// database. Metadata entries are recorded in the MetadataStore.
//
// Answers, as the protocol expects: 204 when every sample was stored; 400 text/plain naming
// the first problem and the counts when the body does not decode or some samples were refused
// (Prometheus does not retry a 400, and the good samples are stored already); 413 when the
// decoded body exceeds max_decoded_bytes; 500 on a storage failure (Prometheus retries).
//
// Thread safety: Handle may run concurrently; the services are borrowed and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "metadata_store.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/writer.h"

namespace nanotdb::prom {

struct RemoteWriteOptions {
  std::string default_db = "prometheus";
  size_t batch_size = 10'000;
  uint64_t max_decoded_bytes = 64 << 20;  // uncompressed WriteRequest size limit
  size_t max_errors = 20;
};

class RemoteWriteHandler {
 public:
  RemoteWriteHandler(WriterService& writer, MetadataStore& metadata, RemoteWriteOptions options);
  RemoteWriteHandler(const RemoteWriteHandler&) = delete;
  RemoteWriteHandler& operator=(const RemoteWriteHandler&) = delete;

  void Handle(const HttpRequest& req, HttpResponse& resp) const;
  RouteSpec Route() const;  // POST /api/v1/write, role write, own encoding "snappy"

 private:
  WriterService& writer_;
  MetadataStore& metadata_;
  RemoteWriteOptions options_;
};

}  // namespace nanotdb::prom
