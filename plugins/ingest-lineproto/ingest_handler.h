// ImportHandler: `POST /api/v1/import`, line-protocol ingest over HTTP.
//
// The body is line protocol (lineproto.h), raw or, with Content-Type application/json, as
// {"lines":"<line protocol>"}. Every good line is stored through WriterService::WriteBatch in
// chunks of at most IngestOptions::batch_size points; bad lines do not stop the import and good
// lines of a bad batch are kept (as in the reference). The answer is
//   200 {"status":"success","data":{"imported":N,"rejected":0}}
//   400 {"status":"error","errorType":"bad_data","error":"line 3: <reason>",
//        "data":{"imported":N,"rejected":K,"errors":[{"line":3,"error":"<reason>"},...]}}
// where errors lists the first max_errors rejected lines (parse errors and samples the storage
// refused: type mismatch, out of order, bad names) in line order. docs/http-api.md has the rest.
//
// Thread safety: Handle may run concurrently on the server's worker threads; the WriterService
// is borrowed (thread-safe) and must outlive this object and its route.
#pragma once

#include <cstddef>
#include <functional>

#include "nanotdb/services/http.h"
#include "nanotdb/services/writer.h"

namespace nanotdb {

struct IngestOptions {
  size_t batch_size = 10'000;  // points per WriteBatch call
  size_t max_errors = 20;      // rejected lines listed in the answer
  // The wall clock (ns) for lines without a timestamp; tests pin it. Empty: the system clock.
  std::function<Timestamp()> now;
};

class ImportHandler {
 public:
  explicit ImportHandler(WriterService& writer, IngestOptions options = {});
  ImportHandler(const ImportHandler&) = delete;
  ImportHandler& operator=(const ImportHandler&) = delete;

  void Handle(const HttpRequest& req, HttpResponse& resp) const;

  // POST /api/v1/import, role write, bound to this object.
  RouteSpec Route() const;

 private:
  WriterService& writer_;
  IngestOptions options_;
};

}  // namespace nanotdb
