// nanocli export: writes a database as canonical line protocol (what `import` reads back),
// metrics sorted by name, each in time order, then its events as `@event` lines. Reads through a
// read-only engine.

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <set>
#include <utility>

#include "commands.h"
#include "lineproto.h"
#include "nanotdb/time_util.h"
#include "output.h"
#include "server/event_json.h"

namespace nanotdb::cli {
namespace {

// Buffered writes to a FILE*, remembering the first error.
class LineSink {
 public:
  explicit LineSink(std::FILE* out) : out_(out) {}
  void Write(const std::string& line) {
    if (!ok_) return;
    ok_ = std::fwrite(line.data(), 1, line.size(), out_) == line.size() &&
          std::fputc('\n', out_) != EOF;
    bytes_ += line.size() + 1;
  }
  bool ok() const { return ok_; }
  uint64_t bytes() const { return bytes_; }

 private:
  std::FILE* out_;
  bool ok_ = true;
  uint64_t bytes_ = 0;
};

}  // namespace

const CommandSpec& ExportSpec() {
  static const CommandSpec spec{
      "export",
      "export --root DIR --db NAME [--out FILE] [--start T] [--end T]",
      "Export a database as line protocol that `nanocli import` reads back.",
      "Lines are `db/metric value YYYY-MM-DD HH:MM:SS.nnnnnnnnn` (UTC; int64 values carry\n"
      "the i suffix), all metrics sorted by name, each in time order, then the database's\n"
      "events in time order as `@event {...}` lines (docs/events.md). Safe while a server\n"
      "runs (nothing is written). Times: now, -1d, 2026-05-24[ 12:00:00],\n"
      "2026-05-24T12:00:00Z or Unix ns; both bounds are inclusive.\n"
      "Damaged data (a block or frame failing its checksum) is skipped and each skipped\n"
      "region is listed on stderr; the export goes on with everything intact and exits 3\n"
      "(partial) instead of 0. `nanocli recover` rewrites the damaged files.",
      {{"root", "DIR", "data root (required)"},
       {"db", "NAME", "database (required)"},
       {"out", "FILE", "write here instead of stdout"},
       {"start", "T", "first timestamp to export (default: the oldest)"},
       {"end", "T", "last timestamp to export (default: the newest)"}}};
  return spec;
}

int RunExport(std::span<const std::string> args) {
  const CommandSpec& spec = ExportSpec();
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  Result<std::string> db = RequireDatabase(flags);
  if (!db.ok()) return UsageError(spec, db.status().message());
  Timestamp now = NowNanos();
  Timestamp from = kMinTimestamp, to = kMaxTimestamp;
  for (auto [name, bound] : {std::pair{"start", &from}, std::pair{"end", &to}}) {
    if (!flags.Has(name)) continue;
    Result<Timestamp> t = ParseTimeArg(flags.Get(name), now, TimeUnit::kNanoseconds);
    if (!t.ok()) return UsageError(spec, "--" + std::string(name) + ": " + t.status().message());
    *bound = *t;
  }
  if (to < from) return UsageError(spec, "--end must be >= --start");

  Result<std::unique_ptr<Engine>> engine = OpenEngine(*root, {.read_only = true});
  if (!engine.ok()) return Fail(engine.status());
  if (Status st = CheckDatabaseExists(**engine, *db); !st.ok()) return Fail(st);
  Result<std::vector<MetricInfo>> metrics = (*engine)->ListMetrics(*db);
  if (!metrics.ok()) return Fail(metrics.status());
  std::sort(metrics->begin(), metrics->end(),
            [](const MetricInfo& a, const MetricInfo& b) { return a.name < b.name; });

  std::string out_path = flags.Get("out");
  std::FILE* out = stdout;
  if (!out_path.empty()) {
    out = std::fopen(out_path.c_str(), "wb");
    if (out == nullptr) {
      return Fail("cannot create \"" + out_path + "\": " + std::strerror(errno));
    }
  }
  Stopwatch watch;
  LineSink sink(out);
  uint64_t samples = 0;
  Status read;
  ReadReport report;
  for (const MetricInfo& m : *metrics) {
    read = (*engine)->ReadRange(
        *db, m.name, from, to, 1,
        [&](const Sample& s) {
          sink.Write(FormatLine(*db, m.name, Value{m.type, s.bits}, s.ts));
          ++samples;
          return sink.ok();
        },
        &report);
    if (!read.ok() || !sink.ok()) break;
  }
  uint64_t events = 0;
  EventReadReport event_report;
  if (read.ok() && sink.ok()) {
    EventQuery q;
    q.from = from;
    q.to = to;
    read = (*engine)->ReadEvents(
        *db, q,
        [&](const Event& e) {
          sink.Write(server::FormatEventLine(*db, e));
          ++events;
          return sink.ok();
        },
        &event_report);
  }
  bool flushed = std::fflush(out) == 0 && sink.ok();
  int write_errno = errno;
  if (out != stdout && std::fclose(out) != 0) flushed = false;
  if (!read.ok()) return Fail(read.WithContext("reading " + *db));
  if (!flushed) {
    return Fail("writing " + (out_path.empty() ? std::string("stdout") : "\"" + out_path + "\"") +
                " failed: " + std::strerror(write_errno));
  }
  // A damaged region is met once per metric read; list it once, for every metric.
  uint64_t lost = 0;
  std::set<std::pair<std::string, uint64_t>> regions;
  size_t listed = 0;
  for (const SkippedData& d : report.skipped) {
    if (d.bytes > 0) {
      if (!regions.emplace(d.file, d.offset).second) continue;
      SkippedData any = d;
      any.metric = "any metric";
      std::string text = any.Describe();
      const size_t quoted = text.find("\"any metric\"");
      if (quoted != std::string::npos) text.replace(quoted, 12, "any metric");
      std::cerr << "warning: skipped damaged data: " << text << "\n";
    } else {
      std::cerr << "warning: skipped damaged data: " << d.Describe() << "\n";
    }
    ++listed;
    lost += d.samples;
  }
  for (const std::string& d : event_report.skipped) std::cerr << "warning: " << d << "\n";
  listed += event_report.skipped.size();
  if (!out_path.empty()) {
    std::cout << "exported " << samples << " samples of " << metrics->size() << " metrics"
              << (events > 0 ? " and " + std::to_string(events) + " events" : std::string())
              << " from " << *db << " to " << out_path << " (" << sink.bytes() << " bytes) in "
              << FormatFixed(watch.Ms(), 1) << " ms\n";
  }
  if (!report.empty() || !event_report.skipped.empty()) {
    std::cerr << "export is partial: " << listed << " damaged regions skipped (" << lost
              << " samples known lost); run `nanocli recover --root " << *root << " --db " << *db
              << "` to rewrite the damaged files\n";
    return kExitPartial;
  }
  return kExitOk;
}

}  // namespace nanotdb::cli
