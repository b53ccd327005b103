#include "remote_write.h"

#include <cctype>

#include "nanotdb/remote_write.h"
#include "sample_writer.h"

namespace nanotdb::prom {
namespace {

void RespondText(HttpResponse& resp, int status, std::string message) {
  resp.status = status;
  resp.content_type = "text/plain; charset=utf-8";
  resp.body = std::move(message);
  resp.body.push_back('\n');
}

const char* TypeName(remote::Metadata::Type type) {
  switch (type) {
    case remote::Metadata::COUNTER:
      return "counter";
    case remote::Metadata::GAUGE:
      return "gauge";
    case remote::Metadata::HISTOGRAM:
      return "histogram";
    case remote::Metadata::GAUGEHISTOGRAM:
      return "gaugehistogram";
    case remote::Metadata::SUMMARY:
      return "summary";
    case remote::Metadata::INFO:
      return "info";
    case remote::Metadata::STATESET:
      return "stateset";
    default:
      return "unknown";
  }
}

}  // namespace

RemoteWriteHandler::RemoteWriteHandler(WriterService& writer, MetadataStore& metadata,
                                       RemoteWriteOptions options)
    : writer_(writer), metadata_(metadata), options_(std::move(options)) {}

RouteSpec RemoteWriteHandler::Route() const {
  RouteSpec r;
  r.path = "/api/v1/write";
  r.methods = {"POST"};
  r.role = Role::kWrite;
  r.own_encodings = {"snappy"};
  r.handler = [this](const HttpRequest& req, HttpResponse& resp) { Handle(req, resp); };
  return r;
}

void RemoteWriteHandler::Handle(const HttpRequest& req, HttpResponse& resp) const {
  std::string db;
  if (!req.Param("db", &db) || db.empty()) db = options_.default_db;
  if (Status st = ValidateDatabaseName(db); !st.ok()) return RespondText(resp, 400, st.message());
  std::string encoding = req.Header("content-encoding");
  for (char& c : encoding) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string decoded_storage;
  std::string_view decoded = req.body;
  if (encoding == "snappy" || encoding.empty()) {
    bool too_large = false;
    Status st =
        remote::SnappyDecode(req.body, options_.max_decoded_bytes, &decoded_storage, &too_large);
    if (!st.ok()) {
      return RespondText(resp, too_large ? 413 : 400,
                         too_large ? st.message() +
                                         " (raise [plugins.ingest-prometheus] "
                                         "max_body_bytes)"
                                   : st.message());
    }
    decoded = decoded_storage;
  }
  // With Content-Encoding gzip the core decompressed the body already; it is the protobuf.
  if (req.Header("content-type").find("io.prometheus.write.v2") != std::string::npos) {
    return RespondText(resp, 415,
                       "remote write 2.0 (io.prometheus.write.v2.Request) is not supported: "
                       "send remote write 1.0 (prometheus.WriteRequest)");
  }
  remote::WriteRequest request;
  if (!request.ParseFromArray(decoded.data(), static_cast<int>(decoded.size()))) {
    return RespondText(resp, 400,
                       "body is not a protobuf prometheus WriteRequest (" +
                           std::to_string(decoded.size()) + " bytes after decompression)");
  }
  SampleWriter writer(writer_, db, options_.batch_size, options_.max_errors);
  for (int i = 0; i < request.timeseries_size(); ++i) {
    const remote::TimeSeries& series = request.timeseries(i);
    const size_t ref = static_cast<size_t>(i) + 1;
    std::string metric;
    Labels labels;
    labels.reserve(series.labels_size());
    for (const remote::Label& l : series.labels()) {
      if (l.name() == kMetricNameLabel) {
        metric = l.value();
      } else {
        labels.push_back({l.name(), l.value()});
      }
    }
    if (series.histograms_size() > 0) {
      writer.Reject(ref, "series " + std::to_string(ref) + " (" + metric + ") has " +
                             std::to_string(series.histograms_size()) +
                             " native histogram samples, which nanotdb does not store (send "
                             "classic histograms: _bucket/_sum/_count series)");
      writer.CountRejected(series.histograms_size() - 1);
    }
    if (series.samples_size() == 0) continue;
    if (metric.empty()) {
      writer.Reject(ref, "series " + std::to_string(ref) + " has no __name__ label");
      writer.CountRejected(series.samples_size() - 1);
      continue;
    }
    RenameDbLabel(&labels);
    Result<std::string> key = MakeSeriesKey(metric, std::move(labels));
    if (!key.ok()) {
      writer.Reject(ref, "series " + std::to_string(ref) + ": " + key.status().message());
      writer.CountRejected(series.samples_size() - 1);
      continue;
    }
    for (const remote::Sample& s : series.samples()) {
      int64_t ms = s.timestamp();
      if (ms > kMaxTimestamp / 1'000'000 || ms < kMinTimestamp / 1'000'000) {
        writer.Reject(ref, *key + ": timestamp " + std::to_string(ms) + " ms out of range");
        continue;
      }
      writer.AddKey(ref, *key, s.value(), ms * 1'000'000);
    }
  }
  writer.Finish();
  for (const remote::Metadata& m : request.metadata()) {
    if (m.metric_family_name().empty()) continue;
    metadata_.Record(m.metric_family_name(), {TypeName(m.type()), m.help(), m.unit()});
  }
  if (!writer.failure().ok()) {
    return RespondText(resp, 500,
                       "storage failed after " + std::to_string(writer.imported()) +
                           " samples were stored: " + writer.failure().message());
  }
  if (writer.rejected() == 0) {
    resp.status = 204;
    resp.content_type.clear();
    resp.body.clear();
    return;
  }
  std::vector<SampleRejection> errors = writer.errors();
  std::string message = "stored " + std::to_string(writer.imported()) + " samples, rejected " +
                        std::to_string(writer.rejected());
  for (const SampleRejection& e : errors) message += "\n" + e.message;
  RespondText(resp, 400, std::move(message));
}

}  // namespace nanotdb::prom
