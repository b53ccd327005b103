#include "text_import.h"

#include <charconv>
#include <chrono>

#include "nanotdb/vm_json.h"
#include "prom_text.h"

namespace nanotdb::prom {
namespace {

Timestamp SystemNow() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// `extra_label=name=value` parameters, validated.
Status ExtraLabels(const HttpRequest& req, Labels* out) {
  for (const auto& [key, value] : req.params) {
    if (key != "extra_label") continue;
    size_t eq = value.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("invalid extra_label \"" + value + "\": expected name=value");
    }
    Label label{value.substr(0, eq), value.substr(eq + 1)};
    NANOTDB_RETURN_IF_ERROR(ValidateLabelName(label.name).WithContext("extra_label"));
    out->push_back(std::move(label));
  }
  return Status::Ok();
}

// Adds `extra` to `labels`, replacing labels of the same name.
void ApplyExtra(const Labels& extra, Labels* labels) {
  for (const Label& e : extra) {
    bool replaced = false;
    for (Label& l : *labels) {
      if (l.name == e.name) {
        l.value = e.value;
        replaced = true;
      }
    }
    if (!replaced) labels->push_back(e);
  }
}

}  // namespace

void RespondImport(HttpResponse& resp, const SampleWriter& writer, size_t metadata) {
  std::string& out = resp.body;
  out.clear();
  resp.content_type = "application/json";
  std::string counts = "{\"imported\":" + std::to_string(writer.imported()) +
                       ",\"rejected\":" + std::to_string(writer.rejected()) +
                       ",\"duplicates\":" + std::to_string(writer.duplicates()) +
                       ",\"metadata\":" + std::to_string(metadata);
  if (!writer.failure().ok()) {
    resp.status = 500;
    out = "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":";
    vm::AppendJsonString(&out, "storage failed after " + std::to_string(writer.imported()) +
                                   " samples were imported: " + writer.failure().message());
    out.append(",\"data\":" + counts + "}}\n");
    return;
  }
  if (writer.rejected() == 0) {
    resp.status = 200;
    vm::BeginSuccess(&out);
    out.append(counts + "}");
    vm::EndSuccess(&out);
    return;
  }
  std::vector<SampleRejection> errors = writer.errors();
  resp.status = 400;
  out = "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":";
  vm::AppendJsonString(
      &out, errors.empty() ? std::string("rejected lines")
                           : "line " + std::to_string(errors[0].ref) + ": " + errors[0].message);
  out.append(",\"data\":" + counts + ",\"errors\":[");
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i) out.push_back(',');
    out.append("{\"line\":" + std::to_string(errors[i].ref) + ",\"error\":");
    vm::AppendJsonString(&out, errors[i].message);
    out.push_back('}');
  }
  out.append("]}}\n");
}

TextImportHandler::TextImportHandler(WriterService& writer, MetadataStore& metadata,
                                     TextImportOptions options)
    : writer_(writer), metadata_(metadata), options_(std::move(options)) {}

RouteSpec TextImportHandler::Route() const {
  RouteSpec r;
  r.path = "/api/v1/import/prometheus";
  r.methods = {"POST"};
  r.role = Role::kWrite;
  r.handler = [this](const HttpRequest& req, HttpResponse& resp) { Handle(req, resp); };
  return r;
}

void TextImportHandler::Handle(const HttpRequest& req, HttpResponse& resp) const {
  std::string db;
  if (!req.Param("db", &db) || db.empty()) db = options_.default_db;
  if (Status st = ValidateDatabaseName(db); !st.ok()) {
    return vm::RespondError(resp, 400, "bad_data", st.message());
  }
  Timestamp now = options_.now ? options_.now() : SystemNow();
  std::string ts_param;
  if (req.Param("timestamp", &ts_param) && !ts_param.empty()) {
    int64_t ms = 0;
    auto res = std::from_chars(ts_param.data(), ts_param.data() + ts_param.size(), ms);
    if (res.ec != std::errc() || res.ptr != ts_param.data() + ts_param.size() ||
        ms > kMaxTimestamp / 1'000'000 || ms < kMinTimestamp / 1'000'000) {
      return vm::RespondError(resp, 400, "bad_data",
                              "invalid timestamp \"" + ts_param +
                                  "\": expected Unix milliseconds (the time of samples that "
                                  "carry none)");
    }
    now = ms * 1'000'000;
  }
  Labels extra;
  if (Status st = ExtraLabels(req, &extra); !st.ok()) {
    return vm::RespondError(resp, 400, "bad_data", st.message());
  }
  if (req.body.empty()) {
    return vm::RespondError(resp, 400, "bad_data",
                            "empty request body: send Prometheus text format, one "
                            "\"metric{label=\\\"value\\\"} 1.5 [timestamp_ms]\" per line");
  }
  SampleWriter writer(writer_, db, options_.batch_size, options_.max_errors);
  TextParseSummary summary = ParseText(
      req.body, FormatFromContentType(req.Header("content-type")),
      [&](size_t line, TextSample&& s) {
        if (!extra.empty()) ApplyExtra(extra, &s.labels);
        writer.Add(line, s.metric, std::move(s.labels), s.value, s.ts.value_or(now));
      },
      options_.max_errors);
  writer.Finish();
  for (TextError& e : summary.first_errors) writer.Reject(e.line, std::move(e.message));
  writer.CountRejected(summary.errors - summary.first_errors.size());
  for (const FamilyMetadata& f : summary.metadata) {
    metadata_.Record(f.name, {std::string(MetricTypeName(f.type)), f.help, f.unit});
  }
  RespondImport(resp, writer, summary.metadata.size());
}

}  // namespace nanotdb::prom
