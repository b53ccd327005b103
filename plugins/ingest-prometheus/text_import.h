// TextImportHandler: `POST /api/v1/import/prometheus`, Prometheus text 0.0.4 and OpenMetrics
// 1.0 text over HTTP (the VictoriaMetrics endpoint of the same name).
//
// Parameters: `db` (the database; default TextImportOptions::default_db), `timestamp` (Unix ms
// for samples without one; default: the time the request arrived), `extra_label=name=value`
// (repeatable; added to every sample, replacing a label of the same name). The format follows
// Content-Type (application/openmetrics-text → OpenMetrics, anything else → Prometheus text);
// gzip bodies arrive decompressed from the core. Every good sample is stored (SampleWriter) and
// every family's TYPE/HELP/UNIT recorded in the MetadataStore. The answer is
//   200 {"status":"success","data":{"imported":N,"rejected":0,"metadata":M}}
//   400 {"status":"error","errorType":"bad_data","error":"line 3: <reason>",
//        "data":{"imported":N,"rejected":K,"metadata":M,"errors":[{"line":3,"error":"..."}]}}
//   500 (storage failure; the samples counted as imported stay stored)
// docs/prometheus.md has the details.
//
// Thread safety: Handle may run concurrently; the WriterService and MetadataStore are borrowed,
// thread-safe, and must outlive this object and its route.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include "metadata_store.h"
#include "nanotdb/services/http.h"
#include "nanotdb/services/writer.h"
#include "sample_writer.h"

namespace nanotdb::prom {

struct TextImportOptions {
  std::string default_db = "prometheus";
  size_t batch_size = 10'000;  // points per WriteBatch call
  size_t max_errors = 20;      // rejected lines listed in the answer
  // The wall clock (ns) for samples without a timestamp; tests pin it. Empty: the system clock.
  std::function<Timestamp()> now;
};

// The JSON answer shared by the text import and the import tests: what SampleWriter did, plus
// parse errors (each list in line order). `metadata` is the number of families recorded.
void RespondImport(HttpResponse& resp, const SampleWriter& writer, size_t metadata);

class TextImportHandler {
 public:
  TextImportHandler(WriterService& writer, MetadataStore& metadata, TextImportOptions options);
  TextImportHandler(const TextImportHandler&) = delete;
  TextImportHandler& operator=(const TextImportHandler&) = delete;

  void Handle(const HttpRequest& req, HttpResponse& resp) const;
  RouteSpec Route() const;  // POST, role write, bound to this object

 private:
  WriterService& writer_;
  MetadataStore& metadata_;
  TextImportOptions options_;
};

}  // namespace nanotdb::prom
