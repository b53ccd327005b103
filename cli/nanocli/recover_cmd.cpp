// nanocli recover: rebuilds the catalogs and data files of a root from whatever is intact in
// them, moving the rest aside (core/storage/recover.h). nanocli compact: rewrites sealed
// partitions as one frame. Both hold the root lock for their whole run.

#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "commands.h"
#include "nanotdb/time_util.h"
#include "output.h"
#include "storage/filenames.h"
#include "storage/recover.h"

namespace nanotdb::cli {
namespace {

// The databases to work on: --db, or every database directory of the root.
Result<std::vector<std::string>> Databases(Env* env, const std::string& root, const Flags& flags) {
  if (flags.Has("db")) {
    NANOTDB_ASSIGN_OR_RETURN(std::string db, RequireDatabase(flags));
    if (!env->DirExists(DatabaseDir(root, db))) {
      return Status::NotFound("database \"" + db + "\" does not exist under " + root);
    }
    return std::vector<std::string>{db};
  }
  std::vector<std::string> children, out;
  NANOTDB_RETURN_IF_ERROR(env->GetChildren(root, &children));
  for (const std::string& c : children) {
    if (ValidateDatabaseName(c).ok() && IsDatabaseDir(env, root + "/" + c)) out.push_back(c);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Range(Timestamp a, Timestamp b) { return FormatRfc3339(a) + " .. " + FormatRfc3339(b); }

void PrintText(const RecoverReport& r, bool dry_run, std::ostream& out) {
  out << "database " << r.db << ": catalog " << r.catalog << " (" << r.metrics << " metrics";
  if (r.catalog != "intact") {
    out << ": " << r.named_by_catalog << " named by the catalog, " << r.named_by_files
        << " by data files, " << r.named_by_wal << " by the WAL, " << r.unnamed.size()
        << " unnamed";
  }
  out << ")";
  if (!r.catalog_problem.empty()) out << " - " << r.catalog_problem;
  out << "\n";
  for (const std::string& name : r.unnamed) {
    out << "  no name found for " << name << " (named after its id)\n";
  }
  for (const std::string& n : r.notes) out << "  note: " << n << "\n";
  for (const RecoveredFile& f : r.files) {
    out << "  " << f.name << ": " << f.action;
    if (f.bytes_after != f.bytes_before) {
      out << " (" << f.bytes_before << " -> " << f.bytes_after << " bytes)";
    }
    out << "; kept " << f.kept_samples << " samples of " << f.kept_metrics.size() << " metrics";
    if (f.kept_samples > 0) out << " " << Range(f.kept_min, f.kept_max);
    if (!f.lost.empty()) out << "; lost " << f.lost_samples << " samples counted by frame headers";
    out << "\n";
    if (!f.why.empty())
      out << "    " << (f.action == "left untouched" ? "why: " : "") << f.why << "\n";
    for (const LostData& l : f.lost) {
      if (l.metric.empty()) {
        out << "    lost: " << l.bytes << " damaged bytes at offset " << l.offset
            << " (which metrics they held is unknown): " << l.reason << "\n";
      } else {
        out << "    lost: " << l.metric << " " << l.samples << " samples "
            << Range(l.min_ts, l.max_ts) << " (frame at offset " << l.offset << "): " << l.reason
            << "\n";
      }
    }
    for (const std::string& q : f.quarantined) {
      out << "    " << (dry_run ? "would move aside to " : "moved aside to ") << BaseName(q)
          << "\n";
    }
  }
}

void WriteJson(const RecoverReport& r, JsonWriter& j) {
  j.BeginObject();
  j.Key("db").String(r.db);
  j.Key("catalog").String(r.catalog);
  j.Key("catalog_problem").String(r.catalog_problem);
  j.Key("metrics").Uint(r.metrics);
  j.Key("named_by_catalog").Uint(r.named_by_catalog);
  j.Key("named_by_files").Uint(r.named_by_files);
  j.Key("named_by_wal").Uint(r.named_by_wal);
  j.Key("unnamed").BeginArray();
  for (const std::string& n : r.unnamed) j.String(n);
  j.EndArray();
  j.Key("notes").BeginArray();
  for (const std::string& n : r.notes) j.String(n);
  j.EndArray();
  j.Key("files").BeginArray();
  for (const RecoveredFile& f : r.files) {
    j.BeginObject();
    j.Key("name").String(f.name);
    j.Key("action").String(f.action);
    j.Key("why").String(f.why);
    j.Key("bytes_before").Uint(f.bytes_before);
    j.Key("bytes_after").Uint(f.bytes_after);
    j.Key("frames").Uint(f.frames);
    j.Key("kept_samples").Uint(f.kept_samples);
    j.Key("kept_metrics").BeginArray();
    for (const std::string& m : f.kept_metrics) j.String(m);
    j.EndArray();
    j.Key("kept_min_ts").Int(f.kept_min);
    j.Key("kept_max_ts").Int(f.kept_max);
    j.Key("lost_samples").Uint(f.lost_samples);
    j.Key("lost").BeginArray();
    for (const LostData& l : f.lost) {
      j.BeginObject();
      j.Key("metric").String(l.metric);
      j.Key("offset").Uint(l.offset);
      j.Key("bytes").Uint(l.bytes);
      j.Key("min_ts").Int(l.min_ts);
      j.Key("max_ts").Int(l.max_ts);
      j.Key("samples").Uint(l.samples);
      j.Key("reason").String(l.reason);
      j.EndObject();
    }
    j.EndArray();
    j.Key("quarantined").BeginArray();
    for (const std::string& q : f.quarantined) j.String(BaseName(q));
    j.EndArray();
    j.EndObject();
  }
  j.EndArray();
  j.EndObject();
}

}  // namespace

const CommandSpec& RecoverSpec() {
  static const CommandSpec spec{
      "recover",
      "recover --root DIR [--db NAME] [--dry-run] [--json]",
      "Rebuild catalogs and data files from what is intact; move the rest aside.",
      "Scans every data file of the database (or of every database), keeps every block that\n"
      "passes its checks and rewrites each damaged file from them (intact frames byte for\n"
      "byte); damaged regions and the frames that lost a block are first copied to\n"
      "<file>.quarantine.<offset> next to the file. Rebuilds catalog.json when it is missing,\n"
      "unreadable or incomplete, from the catalog, the data files' name records and the WAL.\n"
      "Reports per file what was kept and lost (samples, metrics, time ranges). Running it\n"
      "twice changes nothing the second time. Refused while a server holds the root.",
      {{"root", "DIR", "data root (required)"},
       {"db", "NAME", "only this database (default: every database of the root)"},
       {"dry-run", "", "report what would change; write nothing"},
       {"json", "", "print the report as JSON"}}};
  return spec;
}

int RunRecover(std::span<const std::string> args) {
  const CommandSpec& spec = RecoverSpec();
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  if (flags.Has("db") && !RequireDatabase(flags).ok()) {
    return UsageError(spec, RequireDatabase(flags).status().message());
  }
  const bool dry_run = flags.GetBool("dry-run");
  const bool json = flags.GetBool("json");
  Env* env = Env::Default();
  auto lock = env->LockFile(LockPath(*root));
  if (!lock.ok()) return Fail(lock.status());
  Result<std::vector<std::string>> dbs = Databases(env, *root, flags);
  if (!dbs.ok()) return Fail(dbs.status());

  const bool tty = !json && ::isatty(STDERR_FILENO);
  RecoverOptions opts;
  opts.dry_run = dry_run;
  std::string current;
  if (tty) {
    opts.progress = [&](size_t done, size_t total, const std::string& file) {
      std::cerr << "\r\033[K" << current << ": " << done << "/" << total << " files"
                << (file.empty() ? "\n" : " " + file) << std::flush;
    };
  }
  JsonWriter j;
  j.BeginObject().Key("dry_run").Bool(dry_run).Key("databases").BeginArray();
  bool changed = false;
  for (const std::string& db : *dbs) {
    current = "scanning " + db;
    RecoverReport report;
    Status st = RecoverDatabase(env, *root, db, opts, &report);
    if (!st.ok()) return Fail(st.WithContext("database " + db));
    changed |= report.changed();
    if (json) {
      WriteJson(report, j);
    } else {
      PrintText(report, dry_run, std::cout);
    }
  }
  j.EndArray().Key("changed").Bool(changed).EndObject();
  if (json) {
    std::cout << j.Finish();
  } else {
    std::cout << (changed ? (dry_run ? "dry run: the changes above were not made\n"
                                     : "recovered; a second run changes nothing\n")
                          : "nothing to recover\n");
  }
  return kExitOk;
}

const CommandSpec& CompactSpec() {
  static const CommandSpec spec{
      "compact",
      "compact --root DIR --db NAME [--part KEY]",
      "Rewrite sealed partitions as one frame each, as import writes them.",
      "Live ingest writes a partition as many frames (one per flushed page); one frame per\n"
      "partition compresses best. compact rewrites the partition KEY (e.g. 2026-05-24), or\n"
      "every sealed partition of the database, as one frame (zstd level 19) with the same\n"
      "samples. The partition holding the current time is never compacted (the engine still\n"
      "appends to it); a damaged file is refused (run `nanocli recover` first). Atomic: a\n"
      "crash leaves the old or the new file. Refused while a server holds the root.",
      {{"root", "DIR", "data root (required)"},
       {"db", "NAME", "database (required)"},
       {"part", "KEY", "only this partition (default: every sealed one)"}}};
  return spec;
}

int RunCompact(std::span<const std::string> args) {
  const CommandSpec& spec = CompactSpec();
  Flags flags;
  if (std::optional<int> code = ParseFlags(spec, args, &flags)) return *code;
  Result<std::string> root = RequireRoot(flags);
  if (!root.ok()) return UsageError(spec, root.status().message());
  Result<std::string> db = RequireDatabase(flags);
  if (!db.ok()) return UsageError(spec, db.status().message());
  Env* env = Env::Default();
  auto lock = env->LockFile(LockPath(*root));
  if (!lock.ok()) return Fail(lock.status());
  if (!env->DirExists(DatabaseDir(*root, *db))) {
    return Fail("database \"" + *db + "\" does not exist under " + *root);
  }
  std::vector<std::string> keys;
  if (flags.Has("part")) {
    keys.push_back(flags.Get("part"));
  } else {
    std::vector<std::string> children;
    if (Status st = env->GetChildren(DatabaseDir(*root, *db), &children); !st.ok()) {
      return Fail(st);
    }
    for (const std::string& c : children) {
      std::string key;
      if (ParseDataFileName(c, &key)) keys.push_back(key);
    }
    std::sort(keys.begin(), keys.end());
  }
  const Timestamp now = NowNanos();
  int code = kExitOk;
  for (const std::string& key : keys) {
    CompactResult r;
    Status st = CompactPartition(env, *root, *db, key, now, &r);
    if (!st.ok()) {
      if (!flags.Has("part") && st.code() == Status::Code::kInvalidArgument) {
        std::cout << r.name << ": skipped (" << st.message() << ")\n";
        continue;
      }
      std::cerr << "error: " << r.name << ": " << st.message() << "\n";
      code = kExitFailed;
      continue;
    }
    if (!r.rewritten) {
      std::cout << r.name << ": already " << r.frames_before << " frame (" << r.bytes_before
                << " bytes, " << r.samples << " samples)\n";
      continue;
    }
    std::cout << r.name << ": " << r.frames_before << " frames -> " << r.frames_after << ", "
              << r.bytes_before << " -> " << r.bytes_after << " bytes (" << r.samples
              << " samples, "
              << FormatFixed(r.samples ? static_cast<double>(r.bytes_after) / r.samples : 0, 3)
              << " bytes/sample)\n";
  }
  return code;
}

}  // namespace nanotdb::cli
