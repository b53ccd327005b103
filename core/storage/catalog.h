// Catalog: the metric registry of one database, kept in <db>/catalog.json (docs/format/
// catalog.md). Maps metric names to ids (1, 2, 3, ... in order of first write, never reused)
// and fixed value types.
//
// Not thread-safe: the owning database serialises calls. Pointers returned by Find, FindById
// and Add point into the catalog and stay valid until the next Add or Restore.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "nanotdb/env.h"
#include "nanotdb/status.h"
#include "nanotdb/types.h"
#include "storage/wal.h"

namespace nanotdb {

struct CatalogEntry {
  std::string name;
  MetricId id = 0;
  ValueType type = ValueType::kFloat64;  // always int64 or float64 in memory
  bool operator==(const CatalogEntry&) const = default;
};

class Catalog {
 public:
  Catalog() = default;

  // Reads and validates `path`. A missing file is an empty catalog. A file that is not valid
  // JSON, has the wrong format name or version, or holds a bad entry (empty or over-long name,
  // id outside 1..kMaxMetricId, unknown type, duplicate name or id) is Corruption naming the
  // file and the entry. Entries of an older build typed int32 / float32 are loaded as int64 /
  // float64 (the data files' 4-byte columns widen exactly when read) and the catalog is
  // dirty, so the next Save writes the upgraded types.
  static Result<Catalog> Load(Env* env, const std::string& path);
  // The file contents Save writes: pretty JSON sorted by name, trailing newline.
  std::string Render() const;
  // Writes Render() with WriteFileAtomically; clears dirty() on success.
  Status Save(Env* env, const std::string& path);

  const CatalogEntry* Find(std::string_view name) const;  // nullptr when unknown
  const CatalogEntry* FindById(MetricId id) const;        // nullptr when unknown
  // Registers a new metric with the next id (largest id + 1). AlreadyExists when the name is
  // taken; InvalidArgument when the name is empty, longer than 255 bytes or not valid UTF-8
  // (the file is JSON), or the id space (kMaxMetricId, wal.h) is exhausted. Other name rules
  // are the write path's (ValidateMetricName).
  // A 4-byte type is registered as its 64-bit type.
  Result<const CatalogEntry*> Add(std::string_view name, ValueType type);
  // Forgets the metrics added since the catalog held `size` entries (the newest ids), so a
  // write whose WAL record failed leaves no metric behind that the WAL never defined. Only
  // for undoing Add; no-op when size() <= size.
  void RollBackTo(size_t size);
  // Re-creates a metric defined in the WAL. OK when the catalog already has exactly this
  // entry (types compared after widening); Corruption when the id or the name is taken by a
  // different entry or the types differ.
  Status Restore(const WalMetricDef& def);
  // Gives metric `id` another name (its id, type and data stay): how an older spelling of a
  // series key becomes canonical. AlreadyExists when the name is taken, NotFound for an
  // unknown id; the catalog is dirty afterwards.
  Status Rename(MetricId id, std::string name);

  const std::vector<CatalogEntry>& entries() const { return entries_; }  // ascending id
  bool dirty() const { return dirty_; }
  size_t size() const { return entries_.size(); }

 private:
  void Insert(CatalogEntry entry);  // keeps entries_ sorted by id and by_name_ in step

  std::vector<CatalogEntry> entries_;  // ascending id
  // Hashes string_view and string alike so Find looks up without allocating.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, size_t, NameHash, std::equal_to<>>
      by_name_;  // name -> index in entries_
  bool dirty_ = false;
};

}  // namespace nanotdb
