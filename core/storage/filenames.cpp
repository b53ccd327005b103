#include "storage/filenames.h"

#include <cstdio>
#include <vector>

#include "nanotdb/int128.h"
#include "nanotdb/time_util.h"

namespace nanotdb {
namespace {

constexpr std::string_view kDataPrefix = "data-";
constexpr std::string_view kDataSuffix = ".dat";
constexpr std::string_view kEventPrefix = "events-";
constexpr std::string_view kEventSuffix = ".evt";
constexpr std::string_view kTempSuffix = ".tmp";
constexpr std::string_view kQuarantineInfix = ".quarantine.";
constexpr std::string_view kForeverKey = "forever";

std::string Join(std::string_view a, std::string_view b) {
  std::string out(a);
  if (!out.empty() && out.back() != '/') out.push_back('/');
  out.append(b);
  return out;
}

bool ParseDigits(std::string_view s, int* out) {
  if (s.empty()) return false;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// A real calendar date survives the trip through a day number ("2026-02-30" does not).
bool IsValidDate(int y, unsigned m, unsigned d) {
  int y2;
  unsigned m2, d2;
  CivilFromDays(DaysFromCivil(y, m, d), &y2, &m2, &d2);
  return y2 == y && m2 == m && d2 == d;
}

// A key split into its fields; month/day are 0 when the key has none.
struct KeyFields {
  Partitioning mode;
  int year = 0;
  unsigned month = 0, day = 0;
};

bool SplitKey(std::string_view key, KeyFields* f) {
  if (key == kForeverKey) {
    f->mode = Partitioning::kForever;
    return true;
  }
  int y, m = 0, d = 0;
  if (key.size() == 4) {
    if (!ParseDigits(key, &y)) return false;
    f->mode = Partitioning::kYear;
  } else if (key.size() == 7 && key[4] == '-') {
    if (!ParseDigits(key.substr(0, 4), &y) || !ParseDigits(key.substr(5, 2), &m)) return false;
    f->mode = Partitioning::kMonth;
  } else if (key.size() == 10 && key[4] == '-' && key[7] == '-') {
    if (!ParseDigits(key.substr(0, 4), &y) || !ParseDigits(key.substr(5, 2), &m) ||
        !ParseDigits(key.substr(8, 2), &d)) {
      return false;
    }
    f->mode = Partitioning::kDay;
  } else {
    return false;
  }
  if (f->mode != Partitioning::kYear && (m < 1 || m > 12)) return false;
  if (f->mode == Partitioning::kDay &&
      (d < 1 || d > 31 || !IsValidDate(y, static_cast<unsigned>(m), static_cast<unsigned>(d)))) {
    return false;
  }
  f->year = y;
  f->month = static_cast<unsigned>(m);
  f->day = static_cast<unsigned>(d);
  return true;
}

Timestamp ClampToTimestamp(Int128 v) {
  if (v < kMinTimestamp) return kMinTimestamp;
  if (v > kMaxTimestamp) return kMaxTimestamp;
  return static_cast<Timestamp>(v);
}

}  // namespace

std::string DatabaseDir(std::string_view root, std::string_view db) { return Join(root, db); }

std::string WalPath(std::string_view root, std::string_view db) {
  return Join(DatabaseDir(root, db), std::string(db) + ".wal");
}

std::string CatalogPath(std::string_view root, std::string_view db) {
  return Join(DatabaseDir(root, db), "catalog.json");
}

std::string ManifestPath(std::string_view root, std::string_view db) {
  return Join(DatabaseDir(root, db), "manifest.toml");
}

std::string LockPath(std::string_view root) { return Join(root, ".lock"); }
std::string RunMarkerPath(std::string_view root) { return Join(root, ".running"); }

std::string DataFilePath(std::string_view root, std::string_view db, std::string_view key) {
  return Join(DatabaseDir(root, db), DataFileName(key));
}

namespace {

std::string KeyedName(std::string_view prefix, std::string_view key, std::string_view suffix) {
  std::string out(prefix);
  out.append(key);
  out.append(suffix);
  return out;
}

bool ParseKeyedName(std::string_view name, std::string_view prefix, std::string_view suffix,
                    std::string* key) {
  if (name.size() < prefix.size() + suffix.size() || !name.starts_with(prefix) ||
      !name.ends_with(suffix)) {
    return false;
  }
  std::string_view k = name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  KeyFields f;
  if (!SplitKey(k, &f)) return false;
  key->assign(k);
  return true;
}

constexpr std::string_view kMetricPrefix = "metric-";
constexpr std::string_view kMetricSuffix = ".ntm";
constexpr std::string_view kRawPrefix = "raw-";

}  // namespace

std::string MetricFileName(std::string_view key) {
  return KeyedName(kMetricPrefix, key, kMetricSuffix);
}
std::string MetricFilePath(std::string_view root, std::string_view db, std::string_view key) {
  return Join(DatabaseDir(root, db), MetricFileName(key));
}
bool ParseMetricFileName(std::string_view name, std::string* key) {
  return ParseKeyedName(name, kMetricPrefix, kMetricSuffix, key);
}
std::string ReplacedRawName(std::string_view key) {
  return KeyedName(kRawPrefix, key, kDataSuffix);
}
std::string ReplacedRawPath(std::string_view root, std::string_view db, std::string_view key) {
  return Join(DatabaseDir(root, db), ReplacedRawName(key));
}
bool ParseReplacedRawName(std::string_view name, std::string* key) {
  return ParseKeyedName(name, kRawPrefix, kDataSuffix, key);
}

std::string DataFileName(std::string_view key) {
  std::string out(kDataPrefix);
  out.append(key);
  out.append(kDataSuffix);
  return out;
}

bool ParseDataFileName(std::string_view name, std::string* key) {
  if (name.size() < kDataPrefix.size() + kDataSuffix.size() || !name.starts_with(kDataPrefix) ||
      !name.ends_with(kDataSuffix)) {
    return false;
  }
  std::string_view k =
      name.substr(kDataPrefix.size(), name.size() - kDataPrefix.size() - kDataSuffix.size());
  KeyFields f;
  if (!SplitKey(k, &f)) return false;
  key->assign(k);
  return true;
}

std::string EventFilePath(std::string_view root, std::string_view db, std::string_view key) {
  return Join(DatabaseDir(root, db), EventFileName(key));
}

std::string EventFileName(std::string_view key) {
  std::string out(kEventPrefix);
  out.append(key);
  out.append(kEventSuffix);
  return out;
}

bool ParseEventFileName(std::string_view name, std::string* key) {
  if (name.size() < kEventPrefix.size() + kEventSuffix.size() || !name.starts_with(kEventPrefix) ||
      !name.ends_with(kEventSuffix)) {
    return false;
  }
  std::string_view k =
      name.substr(kEventPrefix.size(), name.size() - kEventPrefix.size() - kEventSuffix.size());
  KeyFields f;
  if (!SplitKey(k, &f)) return false;
  key->assign(k);
  return true;
}

std::string QuarantinePath(std::string_view path, uint64_t offset) {
  std::string out(path);
  out.append(kQuarantineInfix);
  out.append(std::to_string(offset));
  return out;
}

bool ParseQuarantineName(std::string_view name, std::string* data_file, uint64_t* offset) {
  const size_t at = name.rfind(kQuarantineInfix);
  if (at == std::string_view::npos || at == 0) return false;
  const std::string_view digits = name.substr(at + kQuarantineInfix.size());
  if (digits.empty() || digits.size() > 19) return false;
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  data_file->assign(name.substr(0, at));
  *offset = v;
  return true;
}

std::string TempFilePath(std::string_view path) {
  std::string out(path);
  out.append(kTempSuffix);
  return out;
}

bool IsTempFileName(std::string_view name) {
  return name.size() > kTempSuffix.size() && name.ends_with(kTempSuffix);
}

std::string PartitionKey(Partitioning mode, Timestamp ts) {
  if (mode == Partitioning::kForever) return std::string(kForeverKey);
  int64_t days = ts / kDay;
  if (ts % kDay < 0) --days;  // floor: 1969-12-31T23:59 belongs to 1969-12-31
  int y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[16];
  switch (mode) {
    case Partitioning::kDay:
      std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", y, m, d);
      break;
    case Partitioning::kMonth:
      std::snprintf(buf, sizeof buf, "%04d-%02u", y, m);
      break;
    default:
      std::snprintf(buf, sizeof buf, "%04d", y);
      break;
  }
  return buf;
}

bool ParsePartitionKey(std::string_view key, Partitioning* mode) {
  KeyFields f;
  if (!SplitKey(key, &f)) return false;
  *mode = f.mode;
  return true;
}

bool PartitionRange(Partitioning mode, std::string_view key, Timestamp* start, Timestamp* end) {
  KeyFields f;
  if (!SplitKey(key, &f) || f.mode != mode) return false;
  if (mode == Partitioning::kForever) {
    *start = kMinTimestamp;
    *end = kMaxTimestamp;
    return true;
  }
  int64_t first_day, next_day;
  switch (mode) {
    case Partitioning::kDay:
      first_day = DaysFromCivil(f.year, f.month, f.day);
      next_day = first_day + 1;
      break;
    case Partitioning::kMonth:
      first_day = DaysFromCivil(f.year, f.month, 1);
      next_day =
          f.month == 12 ? DaysFromCivil(f.year + 1, 1, 1) : DaysFromCivil(f.year, f.month + 1, 1);
      break;
    default:
      first_day = DaysFromCivil(f.year, 1, 1);
      next_day = DaysFromCivil(f.year + 1, 1, 1);
      break;
  }
  Int128 s = static_cast<Int128>(first_day) * kDay;
  Int128 e = static_cast<Int128>(next_day) * kDay;
  if (e <= kMinTimestamp || s > kMaxTimestamp) return false;  // holds no representable time
  *start = ClampToTimestamp(s);
  *end = ClampToTimestamp(e);
  return true;
}

bool IsDatabaseDir(Env* env, const std::string& path) {
  std::vector<std::string> names;
  if (!env->GetChildren(path, &names).ok()) return false;
  std::string wal = BaseName(path) + ".wal";
  std::string key;
  for (const std::string& name : names) {
    if (name == "manifest.toml" || name == "catalog.json" || name == wal ||
        ParseDataFileName(name, &key) || ParseMetricFileName(name, &key) ||
        ParseEventFileName(name, &key)) {
      return true;
    }
  }
  return false;
}

std::string DirName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.find_last_of('/');
  if (slash == std::string_view::npos) return ".";
  if (slash == 0) return "/";
  return std::string(path.substr(0, slash));
}

std::string BaseName(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace nanotdb
