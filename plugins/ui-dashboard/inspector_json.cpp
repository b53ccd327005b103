#include "inspector_json.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <sstream>

#include "nanotdb/time_util.h"
#include "nanotdb/types.h"

namespace nanotdb::ui {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Object::Ptr Ordered() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

void SetTime(Object& o, const std::string& key, Timestamp ts) {
  o.set(key + "_ts", ts);
  o.set(key + "_utc", ts == 0 ? std::string() : FormatRfc3339(ts));
}

std::string Envelope(const std::string& result_type, const Poco::Dynamic::Var& result,
                     Object::Ptr extra = nullptr) {
  Object::Ptr data = Ordered();
  data->set("resultType", result_type);
  data->set("result", result);
  if (extra) {
    for (const auto& name : extra->getNames()) data->set(name, extra->get(name));
  }
  Object::Ptr env = Ordered();
  env->set("status", "success");
  env->set("data", data);
  std::ostringstream os;
  Poco::JSON::Stringifier::condense(env, os);
  return os.str() + "\n";
}

Object::Ptr ManifestJson(const ManifestSettings& m) {
  Object::Ptr o = Ordered();
  o->set("partition", PartitioningName(m.partition));
  o->set("retention_days", m.retention_days);
  o->set("retention_action", RetentionActionName(m.retention_action));
  o->set("max_active_partitions", m.max_active_partitions);
  o->set("wal_enabled", m.wal_enabled);
  o->set("wal_skip_before", FormatDuration(m.wal_skip_before));
  o->set("page_max_records", static_cast<uint64_t>(m.page_max_records));
  o->set("page_max_bytes", m.page_max_bytes);
  o->set("page_max_age", FormatDuration(m.page_max_age));
  return o;
}

Object::Ptr WalJson(const WalSummary& w) {
  Object::Ptr o = Ordered();
  o->set("name", w.name);
  o->set("bytes", w.bytes);
  o->set("records", w.records);
  o->set("samples", w.samples);
  SetTime(*o, "min", w.min_ts);
  SetTime(*o, "max", w.max_ts);
  o->set("valid_bytes", w.valid_bytes);
  o->set("tail_bytes", w.tail_bytes);
  o->set("stop_reason", w.stop_reason);
  // The preview: the first and last samples of the log, as they will be replayed.
  auto samples = [](const std::vector<WalSamplePreview>& list) {
    Array::Ptr a = new Array;
    for (const WalSamplePreview& p : list) {
      Object::Ptr x = Ordered();
      x->set("record", p.record);
      x->set("metric", p.metric);
      x->set("ts", p.ts);
      x->set("utc", FormatRfc3339(p.ts));
      x->set("type", ValueTypeName(p.value.type));
      x->set("value", FormatValue(p.value));
      a->add(x);
    }
    return a;
  };
  Object::Ptr preview = Ordered();
  preview->set("first", samples(w.first));
  preview->set("last", samples(w.last));
  o->set("preview", preview);
  return o;
}

Object::Ptr FileJson(const DataFileSummary& f, bool with_frames) {
  Object::Ptr o = Ordered();
  o->set("name", f.name);
  o->set("partition", f.partition);
  o->set("bytes", f.bytes);
  o->set("samples", f.samples);
  o->set("frames", static_cast<uint64_t>(f.frames.size()));
  o->set("bytes_per_sample",
         f.samples == 0 ? 0.0 : static_cast<double>(f.bytes) / static_cast<double>(f.samples));
  SetTime(*o, "min", f.min_ts);
  SetTime(*o, "max", f.max_ts);
  o->set("error", f.error);
  if (with_frames) {
    Array::Ptr frames = new Array;
    for (size_t i = 0; i < f.frames.size(); ++i) {
      const FrameSummary& fr = f.frames[i];
      Object::Ptr x = Ordered();
      x->set("index", static_cast<uint64_t>(i));
      x->set("offset", fr.offset);
      x->set("bytes", static_cast<uint64_t>(fr.bytes));
      x->set("raw_bytes", static_cast<uint64_t>(fr.raw_bytes));
      x->set("samples", static_cast<uint64_t>(fr.samples));
      x->set("metrics", static_cast<uint64_t>(fr.metrics));
      x->set("codec", fr.codec);
      x->set("ratio", fr.bytes == 0 ? 0.0 : static_cast<double>(fr.raw_bytes) / fr.bytes);
      x->set("bytes_per_sample",
             fr.samples == 0 ? 0.0 : static_cast<double>(fr.bytes) / fr.samples);
      SetTime(*x, "min", fr.min_ts);
      SetTime(*x, "max", fr.max_ts);
      x->set("span", FormatDuration(fr.max_ts - fr.min_ts));
      frames->add(x);
    }
    o->set("frame_list", frames);
  }
  return o;
}

Object::Ptr SummaryJson(const DatabaseSummary& s, bool with_frames) {
  Object::Ptr o = Ordered();
  uint64_t data_bytes = 0, samples = 0, frames = 0;
  for (const auto& f : s.files) {
    data_bytes += f.bytes;
    samples += f.samples;
    frames += f.frames.size();
  }
  o->set("name", s.name);
  o->set("path", s.path);
  o->set("metrics", static_cast<uint64_t>(s.metrics));
  o->set("data_files", static_cast<uint64_t>(s.files.size()));
  o->set("data_bytes", data_bytes);
  o->set("frames", frames);
  o->set("samples", samples);
  o->set("bytes_per_sample", samples == 0 ? 0.0 : static_cast<double>(data_bytes) / samples);
  o->set("wal_bytes", s.wal.bytes);
  o->set("open_page_samples", s.open_page_samples);
  Array::Ptr parts = new Array;
  for (const auto& p : s.open_partitions) parts->add(p);
  o->set("open_partitions", parts);
  o->set("manifest", ManifestJson(s.manifest));
  o->set("wal", WalJson(s.wal));
  Array::Ptr files = new Array;
  for (const auto& f : s.files) files->add(FileJson(f, with_frames));
  o->set("files", files);
  return o;
}

}  // namespace

std::string OverviewJson(const std::vector<OverviewEntry>& dbs, const std::string& settings_toml) {
  Array::Ptr result = new Array;
  for (const auto& e : dbs) {
    if (e.summary.ok()) {
      Object::Ptr o = SummaryJson(e.summary.value(), false);
      o->remove("files");
      result->add(o);
    } else {
      Object::Ptr o = Ordered();
      o->set("name", e.name);
      o->set("error", e.summary.status().message());
      result->add(o);
    }
  }
  Object::Ptr extra = Ordered();
  extra->set("settings_toml", settings_toml);
  return Envelope("engine_overview", result, extra);
}

std::string DatabaseJson(const DatabaseSummary& summary, const std::vector<MetricInfo>& metrics) {
  Object::Ptr result = Ordered();
  result->set("summary", SummaryJson(summary, true));
  Array::Ptr list = new Array;
  for (const auto& m : metrics) {
    Object::Ptr o = Ordered();
    o->set("name", m.name);
    o->set("id", static_cast<uint64_t>(m.id));
    o->set("type", ValueTypeName(m.type));
    if (m.last) {
      SetTime(*o, "last", m.last->ts);
      o->set("last_value", FormatValue(Value{m.type, m.last->bits}));
    } else {
      SetTime(*o, "last", 0);
      o->set("last_value", std::string());
    }
    list->add(o);
  }
  result->set("metrics", list);
  return Envelope("engine_database", result);
}

std::string RuntimeJson(const RuntimeInfo& r, const std::vector<PluginStats>& stats) {
  Object::Ptr o = Ordered();
  o->set("version", r.version);
  o->set("uptime_seconds", static_cast<double>(r.uptime_ns) / kNanosPerSecond);
  o->set("uptime", FormatDuration(r.uptime_ns - r.uptime_ns % kNanosPerSecond));
  o->set("rss_bytes", r.rss_bytes);
  o->set("peak_rss_bytes", r.peak_rss_bytes);
  o->set("cpu_user_seconds", r.cpu_user_seconds);
  o->set("cpu_system_seconds", r.cpu_system_seconds);
  o->set("threads", r.threads);
  o->set("root", r.root);
  o->set("listen", r.listen);
  Array::Ptr plugins = new Array;
  for (const auto& p : r.plugins) {
    Object::Ptr x = Ordered();
    x->set("name", p.name);
    x->set("version", p.version);
    x->set("path", p.path);
    x->set("description", p.description);
    x->set("status", p.error.empty() ? std::string("running") : "disabled: " + p.error);
    Array::Ptr own = new Array;
    for (const PluginStats& group : stats) {
      if (group.plugin != p.name) continue;
      for (const StatValue& v : group.stats) {
        Object::Ptr stat = Ordered();
        stat->set("name", v.name);
        Object::Ptr labels = Ordered();
        for (const Label& l : v.labels) labels->set(l.name, l.value);
        stat->set("labels", labels);
        stat->set("value", v.value);
        stat->set("counter", v.counter);
        stat->set("help", v.help);
        own->add(stat);
      }
    }
    x->set("stats", own);
    plugins->add(x);
  }
  o->set("plugins", plugins);
  return Envelope("engine_runtime", o);
}

std::string ErrorJson(std::string_view type, std::string_view message) {
  Object::Ptr env = Ordered();
  env->set("status", "error");
  env->set("errorType", std::string(type));
  env->set("error", std::string(message));
  std::ostringstream os;
  Poco::JSON::Stringifier::condense(env, os);
  return os.str() + "\n";
}

}  // namespace nanotdb::ui
