#include "storage/catalog.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <algorithm>
#include <cstdio>

#include "nanotdb/series.h"

namespace nanotdb {
namespace {

constexpr std::string_view kFormatName = "nanotdb-catalog";
constexpr int kFormatVersion = 1;

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out->append(buf);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

// JSON strings are Unicode: a name must be valid UTF-8 to round-trip through the file.
bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMinForLength[4] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

}  // namespace

Result<Catalog> Catalog::Load(Env* env, const std::string& path) {
  Catalog catalog;
  std::string text;
  Status read = env->ReadFileToString(path, &text);
  if (read.IsNotFound()) return catalog;
  NANOTDB_RETURN_IF_ERROR(read);

  auto bad = [&path](const std::string& what) {
    return Status::Corruption(path + ": " + what + " (fix or restore the file; the metric " +
                              "names and ids must match the data files)");
  };
  Poco::JSON::Object::Ptr root;
  bool upgraded = false;  // some entry had a 4-byte type
  try {
    Poco::JSON::Parser parser;
    Poco::Dynamic::Var parsed = parser.parse(text);
    if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return bad("not a JSON object");
    root = parsed.extract<Poco::JSON::Object::Ptr>();
  } catch (const Poco::Exception& e) {
    return bad("not valid JSON: " + e.displayText());
  } catch (const std::exception& e) {
    return bad(std::string("not valid JSON: ") + e.what());
  }

  try {
    Poco::Dynamic::Var format = root->get("format");
    if (format.isEmpty() || !format.isString() || format.toString() != kFormatName) {
      return bad("not a NanoTDB catalog (\"format\" must be \"" + std::string(kFormatName) + "\")");
    }
    Poco::Dynamic::Var version = root->get("version");
    if (version.isEmpty() || !version.isInteger() || version.convert<int64_t>() != kFormatVersion) {
      return bad("catalog version " + (version.isEmpty() ? "<missing>" : version.toString()) +
                 " is not supported (this build reads version " + std::to_string(kFormatVersion) +
                 ")");
    }
    Poco::JSON::Array::Ptr metrics = root->getArray("metrics");
    if (metrics.isNull()) return bad("\"metrics\" must be an array");
    for (size_t i = 0; i < metrics->size(); ++i) {
      std::string where = "metric #" + std::to_string(i + 1);
      Poco::JSON::Object::Ptr m = metrics->getObject(static_cast<unsigned>(i));
      if (m.isNull()) return bad(where + " is not an object");
      Poco::Dynamic::Var name = m->get("name"), id = m->get("id"), type = m->get("type");
      if (name.isEmpty() || !name.isString() || name.toString().empty()) {
        return bad(where + " has an empty or missing name");
      }
      CatalogEntry entry;
      entry.name = name.toString();
      where += " (" + Quoted(entry.name) + ")";
      if (entry.name.size() > kMaxSeriesKeyBytes) {
        return bad(where + ": name longer than " + std::to_string(kMaxSeriesKeyBytes) + " bytes");
      }
      if (id.isEmpty() || !id.isInteger()) return bad(where + ": id must be an integer");
      int64_t id_value = id.convert<int64_t>();
      if (id_value < 1 || id_value > static_cast<int64_t>(kMaxMetricId)) {
        return bad(where + ": id " + std::to_string(id_value) + " is out of range (1.." +
                   std::to_string(kMaxMetricId) + ")");
      }
      entry.id = static_cast<MetricId>(id_value);
      if (type.isEmpty() || !type.isString() || !ParseValueType(type.toString(), &entry.type)) {
        return bad(where + ": type " + (type.isEmpty() ? "<missing>" : type.toString()) +
                   " is unknown (expected \"int64\" or \"float64\")");
      }
      // An older build's 4-byte types are upgraded in memory (their stored values widen
      // exactly) and written back as 64-bit types at the next save.
      upgraded |= WidenType(entry.type) != entry.type;
      entry.type = WidenType(entry.type);
      if (const CatalogEntry* other = catalog.Find(entry.name)) {
        return bad(where + ": duplicate name (ids " + std::to_string(other->id) + " and " +
                   std::to_string(entry.id) + ")");
      }
      if (const CatalogEntry* other = catalog.FindById(entry.id)) {
        return bad(where + ": duplicate id " + std::to_string(entry.id) + " (also " +
                   Quoted(other->name) + ")");
      }
      catalog.Insert(std::move(entry));
    }
  } catch (const Poco::Exception& e) {
    return bad("unexpected structure: " + e.displayText());
  } catch (const std::exception& e) {
    return bad(std::string("unexpected structure: ") + e.what());
  }
  catalog.dirty_ = upgraded;
  return catalog;
}

std::string Catalog::Render() const {
  std::vector<const CatalogEntry*> by_name;
  by_name.reserve(entries_.size());
  for (const CatalogEntry& e : entries_) by_name.push_back(&e);
  std::sort(by_name.begin(), by_name.end(),
            [](const CatalogEntry* a, const CatalogEntry* b) { return a->name < b->name; });
  std::string out = "{\n  \"format\": \"" + std::string(kFormatName) +
                    "\",\n  \"version\": " + std::to_string(kFormatVersion) + ",\n  \"metrics\": [";
  for (size_t i = 0; i < by_name.size(); ++i) {
    out += i == 0 ? "\n    {\"name\": " : ",\n    {\"name\": ";
    AppendJsonString(&out, by_name[i]->name);
    out += ", \"id\": " + std::to_string(by_name[i]->id) + ", \"type\": \"" +
           ValueTypeName(by_name[i]->type) + "\"}";
  }
  out += by_name.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

Status Catalog::Save(Env* env, const std::string& path) {
  NANOTDB_RETURN_IF_ERROR(WriteFileAtomically(env, path, Render()));
  dirty_ = false;
  return Status::Ok();
}

const CatalogEntry* Catalog::Find(std::string_view name) const {
  auto it = by_name_.find(name);
  return it == by_name_.end() ? nullptr : &entries_[it->second];
}

const CatalogEntry* Catalog::FindById(MetricId id) const {
  if (id >= 1 && id <= entries_.size() && entries_[id - 1].id == id) return &entries_[id - 1];
  auto it = std::lower_bound(entries_.begin(), entries_.end(), id,
                             [](const CatalogEntry& e, MetricId v) { return e.id < v; });
  return it != entries_.end() && it->id == id ? &*it : nullptr;
}

Result<const CatalogEntry*> Catalog::Add(std::string_view name, ValueType type) {
  if (Find(name) != nullptr) {
    return Status::AlreadyExists("metric " + Quoted(name) + " already exists");
  }
  if (name.empty() || name.size() > kMaxSeriesKeyBytes || !IsValidUtf8(name)) {
    return Status::InvalidArgument("metric name " + Quoted(name) + " must be 1.." +
                                   std::to_string(kMaxSeriesKeyBytes) + " bytes of valid UTF-8");
  }
  MetricId next = entries_.empty() ? 1 : entries_.back().id + 1;
  if (next > kMaxMetricId) {
    return Status::InvalidArgument("too many metrics in this database (the limit is " +
                                   std::to_string(kMaxMetricId) + ")");
  }
  Insert({std::string(name), next, WidenType(type)});
  dirty_ = true;
  return &entries_.back();
}

void Catalog::RollBackTo(size_t size) {
  while (entries_.size() > size) {
    by_name_.erase(entries_.back().name);
    entries_.pop_back();
  }
}

Status Catalog::Restore(const WalMetricDef& def) {
  const CatalogEntry* by_id = FindById(def.id);
  const CatalogEntry* by_name = Find(def.name);
  const ValueType type = WidenType(def.type);
  if (by_id != nullptr && by_id == by_name && by_id->type == type) return Status::Ok();
  std::string wal_says = "the WAL defines metric id " + std::to_string(def.id) + " as " +
                         Quoted(def.name) + " (" + ValueTypeName(def.type) + ")";
  if (by_id != nullptr) {
    return Status::Corruption(wal_says + " but the catalog has id " + std::to_string(def.id) +
                              " as " + Quoted(by_id->name) + " (" + ValueTypeName(by_id->type) +
                              ")");
  }
  if (by_name != nullptr) {
    return Status::Corruption(wal_says + " but the catalog has " + Quoted(def.name) + " as id " +
                              std::to_string(by_name->id));
  }
  if (def.id == 0 || def.id > kMaxMetricId || def.name.empty()) {
    return Status::Corruption(wal_says + ", which is not a valid definition");
  }
  Insert({def.name, def.id, type});
  dirty_ = true;
  return Status::Ok();
}

Status Catalog::Rename(MetricId id, std::string name) {
  if (Find(name) != nullptr) {
    return Status::AlreadyExists("metric " + Quoted(name) + " already exists");
  }
  const CatalogEntry* e = FindById(id);
  if (e == nullptr) return Status::NotFound("no metric with id " + std::to_string(id));
  const size_t index = static_cast<size_t>(e - entries_.data());
  by_name_.erase(entries_[index].name);
  entries_[index].name = std::move(name);
  by_name_[entries_[index].name] = index;
  dirty_ = true;
  return Status::Ok();
}

void Catalog::Insert(CatalogEntry entry) {
  auto pos = std::lower_bound(entries_.begin(), entries_.end(), entry.id,
                              [](const CatalogEntry& e, MetricId v) { return e.id < v; });
  size_t index = static_cast<size_t>(pos - entries_.begin());
  entries_.insert(pos, std::move(entry));
  for (size_t i = index; i < entries_.size(); ++i) by_name_[entries_[i].name] = i;
}

}  // namespace nanotdb
