// Typed reading of the tables a plugin keeps under its engine.toml section — arrays of tables
// such as [[plugins.ingest-prometheus.scrape]] that the core hands over as TOML text — with
// errors that name the table and the key. Keys declared in the plugin's ConfigKey schema are
// checked by the core; this is for what the schema cannot describe.
//
// Header-only over toml++ (Debian's libtomlplusplus-dev), so a plugin compiles it in whichever
// toml++ mode it uses and the SDK library carries no TOML dependency.
//
//   NANOTDB_ASSIGN_OR_RETURN(ConfigTable root, ConfigTable::Parse(text, "scrape"));
//   NANOTDB_ASSIGN_OR_RETURN(auto jobs, root.Tables("scrape", "[[plugins.x.scrape]]"));
//   for (ConfigTable& job : jobs) {
//     NANOTDB_RETURN_IF_ERROR(job.Known({"name", "every"}));
//     NANOTDB_RETURN_IF_ERROR(job.Duration("every", &every));  // left as is when absent
//   }
#pragma once

#include <toml++/toml.h>

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "nanotdb/status.h"
#include "nanotdb/time_util.h"

namespace nanotdb {

struct HostPort {
  std::string host;  // without the brackets of an IPv6 address
  uint16_t port = 0;
};

// "host:port" or "[v6-address]:port". Errors quote `text` and show `example`.
inline Result<HostPort> ParseHostPort(std::string_view text, std::string_view example) {
  const Status bad = Status::InvalidArgument(
      "\"" + std::string(text) + "\": expected host:port (such as " + std::string(example) + ")");
  const size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) return bad;
  std::string_view host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']' || host.size() < 3) return bad;
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return bad;  // an IPv6 address needs brackets
  }
  if (host.find_first_of("/ \t") != std::string_view::npos) return bad;
  const std::string_view digits = text.substr(colon + 1);
  unsigned port = 0;
  const auto res = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (res.ec != std::errc() || res.ptr != digits.data() + digits.size() || port == 0 ||
      port > 65535) {
    return Status::InvalidArgument("\"" + std::string(text) + "\": port must be 1..65535");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(port)};
}

// One TOML table and the name errors give it ("scrape[0]", "endpoint 2 (\"central\")").
// Copies share the parsed document.
class ConfigTable {
 public:
  // `what` prefixes parse errors ("scrape: ...") and names the root table.
  static Result<ConfigTable> Parse(std::string_view toml_text, std::string what) {
    auto doc = std::make_shared<toml::table>();
    try {
      *doc = toml::parse(toml_text);
    } catch (const toml::parse_error& e) {
      return Status::InvalidArgument(what + ": " + std::string(e.description()));
    }
    const toml::table* t = doc.get();
    return ConfigTable(std::move(doc), t, std::move(what));
  }

  const std::string& where() const { return where_; }
  // Renames the table in later errors, e.g. once its `name` key is known.
  void set_where(std::string where) { where_ = std::move(where); }
  bool Has(std::string_view key) const { return t_->get(key) != nullptr; }
  const toml::table& raw() const { return *t_; }

  Status Error(std::string_view key, std::string_view what) const {
    return Status::InvalidArgument(where_ + ": " + std::string(key) + " " + std::string(what));
  }

  // The tables of the array of tables `key`, named "<key>[i]"; an error naming `spelling`
  // (how a user writes it, "[[plugins.ingest-prometheus.scrape]]") when `key` is not one.
  // Empty when the key is absent and `required` is false.
  Result<std::vector<ConfigTable>> Tables(std::string_view key, std::string_view spelling,
                                          bool required = true) const {
    std::vector<ConfigTable> out;
    const toml::node* n = t_->get(key);
    if (n == nullptr && !required) return out;
    const toml::array* list = n == nullptr ? nullptr : n->as_array();
    if (list == nullptr) {
      return Status::InvalidArgument(std::string(key) + ": expected " + std::string(spelling) +
                                     " tables (an array of tables)");
    }
    for (size_t i = 0; i < list->size(); ++i) {
      const std::string name = std::string(key) + "[" + std::to_string(i) + "]";
      const toml::table* t = (*list)[i].as_table();
      if (t == nullptr) return Status::InvalidArgument(name + ": expected a table");
      out.push_back(ConfigTable(doc_, t, name));
    }
    return out;
  }

  // An error naming the first key not in `known`, and listing them.
  Status Known(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, node] : *t_) {
      bool found = false;
      for (std::string_view k : known) found = found || k == key.str();
      if (found) continue;
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      return Status::InvalidArgument(where_ + ": unknown key \"" + std::string(key.str()) +
                                     "\" (known: " + list + ")");
    }
    return Status::Ok();
  }

  // Each reader leaves *out as it is when the key is absent (so *out holds the default).
  Status String(std::string_view key, std::string* out) const {
    const toml::node* n = t_->get(key);
    if (n == nullptr) return Status::Ok();
    const auto* s = n->as_string();
    if (s == nullptr) return Error(key, "must be a string");
    *out = s->get();
    return Status::Ok();
  }
  Status Bool(std::string_view key, bool* out) const {
    const toml::node* n = t_->get(key);
    if (n == nullptr) return Status::Ok();
    const auto* b = n->as_boolean();
    if (b == nullptr) return Error(key, "must be true or false");
    *out = b->get();
    return Status::Ok();
  }
  // A duration string such as "30s" or "1h30m", in nanoseconds; > 0 unless zero_ok.
  Status Duration(std::string_view key, int64_t* out, bool zero_ok = false) const {
    const toml::node* n = t_->get(key);
    if (n == nullptr) return Status::Ok();
    const auto* s = n->as_string();
    if (s == nullptr) return Error(key, "must be a duration string such as \"30s\"");
    Result<int64_t> d = ParseDuration(s->get());
    if (!d.ok()) return Error(key, "must be a duration such as \"30s\": " + d.status().message());
    if (*d < 0 || (*d == 0 && !zero_ok))
      return Error(key, zero_ok ? "must be >= 0" : "must be > 0");
    *out = *d;
    return Status::Ok();
  }
  // An integer >= 1.
  Status Count(std::string_view key, size_t* out) const {
    const toml::node* n = t_->get(key);
    if (n == nullptr) return Status::Ok();
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < 1) return Error(key, "must be a positive integer");
    *out = static_cast<size_t>(i->get());
    return Status::Ok();
  }
  // A list of non-empty strings.
  Status Strings(std::string_view key, std::vector<std::string>* out) const {
    const toml::node* n = t_->get(key);
    if (n == nullptr) return Status::Ok();
    const auto* a = n->as_array();
    if (a == nullptr) return Error(key, "must be a list of strings");
    out->clear();
    for (const toml::node& e : *a) {
      const auto* s = e.as_string();
      if (s == nullptr || s->get().empty())
        return Error(key, "must be a list of non-empty strings");
      out->push_back(s->get());
    }
    return Status::Ok();
  }
  // A table of name = "value" pairs, sorted by name.
  Status StringPairs(std::string_view key,
                     std::vector<std::pair<std::string, std::string>>* out) const {
    const toml::node* n = t_->get(key);
    if (n == nullptr) return Status::Ok();
    const toml::table* t = n->as_table();
    if (t == nullptr) return Error(key, "must be a table of name = \"value\"");
    out->clear();
    for (const auto& [name, node] : *t) {
      const auto* s = node.as_string();
      if (s == nullptr) {
        return Status::InvalidArgument(where_ + ": " + std::string(key) + "." +
                                       std::string(name.str()) + " must be a string");
      }
      out->emplace_back(std::string(name.str()), s->get());
    }
    return Status::Ok();
  }

 private:
  ConfigTable(std::shared_ptr<const toml::table> doc, const toml::table* t, std::string where)
      : doc_(std::move(doc)), t_(t), where_(std::move(where)) {}

  std::shared_ptr<const toml::table> doc_;
  const toml::table* t_;
  std::string where_;
};

}  // namespace nanotdb
