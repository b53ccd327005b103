#include "storage/recover.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "storage/catalog.h"
#include "storage/data_file.h"
#include "storage/filenames.h"
#include "storage/frame.h"
#include "storage/frame_format.h"
#include "storage/manifest.h"
#include "storage/wal.h"

namespace nanotdb {
namespace {

// What one scan of a data file found. Holds headers and verdicts, not samples, so a
// database of many partitions is scanned in bounded memory.
struct ScannedFile {
  std::string key, path;
  uint64_t bytes = 0;
  uint16_t version = 0;
  std::vector<FrameIndexEntry> frames;
  std::vector<DamagedRegion> damaged;
  std::vector<MetricName> names;
  std::vector<std::vector<bool>> column_ok;  // per frame, per header column
  std::vector<uint32_t> repaired;            // per frame: > 0 when its repair bytes fixed any
  std::vector<LostData> lost_columns;        // metric filled in once names are known
  std::vector<MetricId> lost_ids;            // parallel to lost_columns
  std::map<MetricId, ValueType> ids;         // kept metrics and their (widened) types
  uint64_t kept_samples = 0;
  Timestamp kept_min = 0, kept_max = 0;
  bool frame_lost_column(size_t i) const {
    return std::find(column_ok[i].begin(), column_ok[i].end(), false) != column_ok[i].end();
  }
};

Status ScanDataFile(Env* env, ScannedFile* f) {
  NANOTDB_ASSIGN_OR_RETURN(auto reader, DataFileReader::Open(env, f->path));
  NANOTDB_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(f->path));
  f->bytes = reader->file_bytes();
  f->version = reader->version();
  f->frames = reader->frames();
  f->damaged = reader->damaged();
  f->names = reader->names();
  f->column_ok.resize(f->frames.size());
  f->repaired.resize(f->frames.size());
  std::string frame;
  std::vector<Sample> samples;
  for (size_t i = 0; i < f->frames.size(); ++i) {
    const FrameIndexEntry& e = f->frames[i];
    NANOTDB_RETURN_IF_ERROR(file->Read(e.offset, e.header.frame_bytes, &frame));
    f->repaired[i] = e.header.repaired_bytes;
    for (const FrameColumnInfo& c : e.header.columns) {
      samples.clear();
      Status st = DecodeFrameColumn(frame, e.header, c.id, &samples, &f->repaired[i]);
      f->column_ok[i].push_back(st.ok());
      if (st.ok()) {
        f->ids.emplace(c.id, WidenType(c.type));
        const bool first = f->kept_samples == 0;
        f->kept_samples += samples.size();
        f->kept_min = first ? c.min_ts : std::min(f->kept_min, c.min_ts);
        f->kept_max = first ? c.max_ts : std::max(f->kept_max, c.max_ts);
        continue;
      }
      f->lost_columns.push_back(
          LostData{"", e.offset, 0, c.min_ts, c.max_ts, c.count, st.message()});
      f->lost_ids.push_back(c.id);
    }
  }
  return Status::Ok();
}

// Writes `bytes` to the quarantine file for `offset` unless the same bytes are already there
// (a previous recover); a different file there is kept and a numbered name used instead.
Result<std::string> Quarantine(Env* env, const std::string& path, uint64_t offset,
                               std::string_view bytes, bool dry_run) {
  std::string aside = QuarantinePath(path, offset);
  for (int n = 1;; ++n) {
    if (!env->FileExists(aside)) break;
    std::string existing;
    NANOTDB_RETURN_IF_ERROR(env->ReadFileToString(aside, &existing));
    if (existing == bytes) return aside;
    aside = QuarantinePath(path, offset) + "-" + std::to_string(n);
  }
  if (!dry_run) NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(env, aside, bytes));
  return aside;
}

std::string ColumnsText(size_t n) { return std::to_string(n) + (n == 1 ? " column" : " columns"); }

}  // namespace

bool RecoverReport::changed() const {
  if (catalog != "intact") return true;
  return std::any_of(files.begin(), files.end(), [](const RecoveredFile& f) {
    return f.action == "rewritten" || f.action == "would rewrite";
  });
}

Status RecoverDatabase(Env* env, const std::string& root, const std::string& db,
                       const RecoverOptions& options, RecoverReport* report) {
  *report = RecoverReport{};
  report->db = db;
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(db));
  const std::string dir = DatabaseDir(root, db);
  if (!env->DirExists(dir)) return Status::NotFound("database \"" + db + "\" does not exist");

  // Names, by source.
  const std::string catalog_path = CatalogPath(root, db);
  std::optional<Catalog> catalog;
  if (!env->FileExists(catalog_path)) {
    report->catalog_problem = catalog_path + " is missing";
  } else if (auto loaded = Catalog::Load(env, catalog_path); loaded.ok()) {
    catalog = std::move(*loaded);
  } else {
    report->catalog_problem = loaded.status().message();
  }
  std::map<MetricId, WalMetricDef> wal_defs;
  const std::string wal_path = WalPath(root, db);
  if (env->FileExists(wal_path)) {
    WalReadReport wr;
    Status st = ReadWal(
        env, wal_path,
        [&](const WalBatch& b) {
          for (const WalMetricDef& d : b.new_metrics) wal_defs.emplace(d.id, d);
          return Status::Ok();
        },
        &wr);
    if (!st.ok()) report->notes.push_back("WAL " + wal_path + ": " + st.message());
  }

  std::vector<std::string> children;
  NANOTDB_RETURN_IF_ERROR(env->GetChildren(dir, &children));
  std::vector<std::string> keys;
  for (const std::string& child : children) {
    std::string key;
    if (ParseDataFileName(child, &key)) keys.push_back(key);
  }
  std::sort(keys.begin(), keys.end());

  std::vector<ScannedFile> files(keys.size());
  std::map<MetricId, MetricName> from_files;  // first name record wins
  std::map<MetricId, ValueType> frame_types;
  for (size_t i = 0; i < keys.size(); ++i) {
    ScannedFile& f = files[i];
    f.key = keys[i];
    f.path = DataFilePath(root, db, f.key);
    if (options.progress) options.progress(i, keys.size(), DataFileName(f.key));
    Status st = ScanDataFile(env, &f);
    if (!st.ok()) {
      if (st.code() == Status::Code::kIOError) return st;
      f.path.clear();  // left untouched
      RecoveredFile rf;
      rf.name = DataFileName(f.key);
      rf.action = "left untouched";
      rf.why = st.message();
      auto size = env->GetFileSize(f.path);
      rf.bytes_before = rf.bytes_after = size.ok() ? *size : 0;
      report->files.push_back(std::move(rf));
      continue;
    }
    for (const MetricName& m : f.names) from_files.emplace(m.id, m);
    for (const auto& [id, type] : f.ids) frame_types.emplace(id, type);
  }
  if (options.progress) options.progress(keys.size(), keys.size(), "");

  // One name per id: catalog, then name records, then the WAL, then a placeholder.
  std::map<MetricId, MetricName> names;
  std::set<std::string> taken;
  auto claim = [&](MetricId id, ValueType type, std::string name) {
    if (taken.count(name) > 0) {
      report->notes.push_back("metric id " + std::to_string(id) + ": name \"" + name +
                              "\" is taken by another id; named \"" + name + ".id" +
                              std::to_string(id) + "\"");
      name += ".id" + std::to_string(id);
    }
    taken.insert(name);
    names.emplace(id, MetricName{id, WidenType(type), std::move(name)});
  };
  if (catalog) {
    for (const CatalogEntry& e : catalog->entries()) {
      claim(e.id, e.type, e.name);
      ++report->named_by_catalog;
    }
  }
  for (const auto& [id, m] : from_files) {
    auto known = names.find(id);
    if (known != names.end()) {
      if (known->second.name != m.name) {
        report->notes.push_back("metric id " + std::to_string(id) + ": the catalog says \"" +
                                known->second.name + "\", a data file \"" + m.name +
                                "\"; kept the catalog's");
      }
      continue;
    }
    claim(id, m.type, m.name);
    ++report->named_by_files;
  }
  for (const auto& [id, d] : wal_defs) {
    if (names.count(id) > 0) continue;
    claim(id, d.type, d.name);
    ++report->named_by_wal;
  }
  for (const auto& [id, type] : frame_types) {
    if (names.count(id) > 0) continue;
    const std::string placeholder = "recovered.id" + std::to_string(id);
    claim(id, type, placeholder);
    report->unnamed.push_back(placeholder);
  }
  auto name_of = [&](MetricId id) { return names.at(id).name; };

  // The catalog: rebuilt when unreadable or when the data files hold ids it (with the WAL's
  // definitions, which the engine replays) does not name.
  bool rebuild = !catalog.has_value();
  if (catalog) {
    for (const auto& [id, type] : frame_types) {
      if (catalog->FindById(id) == nullptr && wal_defs.count(id) == 0) {
        rebuild = true;
        report->catalog_problem =
            catalog_path + " lacks metric id " + std::to_string(id) + " held by the data files";
        break;
      }
    }
  }
  if (!rebuild) {
    report->metrics = catalog->size();
  } else {
    Catalog rebuilt;
    for (const auto& [id, m] : names) {
      NANOTDB_RETURN_IF_ERROR(rebuilt.Restore(WalMetricDef{id, m.type, m.name}));
    }
    report->metrics = rebuilt.size();
    report->catalog = options.dry_run ? "would rebuild" : "rebuilt";
    if (!options.dry_run) NANOTDB_RETURN_IF_ERROR(rebuilt.Save(env, catalog_path));
  }

  // The data files.
  for (ScannedFile& f : files) {
    if (f.path.empty()) continue;
    RecoveredFile rf;
    rf.name = DataFileName(f.key);
    rf.bytes_before = f.bytes;
    rf.frames = f.frames.size();
    rf.kept_samples = f.kept_samples;
    rf.kept_min = f.kept_min;
    rf.kept_max = f.kept_max;
    for (const auto& [id, type] : f.ids) rf.kept_metrics.push_back(name_of(id));
    std::sort(rf.kept_metrics.begin(), rf.kept_metrics.end());
    for (size_t i = 0; i < f.lost_columns.size(); ++i) {
      LostData l = f.lost_columns[i];
      l.metric = name_of(f.lost_ids[i]);
      rf.lost_samples += l.samples;
      rf.lost.push_back(std::move(l));
    }
    std::vector<std::string> why;
    std::vector<const DamagedRegion*> aside;
    for (const DamagedRegion& d : f.damaged) {
      if (d.torn) {
        why.push_back("torn last frame at offset " + std::to_string(d.offset) + " (" +
                      std::to_string(d.bytes) + " bytes) dropped");
        continue;
      }
      why.push_back("damaged region at offset " + std::to_string(d.offset));
      rf.lost.push_back(LostData{"", d.offset, d.bytes, 0, 0, 0, d.reason});
      if (d.offset > 0) aside.push_back(&d);  // a damaged file header holds nothing
    }
    if (!f.lost_columns.empty()) {
      why.push_back(ColumnsText(f.lost_columns.size()) + " failed their checks");
    }
    std::set<MetricId> named_here;
    for (const MetricName& m : f.names) named_here.insert(m.id);
    const bool unnamed = std::any_of(f.ids.begin(), f.ids.end(),
                                     [&](const auto& p) { return named_here.count(p.first) == 0; });
    const size_t repaired =
        std::count_if(f.repaired.begin(), f.repaired.end(), [](uint32_t n) { return n > 0; });
    if (repaired > 0) {
      why.push_back("damaged bytes repaired in " + std::to_string(repaired) +
                    (repaired == 1 ? " frame" : " frames"));
    }
    if (f.version < data_format::kFirstNameRecordVersion) {
      why.push_back("format version " + std::to_string(f.version) + " has no name records");
    } else if (f.version < data_format::kFirstRepairVersion) {
      why.push_back("format version " + std::to_string(f.version) + " has no repair bytes");
    } else if (unnamed) {
      why.push_back("metrics without a name record");
    }
    if (why.empty()) {
      rf.action = "intact";
      rf.bytes_after = rf.bytes_before;
      report->files.push_back(std::move(rf));
      continue;
    }
    for (const std::string& w : why) rf.why += (rf.why.empty() ? "" : "; ") + w;

    // Move aside what cannot be kept, then write the file anew from what can.
    std::string bytes;
    NANOTDB_RETURN_IF_ERROR(env->ReadFileToString(f.path, &bytes));
    if (bytes.size() != f.bytes) {
      return Status::Busy(f.path + " changed while it was recovered (" + std::to_string(f.bytes) +
                          " then " + std::to_string(bytes.size()) +
                          " bytes); is a server writing this root?");
    }
    for (const DamagedRegion* d : aside) {
      NANOTDB_ASSIGN_OR_RETURN(
          std::string q,
          Quarantine(env, f.path, d->offset, std::string_view(bytes).substr(d->offset, d->bytes),
                     options.dry_run));
      rf.quarantined.push_back(std::move(q));
    }
    std::string out = EncodeDataFileHeader();
    std::vector<MetricName> file_names;
    for (const auto& [id, type] : f.ids) file_names.push_back(names.at(id));
    if (!file_names.empty()) out += EncodeNameRecord(file_names);
    const bool current = f.version >= data_format::kFirstRepairVersion;
    for (size_t i = 0; i < f.frames.size(); ++i) {
      const FrameIndexEntry& e = f.frames[i];
      const std::string_view frame = std::string_view(bytes).substr(e.offset, e.header.frame_bytes);
      const bool damaged = f.frame_lost_column(i) || f.repaired[i] > 0;
      if (!damaged && current) {
        out.append(frame);
        continue;
      }
      // Damaged frames are kept aside as they were; frames of older versions are only
      // re-encoded (their columns are whole), so the file gets repair bytes throughout.
      if (damaged) {
        NANOTDB_ASSIGN_OR_RETURN(std::string q,
                                 Quarantine(env, f.path, e.offset, frame, options.dry_run));
        rf.quarantined.push_back(std::move(q));
      }
      std::vector<std::vector<Sample>> kept;
      std::vector<ColumnInput> cols;
      kept.reserve(e.header.columns.size());
      for (size_t c = 0; c < e.header.columns.size(); ++c) {
        if (!f.column_ok[i][c]) continue;
        const FrameColumnInfo& col = e.header.columns[c];
        kept.emplace_back();
        NANOTDB_RETURN_IF_ERROR(DecodeFrameColumn(frame, e.header, col.id, &kept.back()));
        cols.push_back(ColumnInput{col.id, WidenType(col.type), kept.back()});
      }
      if (!cols.empty()) NANOTDB_RETURN_IF_ERROR(EncodeFrame(cols, FrameOptions{}, &out));
    }
    rf.bytes_after = out.size();
    rf.action = options.dry_run ? "would rewrite" : "rewritten";
    if (!options.dry_run) NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(env, f.path, out));
    report->files.push_back(std::move(rf));
  }
  return Status::Ok();
}

Status CompactPartition(Env* env, const std::string& root, const std::string& db,
                        const std::string& key, Timestamp now, CompactResult* result) {
  *result = CompactResult{};
  result->name = DataFileName(key);
  NANOTDB_RETURN_IF_ERROR(ValidateDatabaseName(db));
  const std::string path = DataFilePath(root, db, key);
  if (!env->FileExists(path)) {
    return Status::NotFound("database \"" + db + "\" has no partition " + key + " (" + path + ")");
  }
  ManifestSettings manifest;
  const std::string manifest_path = ManifestPath(root, db);
  if (env->FileExists(manifest_path)) {
    std::vector<std::string> warnings;
    NANOTDB_RETURN_IF_ERROR(LoadManifest(env, manifest_path, &manifest, &warnings));
  }
  Timestamp start, end;
  if (!PartitionRange(manifest.partition, key, &start, &end)) {
    return Status::InvalidArgument("\"" + key + "\" is not a partition of database " + db +
                                   " (partitioning " +
                                   std::string(PartitioningName(manifest.partition)) + ")");
  }
  if (now >= start && now < end) {
    return Status::InvalidArgument("partition " + key +
                                   " is not sealed: it holds the current time and the engine "
                                   "still appends to it");
  }
  NANOTDB_ASSIGN_OR_RETURN(auto reader, DataFileReader::Open(env, path));
  result->bytes_before = reader->file_bytes();
  result->frames_before = reader->frames().size();
  bool damaged = false;
  for (const DamagedRegion& d : reader->damaged()) damaged |= !d.torn;
  if (damaged) {
    return Status::Corruption(path + " is damaged (" + reader->error() +
                              "); run `nanocli recover --root " + root + " --db " + db + "` first");
  }
  // Every metric's samples, in file order (frames of one metric never go back in time).
  std::map<MetricId, std::pair<ValueType, std::vector<Sample>>> columns;
  std::vector<std::pair<MetricId, std::vector<Sample>>> frame;
  for (size_t i = 0; i < reader->frames().size(); ++i) {
    Status st = reader->ReadFrame(i, &frame);
    if (!st.ok()) {
      return Status::Corruption(st.message() + "; run `nanocli recover --root " + root + " --db " +
                                db + "` first");
    }
    for (auto& [id, samples] : frame) {
      auto& col = columns[id];
      col.first = WidenType(reader->frames()[i].header.Find(id)->type);
      col.second.insert(col.second.end(), samples.begin(), samples.end());
    }
  }
  for (auto& [id, col] : columns) result->samples += col.second.size();
  if (result->frames_before <= 1) {
    result->frames_after = result->frames_before;
    result->bytes_after = result->bytes_before;
    return Status::Ok();
  }
  // Names: the file's own records, else the catalog.
  std::map<MetricId, MetricName> names;
  for (const MetricName& m : reader->names()) names.emplace(m.id, m);
  if (names.size() < columns.size() && env->FileExists(CatalogPath(root, db))) {
    auto catalog = Catalog::Load(env, CatalogPath(root, db));
    if (catalog.ok()) {
      for (const CatalogEntry& e : catalog->entries()) {
        names.emplace(e.id, MetricName{e.id, e.type, e.name});
      }
    }
  }
  std::string out = EncodeDataFileHeader();
  std::vector<MetricName> record;
  for (const auto& [id, col] : columns) {
    auto it = names.find(id);
    if (it != names.end()) record.push_back(it->second);
  }
  if (!record.empty()) out += EncodeNameRecord(record);
  // Frames of up to kMaxSamplesPerFrame, each holding a time slice of every metric.
  constexpr size_t kMaxSamplesPerFrame = 8u << 20;
  std::map<MetricId, size_t> next;  // per metric: first sample not yet written
  FrameOptions opts;
  opts.zstd_level = 19;
  for (;;) {
    std::vector<ColumnInput> cols;
    size_t budget = kMaxSamplesPerFrame;
    size_t per_metric = std::max<size_t>(1, budget / std::max<size_t>(1, columns.size()));
    for (auto& [id, col] : columns) {
      size_t& at = next[id];
      if (at >= col.second.size()) continue;
      size_t n = std::min(per_metric, col.second.size() - at);
      if (result->samples <= kMaxSamplesPerFrame) n = col.second.size() - at;
      cols.push_back(
          ColumnInput{id, col.first, std::span<const Sample>(col.second).subspan(at, n)});
      at += n;
    }
    if (cols.empty()) break;
    NANOTDB_RETURN_IF_ERROR(EncodeFrame(cols, opts, &out));
    ++result->frames_after;
  }
  result->bytes_after = out.size();
  result->rewritten = true;
  return WriteFileAtomically(env, path, out);
}

}  // namespace nanotdb
