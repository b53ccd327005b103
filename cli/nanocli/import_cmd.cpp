// nanocli import: streams a line-protocol file into the data root through a write engine.
//
// The file is read in chunks and written in batches of about 10k points, so memory stays
// bounded whatever the file size. A bad line rejects only itself; every good line is kept.

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <map>
#include <set>

#include "commands.h"
#include "lineproto.h"
#include "output.h"
#include "server/event_json.h"

namespace nanotdb::cli {
namespace {

constexpr size_t kChunkBytes = 1 << 20;
constexpr size_t kBatchPoints = 10000;
constexpr size_t kBatchEvents = 1000;
constexpr size_t kMaxLineBytes = 4 << 20;
constexpr size_t kShownErrors = 20;
constexpr uint64_t kProgressMinFileBytes = 8 << 20;

class Importer {
 public:
  Importer(Engine* engine, std::string file, std::string db_override, bool print_errors)
      : engine_(engine),
        file_(std::move(file)),
        db_override_(std::move(db_override)),
        print_errors_(print_errors),
        now_(NowNanos()) {}

  // Reads `in` to the end. Returns non-OK only for failures that stop the import (I/O errors
  // of the file or of the engine); per-line problems are counted.
  Status Run(std::FILE* in, uint64_t file_bytes);

  size_t lines() const { return lines_; }
  size_t accepted() const { return accepted_; }
  size_t events() const { return events_; }
  size_t rejected() const { return rejected_; }
  size_t skipped() const { return skipped_; }
  const std::set<std::string, std::less<>>& databases() const { return databases_; }
  const std::vector<std::pair<size_t, std::string>>& shown_errors() const { return errors_; }

 private:
  // Non-OK only when writing a full batch fails as a whole.
  Status HandleLine(std::string_view line);
  Status FlushBatch();
  Status FlushEvents();
  void Reject(size_t line_no, const Status& status);
  void ShowProgress(uint64_t read, uint64_t total, bool done);

  Engine* engine_;
  std::string file_;
  std::string db_override_;
  bool print_errors_;
  Timestamp now_;

  std::vector<PointRef> batch_;
  std::vector<size_t> batch_lines_;  // line number of each batch_ entry
  // Event lines waiting to be written: per database, the events and their line numbers.
  std::map<std::string, std::pair<std::vector<Event>, std::vector<size_t>>> event_batch_;
  size_t pending_events_ = 0;
  size_t lines_ = 0, accepted_ = 0, events_ = 0, rejected_ = 0, skipped_ = 0;
  std::set<std::string, std::less<>> databases_;
  std::vector<std::pair<size_t, std::string>> errors_;  // the first kShownErrors
};

Status Importer::Run(std::FILE* in, uint64_t file_bytes) {
  const bool progress = isatty(STDERR_FILENO) && file_bytes >= kProgressMinFileBytes;
  Stopwatch since_progress;
  std::string buf;
  std::vector<char> chunk(kChunkBytes);
  uint64_t read_total = 0;
  bool skipping_long_line = false;
  for (;;) {
    size_t n = std::fread(chunk.data(), 1, chunk.size(), in);
    if (n == 0) {
      if (std::ferror(in)) {
        return Status::IOError("reading \"" + file_ + "\" failed: " + std::strerror(errno));
      }
      break;
    }
    read_total += n;
    buf.append(chunk.data(), n);
    size_t pos = 0;
    for (;;) {
      size_t nl = buf.find('\n', pos);
      if (nl == std::string::npos) break;
      if (skipping_long_line) {
        skipping_long_line = false;  // the rest of an over-long line, already rejected
      } else {
        NANOTDB_RETURN_IF_ERROR(HandleLine(std::string_view(buf).substr(pos, nl - pos)));
      }
      pos = nl + 1;
    }
    // The batch views into buf: write it before buf moves.
    NANOTDB_RETURN_IF_ERROR(FlushBatch());
    buf.erase(0, pos);
    if (buf.size() > kMaxLineBytes) {
      if (!skipping_long_line) {
        Reject(++lines_, Status::InvalidArgument("line longer than 4 MiB"));
        skipping_long_line = true;
      }
      buf.clear();
    }
    if (progress && since_progress.Ms() >= 1000) {
      ShowProgress(read_total, file_bytes, false);
      since_progress = Stopwatch();
    }
  }
  if (!buf.empty() && !skipping_long_line) NANOTDB_RETURN_IF_ERROR(HandleLine(buf));
  NANOTDB_RETURN_IF_ERROR(FlushBatch());
  if (progress) ShowProgress(read_total, file_bytes, true);
  return Status::Ok();
}

Status Importer::HandleLine(std::string_view line) {
  size_t line_no = ++lines_;
  if (server::IsEventLine(line)) {
    std::string db;
    Event e;
    Status st = server::ParseEventLine(line, db_override_, now_, &db, &e);
    if (!st.ok()) {
      Reject(line_no, st);
      return Status::Ok();
    }
    if (databases_.find(db) == databases_.end()) databases_.emplace(db);
    auto& group = event_batch_[db];
    group.first.push_back(std::move(e));
    group.second.push_back(line_no);
    return ++pending_events_ >= kBatchEvents ? FlushEvents() : Status::Ok();
  }
  ParsedLine parsed;
  bool skip = false;
  Status st = ParseLine(line, now_, &parsed, &skip);
  if (!st.ok()) {
    Reject(line_no, st);
    return Status::Ok();
  }
  if (skip) {
    ++skipped_;
    return Status::Ok();
  }
  std::string_view db = db_override_.empty() ? parsed.db : std::string_view(db_override_);
  if (databases_.find(db) == databases_.end()) databases_.emplace(db);
  batch_.push_back(PointRef{db, parsed.metric, parsed.ts, parsed.value});
  batch_lines_.push_back(line_no);
  return batch_.size() >= kBatchPoints ? FlushBatch() : Status::Ok();
}

Status Importer::FlushEvents() {
  for (auto& [db, group] : event_batch_) {
    Result<EventWriteResult> res = engine_->WriteEvents(db, group.first);
    if (!res.ok()) {
      if (!res.status().IsInvalidArgument()) {
        return res.status().WithContext("writing the events ending at line " +
                                        std::to_string(group.second.back()));
      }
      for (size_t line : group.second) Reject(line, res.status());
      continue;
    }
    events_ += res->written;
    for (const auto& [index, status] : res->rejected) Reject(group.second[index], status);
  }
  event_batch_.clear();
  pending_events_ = 0;
  return Status::Ok();
}

Status Importer::FlushBatch() {
  NANOTDB_RETURN_IF_ERROR(FlushEvents());
  if (batch_.empty()) return Status::Ok();
  Result<BatchResult> res = engine_->WriteBatch(batch_);
  if (!res.ok()) {
    return res.status().WithContext("writing the batch ending at line " +
                                    std::to_string(batch_lines_.back()));
  }
  accepted_ += res->accepted;
  for (const auto& [index, status] : res->rejected) Reject(batch_lines_[index], status);
  batch_.clear();
  batch_lines_.clear();
  return Status::Ok();
}

void Importer::Reject(size_t line_no, const Status& status) {
  ++rejected_;
  if (errors_.size() >= kShownErrors) return;
  errors_.emplace_back(line_no, status.message());
  if (print_errors_) std::cerr << file_ << ":" << line_no << ": " << status.message() << "\n";
}

void Importer::ShowProgress(uint64_t read, uint64_t total, bool done) {
  std::cerr << "\rimporting " << file_ << ": "
            << FormatFixed(100.0 * static_cast<double>(read) / static_cast<double>(total), 0)
            << "% (" << lines_ << " lines)" << (done ? "\n" : "") << std::flush;
}

}  // namespace

const CommandSpec& ImportSpec() {
  static const CommandSpec spec{
      "import",
      "import --root DIR --in FILE.lp [--db NAME] [--no-rollup] [--json]",
      "Import a line-protocol file into the data root (the server must be stopped).",
      "The file is streamed and written in batches; databases are created as needed.\n"
      "Bad lines are reported as FILE:LINE: reason (the first 20, then a count) and\n"
      "rejected one by one: every good line is imported and kept. The exit code is 1\n"
      "when any line was rejected. Timestamps may be Unix ns or UTC dates, so the\n"
      "output of `nanocli export` imports back unchanged, its `@event {...}` lines\n"
      "(docs/events.md) included. Databases with [rollups] jobs\n"
      "then get the rollups of every newly complete period (unless --no-rollup).",
      {{"root", "DIR", "data root (required)"},
       {"in", "FILE", "line-protocol file to read (required)"},
       {"db", "NAME", "write every line into this database instead of the one it names"},
       {"no-rollup", "", "do not run the databases' rollup jobs after the import"},
       {"json", "", "print the summary as JSON"}}};
  return spec;
}

int RunImport(std::span<const std::string> args) {
  const CommandSpec& spec = ImportSpec();
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  std::string in_path = flags.Get("in");
  if (in_path.empty()) return UsageError(spec, "--in FILE is required");
  std::string db_override;
  if (flags.Has("db")) {
    Result<std::string> db = RequireDatabase(flags);
    if (!db.ok()) return UsageError(spec, db.status().message());
    db_override = *db;
  }
  const bool json = flags.GetBool("json");

  std::FILE* in = std::fopen(in_path.c_str(), "rb");
  if (in == nullptr) {
    return Fail("cannot open input \"" + in_path + "\": " + std::strerror(errno));
  }
  struct stat st {};
  uint64_t file_bytes = fstat(fileno(in), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;

  Result<std::unique_ptr<Engine>> engine =
      OpenEngine(*root, {.read_only = false, .bulk_load = true});
  if (!engine.ok()) {
    std::fclose(in);
    return Fail(engine.status());
  }
  Stopwatch watch;
  Importer importer(engine->get(), in_path, db_override, !json);
  Status run = importer.Run(in, file_bytes);
  std::fclose(in);
  // Imported data of databases with [rollups] gets its rollups now, not at the next server
  // start (docs/rollups.md).
  RollupPassSummary rollups;
  if (run.ok() && !flags.GetBool("no-rollup")) rollups = RunRollupPass(**engine, *root);
  Status close = (*engine)->Close();
  double ms = watch.Ms();
  if (!run.ok()) {
    return Fail(run.message() + " (import stopped after line " + std::to_string(importer.lines()) +
                "; " + std::to_string(importer.accepted()) + " samples before it were kept)");
  }
  if (!close.ok()) return Fail(close.WithContext("closing the data root"));

  if (json) {
    JsonWriter j;
    j.BeginObject().Key("file").String(in_path).Key("root").String(*root);
    j.Key("db_override").String(db_override).Key("lines").Uint(importer.lines());
    j.Key("imported").Uint(importer.accepted()).Key("events").Uint(importer.events());
    j.Key("rejected").Uint(importer.rejected());
    j.Key("skipped").Uint(importer.skipped()).Key("duration_ms").Double(ms);
    j.Key("rollup_jobs").Uint(rollups.jobs).Key("rollup_points").Uint(rollups.points);
    j.Key("databases").BeginArray();
    for (const std::string& db : importer.databases()) j.String(db);
    j.EndArray().Key("errors").BeginArray();
    for (const auto& [line, msg] : importer.shown_errors()) {
      j.BeginObject().Key("line").Uint(line).Key("error").String(msg).EndObject();
    }
    std::cout << j.EndArray().EndObject().Finish();
  } else {
    if (importer.rejected() > importer.shown_errors().size()) {
      std::cerr << "... and " << importer.rejected() - importer.shown_errors().size()
                << " more rejected lines\n";
    }
    std::cout << "imported " << importer.accepted() << " samples"
              << (importer.events() > 0 ? " and " + std::to_string(importer.events()) + " events"
                                        : std::string())
              << " from " << in_path << " (" << importer.lines() << " lines, "
              << importer.rejected() << " rejected, " << importer.skipped() << " skipped) in "
              << FormatFixed(ms, 1) << " ms\n";
    std::cout << "databases: ";
    bool first = true;
    for (const std::string& db : importer.databases()) {
      std::cout << (first ? "" : ", ") << db;
      first = false;
    }
    std::cout << (first ? "-\n" : "\n");
    if (rollups.jobs > 0) {
      std::cout << "rollups: " << rollups.points << " points written by " << rollups.jobs
                << " jobs\n";
    }
  }
  for (const std::string& e : rollups.errors) std::cerr << "error: " << e << "\n";
  if (!rollups.errors.empty()) {
    return Fail("the samples were imported, but " + std::to_string(rollups.errors.size()) +
                " rollup jobs failed; fix them and run nanocli rollup");
  }
  if (importer.rejected() > 0) {
    return Fail(std::to_string(importer.rejected()) + " lines were rejected; the other " +
                std::to_string(importer.accepted()) + " samples" +
                (importer.events() > 0 ? " and " + std::to_string(importer.events()) + " events"
                                       : std::string()) +
                " were imported and kept");
  }
  return kExitOk;
}

}  // namespace nanotdb::cli
