#include <re2/re2.h>

#include "nanotdb/query.h"

namespace nanotdb {

Result<std::vector<std::string>> SelectMetrics(const Engine& engine, std::string_view db,
                                               std::string_view selector, SelectorKind kind) {
  NANOTDB_ASSIGN_OR_RETURN(std::vector<MetricInfo> metrics, engine.ListMetrics(db));
  std::vector<std::string> out;
  switch (kind) {
    case SelectorKind::kExact:
      for (const MetricInfo& m : metrics) {
        if (m.name == selector) out.push_back(m.name);
      }
      break;
    case SelectorKind::kWildcard:
      for (const MetricInfo& m : metrics) {
        if (WildcardMatch(selector, m.name)) out.push_back(m.name);
      }
      break;
    case SelectorKind::kRegex: {
      RE2::Options opts;
      opts.set_log_errors(false);
      RE2 re(re2::StringPiece(selector.data(), selector.size()), opts);
      if (!re.ok()) {
        return Status::InvalidArgument("invalid metric regex \"" + std::string(selector) +
                                       "\": " + re.error());
      }
      for (const MetricInfo& m : metrics) {
        if (RE2::PartialMatch(m.name, re)) out.push_back(m.name);
      }
      break;
    }
  }
  return out;  // ListMetrics is sorted by name
}

}  // namespace nanotdb
