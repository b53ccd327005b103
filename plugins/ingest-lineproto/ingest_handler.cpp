#include "ingest_handler.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <vector>

#include "lineproto.h"
#include "nanotdb/vm_json.h"

namespace nanotdb {
namespace {

bool IsJson(std::string_view content_type) {
  constexpr std::string_view kJson = "application/json";
  return content_type.size() >= kJson.size() &&
         std::equal(kJson.begin(), kJson.end(), content_type.begin(), [](char a, char b) {
           return a == std::tolower(static_cast<unsigned char>(b));
         });
}

// The line protocol inside a {"lines":"..."} body.
Status LinesFromJson(const std::string& body, std::string* out) {
  const Status kShape =
      Status::InvalidArgument("invalid JSON body: expected {\"lines\":\"<line protocol>\"}");
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var root = parser.parse(body);
    if (root.type() != typeid(Poco::JSON::Object::Ptr)) return kShape;
    Poco::JSON::Object::Ptr obj = root.extract<Poco::JSON::Object::Ptr>();
    Poco::Dynamic::Var lines = obj->get("lines");
    if (!lines.isString()) return kShape;
    *out = lines.extract<std::string>();
    return Status::Ok();
  } catch (const Poco::Exception& e) {
    return Status::InvalidArgument("invalid JSON body: " + e.displayText());
  }
}

}  // namespace

ImportHandler::ImportHandler(WriterService& writer, IngestOptions options)
    : writer_(writer), options_(std::move(options)) {}

RouteSpec ImportHandler::Route() const {
  RouteSpec r;
  r.path = "/api/v1/import";
  r.methods = {"POST"};
  r.role = Role::kWrite;
  r.handler = [this](const HttpRequest& req, HttpResponse& resp) { Handle(req, resp); };
  return r;
}

void ImportHandler::Handle(const HttpRequest& req, HttpResponse& resp) const {
  std::string json_lines;
  std::string_view body = req.body;
  if (IsJson(req.Header("content-type"))) {
    Status st = LinesFromJson(req.body, &json_lines);
    if (!st.ok()) return vm::RespondError(resp, 400, "bad_data", st.message());
    body = json_lines;
  }
  if (body.empty()) {
    return vm::RespondError(resp, 400, "bad_data",
                            "empty request body: send line protocol, one "
                            "\"DB/metric value [timestamp]\" per line");
  }
  const Timestamp now = options_.now ? options_.now()
                                     : std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();

  // Points view into `body`, which outlives every WriteBatch call below.
  std::vector<PointRef> chunk;
  std::vector<size_t> chunk_lines;  // line number of each point in `chunk`
  chunk.reserve(std::min(options_.batch_size, body.size() / 16 + 1));
  chunk_lines.reserve(chunk.capacity());
  size_t imported = 0;
  size_t duplicates = 0;            // resent samples the storage already held
  size_t refused = 0;               // points the storage rejected
  std::vector<LineError> refusals;  // the first max_errors of them
  Status failure;                   // a failure not tied to one point stops the import
  auto write_chunk = [&] {
    if (chunk.empty() || !failure.ok()) return;
    Result<BatchResult> res = writer_.WriteBatch(chunk);
    if (!res.ok()) {
      failure = res.status();
    } else {
      imported += res->accepted;
      duplicates += res->duplicates;
      refused += res->rejected.size();
      for (auto& [index, status] : res->rejected) {
        if (refusals.size() >= options_.max_errors) break;
        refusals.push_back({chunk_lines[index], std::move(status)});
      }
    }
    chunk.clear();
    chunk_lines.clear();
  };
  ParseSummary summary = ParseBody(
      body, now,
      [&](size_t line_no, const ParsedLine& p) {
        if (!failure.ok()) return;
        chunk.push_back(PointRef{p.db, p.metric, p.ts, p.value});
        chunk_lines.push_back(line_no);
        if (chunk.size() >= options_.batch_size) write_chunk();
      },
      options_.max_errors);
  write_chunk();

  const size_t rejected = summary.errors + refused;
  std::string& out = resp.body;
  out.clear();
  if (!failure.ok()) {
    resp.status = 500;
    out = "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":";
    vm::AppendJsonString(&out, "storage failed after " + std::to_string(imported) +
                                   " samples were imported: " + failure.message());
  } else if (rejected == 0) {
    resp.status = 200;
    vm::BeginSuccess(&out);
    out.append("{\"imported\":" + std::to_string(imported) +
               ",\"rejected\":0,\"duplicates\":" + std::to_string(duplicates) + "}");
    vm::EndSuccess(&out);
    resp.content_type = "application/json";
    return;
  } else {
    // Parse errors and storage refusals are each in line order; the first max_errors of the
    // merged list are the first max_errors rejected lines.
    std::vector<LineError> errors;
    errors.reserve(summary.first_errors.size() + refusals.size());
    std::merge(std::make_move_iterator(summary.first_errors.begin()),
               std::make_move_iterator(summary.first_errors.end()),
               std::make_move_iterator(refusals.begin()), std::make_move_iterator(refusals.end()),
               std::back_inserter(errors),
               [](const LineError& a, const LineError& b) { return a.line < b.line; });
    if (errors.size() > options_.max_errors) errors.resize(options_.max_errors);
    resp.status = 400;
    out = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":";
    vm::AppendJsonString(&out, errors.empty() ? std::string("rejected lines")
                                              : "line " + std::to_string(errors[0].line) + ": " +
                                                    errors[0].status.message());
    out.append(",\"data\":{\"imported\":" + std::to_string(imported) +
               ",\"rejected\":" + std::to_string(rejected) +
               ",\"duplicates\":" + std::to_string(duplicates) + ",\"errors\":[");
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i) out.push_back(',');
      out.append("{\"line\":" + std::to_string(errors[i].line) + ",\"error\":");
      vm::AppendJsonString(&out, errors[i].status.message());
      out.push_back('}');
    }
    out.append("]}");
  }
  out.append("}\n");
  resp.content_type = "application/json";
}

}  // namespace nanotdb
