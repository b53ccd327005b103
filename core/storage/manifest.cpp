#include "storage/manifest.h"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <set>
#include <utility>

#include "nanotdb/time_util.h"

namespace nanotdb {
namespace {

// Ranges of the numeric keys; documented in RenderManifest and docs/format/manifest.md.
constexpr int64_t kMaxRetentionDays = 36500;
constexpr int64_t kMaxActivePartitions = 1000;
constexpr int64_t kMaxPageRecords = 1 << 20;
constexpr int64_t kMinPageBytes = 4096;
constexpr int64_t kMaxPageBytes = int64_t{1} << 30;
constexpr int64_t kMinPageAge = kSecond;
constexpr int64_t kMaxPageAge = 365 * kDay;
constexpr int64_t kMaxSkipBefore = 36500 * kDay;

// Sections other components own: not ours to warn about.
const std::set<std::string, std::less<>> kPluginSections = {"rollups", "metricfiles"};

class Applier {
 public:
  // Warnings are (line, text): toml++ iterates keys in name order, callers want file order.
  using Warnings = std::vector<std::pair<uint32_t, std::string>>;
  Applier(std::string_view source, ManifestSettings* s, Warnings* warnings)
      : source_(source), s_(s), warnings_(warnings) {}

  Status Apply(const toml::table& root) {
    for (auto&& [key, node] : root) {
      std::string_view k = key.str();
      if (k == "format_version") {
        NANOTDB_RETURN_IF_ERROR(FormatVersion(node));
      } else if (k == "retention" || k == "wal" || k == "page") {
        const toml::table* section = node.as_table();
        if (section == nullptr) return Error(node, k, "expected a [" + std::string(k) + "] table");
        NANOTDB_RETURN_IF_ERROR(Section(k, *section));
      } else if (!kPluginSections.contains(k)) {
        Warn(key.source(), std::string(k));
      }
    }
    return Status::Ok();
  }

 private:
  Status Section(std::string_view section, const toml::table& table) {
    for (auto&& [key, node] : table) {
      std::string name = std::string(section) + "." + std::string(key.str());
      Status s = Key(name, node);
      if (s.IsNotFound()) {
        Warn(key.source(), name);
        continue;
      }
      NANOTDB_RETURN_IF_ERROR(s);
    }
    return Status::Ok();
  }

  // NotFound for a key we do not know.
  Status Key(const std::string& name, const toml::node& node) {
    if (name == "retention.partition") {
      NANOTDB_ASSIGN_OR_RETURN(std::string v, String(node, name));
      if (!ParsePartitioning(v, &s_->partition)) {
        return Error(node, name, "\"" + v + "\" is not one of day, month, year, forever");
      }
    } else if (name == "retention.retention_days") {
      NANOTDB_ASSIGN_OR_RETURN(int64_t v, Integer(node, name, 1, kMaxRetentionDays));
      s_->retention_days = static_cast<int>(v);
    } else if (name == "retention.retention_action") {
      NANOTDB_ASSIGN_OR_RETURN(std::string v, String(node, name));
      if (!ParseRetentionAction(v, &s_->retention_action)) {
        return Error(node, name, "\"" + v + "\" is not one of keep, delete");
      }
    } else if (name == "retention.max_active_partitions") {
      NANOTDB_ASSIGN_OR_RETURN(int64_t v, Integer(node, name, 1, kMaxActivePartitions));
      s_->max_active_partitions = static_cast<int>(v);
    } else if (name == "wal.enabled") {
      const auto* v = node.as_boolean();
      if (v == nullptr) return Error(node, name, "expected true or false");
      s_->wal_enabled = v->get();
    } else if (name == "wal.skip_before") {
      NANOTDB_ASSIGN_OR_RETURN(s_->wal_skip_before, Duration(node, name, 0, kMaxSkipBefore));
    } else if (name == "page.max_records") {
      NANOTDB_ASSIGN_OR_RETURN(int64_t v, Integer(node, name, 1, kMaxPageRecords));
      s_->page_max_records = static_cast<uint32_t>(v);
    } else if (name == "page.max_bytes") {
      NANOTDB_ASSIGN_OR_RETURN(int64_t v, Integer(node, name, kMinPageBytes, kMaxPageBytes));
      s_->page_max_bytes = static_cast<uint64_t>(v);
    } else if (name == "page.max_age") {
      NANOTDB_ASSIGN_OR_RETURN(s_->page_max_age, Duration(node, name, kMinPageAge, kMaxPageAge));
    } else {
      return Status::NotFound(name);
    }
    return Status::Ok();
  }

  Status FormatVersion(const toml::node& node) {
    const auto* v = node.as_integer();
    if (v == nullptr) return Error(node, "format_version", "expected an integer");
    if (v->get() != kManifestFormatVersion) {
      return Error(node, "format_version",
                   std::to_string(v->get()) + " is not supported (this build reads " +
                       std::to_string(kManifestFormatVersion) + ")");
    }
    return Status::Ok();
  }

  Result<std::string> String(const toml::node& node, const std::string& name) {
    const auto* v = node.as_string();
    if (v == nullptr) return Error(node, name, "expected a string, got " + TypeOf(node));
    return v->get();
  }

  Result<int64_t> Integer(const toml::node& node, const std::string& name, int64_t lo, int64_t hi) {
    const auto* v = node.as_integer();
    if (v == nullptr) return Error(node, name, "expected an integer, got " + TypeOf(node));
    int64_t x = v->get();
    if (x < lo || x > hi) {
      return Error(node, name,
                   std::to_string(x) + " is out of range (" + std::to_string(lo) + ".." +
                       std::to_string(hi) + ")");
    }
    return x;
  }

  Result<int64_t> Duration(const toml::node& node, const std::string& name, int64_t lo,
                           int64_t hi) {
    const auto* v = node.as_string();
    if (v == nullptr) {
      return Error(node, name,
                   "expected a duration string such as \"10s\" or \"2h\", got " + TypeOf(node));
    }
    auto d = ParseDuration(v->get());
    if (!d.ok()) return Error(node, name, d.status().message());
    if (*d < lo || *d > hi) {
      return Error(node, name,
                   "\"" + v->get() + "\" is out of range (" + FormatDuration(lo) + ".." +
                       FormatDuration(hi) + ")");
    }
    return *d;
  }

  static std::string TypeOf(const toml::node& node) {
    switch (node.type()) {
      case toml::node_type::string:
        return "a string";
      case toml::node_type::integer:
        return "an integer";
      case toml::node_type::floating_point:
        return "a number";
      case toml::node_type::boolean:
        return "a boolean";
      case toml::node_type::table:
        return "a table";
      case toml::node_type::array:
        return "an array";
      default:
        return "a date/time";
    }
  }

  std::string Where(const toml::source_region& region) const {
    return std::string(source_) + ":" + std::to_string(region.begin.line);
  }

  Status Error(const toml::node& node, std::string_view name, const std::string& what) const {
    return Status::InvalidArgument(Where(node.source()) + ": " + std::string(name) + ": " + what);
  }

  void Warn(const toml::source_region& region, const std::string& name) {
    warnings_->emplace_back(region.begin.line,
                            Where(region) + ": unknown key " + name + " (ignored)");
  }

  std::string_view source_;
  ManifestSettings* s_;
  Warnings* warnings_;
};

}  // namespace

Status ApplyManifestTable(const toml::table& table, std::string_view source,
                          ManifestSettings* inout, std::vector<std::string>* warnings) {
  ManifestSettings updated = *inout;
  Applier::Warnings found;
  NANOTDB_RETURN_IF_ERROR(Applier(source, &updated, &found).Apply(table));
  *inout = updated;
  std::stable_sort(found.begin(), found.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (warnings != nullptr) {
    for (auto& w : found) warnings->push_back(std::move(w.second));
  }
  return Status::Ok();
}

Status LoadManifest(Env* env, const std::string& path, ManifestSettings* inout,
                    std::vector<std::string>* warnings) {
  std::string text;
  NANOTDB_RETURN_IF_ERROR(env->ReadFileToString(path, &text));
  toml::table table;
  try {
    table = toml::parse(text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(path + ":" + std::to_string(e.source().begin.line) + ": " +
                                   std::string(e.description()));
  }
  return ApplyManifestTable(table, path, inout, warnings);
}

std::string RenderManifest(const ManifestSettings& s) {
  std::string out;
  out += "# NanoTDB database manifest: the settings of this database.\n";
  out += "# Edit by hand; changes apply when the database is next opened.\n";
  out += "format_version = " + std::to_string(kManifestFormatVersion) + "\n";
  out += "\n[retention]\n";
  out += "# How samples are split into data files: \"day\", \"month\", \"year\" (UTC) or\n";
  out += "# \"forever\". Changing it applies to new partitions only.\n";
  out += "partition = \"" + std::string(PartitioningName(s.partition)) + "\"\n";
  out += "# A partition expires once its END is this many days old (1..36500).\n";
  out += "retention_days = " + std::to_string(s.retention_days) + "\n";
  out += "# What happens to an expired partition: \"keep\" (nothing) or \"delete\" (its files\n";
  out += "# are removed).\n";
  out += "retention_action = \"" + std::string(RetentionActionName(s.retention_action)) + "\"\n";
  out += "# How many partitions may hold an open in-memory page at once (1..1000); a write to\n";
  out += "# one more flushes the oldest.\n";
  out += "max_active_partitions = " + std::to_string(s.max_active_partitions) + "\n";
  out += "\n[wal]\n";
  out += "# Log every write to <db>.wal first, so a crash loses nothing that was accepted.\n";
  out += "enabled = " + std::string(s.wal_enabled ? "true" : "false") + "\n";
  out += "# Samples older than now minus this skip the WAL (bulk backfill; lost if the\n";
  out += "# process dies before their page is flushed). \"0s\" logs everything.\n";
  out += "skip_before = \"" + FormatDuration(s.wal_skip_before) + "\"\n";
  out += "\n[page]\n";
  out += "# An open page is written to its partition's data file as one frame when any of\n";
  out += "# these limits is reached. Larger pages compress better and wear the card less;\n";
  out += "# the WAL protects what they hold until then.\n";
  out += "# Samples in a page (1..1048576).\n";
  out += "max_records = " + std::to_string(s.page_max_records) + "\n";
  out += "# Memory of a page, estimated at 12 bytes per sample (4096..1073741824).\n";
  out += "max_bytes = " + std::to_string(s.page_max_bytes) + "\n";
  out += "# Longest time a page stays open (1s..365d); checked by a timer, not only on write.\n";
  out += "max_age = \"" + FormatDuration(s.page_max_age) + "\"\n";
  return out;
}

Status SaveManifest(Env* env, const std::string& path, const ManifestSettings& settings) {
  return WriteFileAtomically(env, path, RenderManifest(settings));
}

}  // namespace nanotdb
