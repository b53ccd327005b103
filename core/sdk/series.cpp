#include "nanotdb/series.h"

#include <algorithm>

#include "nanotdb/types.h"

namespace nanotdb {
namespace {

bool IsLabelStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsLabelChar(char c) { return IsLabelStart(c) || (c >= '0' && c <= '9'); }

// The metric-name part of the rules: ValidateMetricName plus the characters that delimit
// labels.
Status CheckMetricPart(std::string_view metric) {
  NANOTDB_RETURN_IF_ERROR(ValidateMetricName(metric));
  if (metric.find_first_of("{}") != std::string_view::npos) {
    return Status::InvalidArgument("invalid metric name \"" + std::string(metric) +
                                   "\": '{' and '}' enclose labels and cannot be used in a name");
  }
  return Status::Ok();
}

Status ParseError(size_t offset, std::string_view key, const std::string& what) {
  std::string shown(key.substr(0, 200));
  return Status::InvalidArgument("invalid series \"" + shown + "\" at offset " +
                                 std::to_string(offset) + ": " + what);
}

}  // namespace

Status ValidateLabelName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("label name cannot be empty");
  if (name.size() > kMaxLabelNameBytes) {
    return Status::InvalidArgument("label name \"" + std::string(name.substr(0, 32)) +
                                   "...\" too long (max " + std::to_string(kMaxLabelNameBytes) +
                                   " bytes)");
  }
  if (!IsLabelStart(name[0]) ||
      !std::all_of(name.begin(), name.end(), [](char c) { return IsLabelChar(c); })) {
    return Status::InvalidArgument("invalid label name \"" + std::string(name) +
                                   "\": use letters, digits and '_', not starting with a digit");
  }
  if (name.starts_with("__")) {
    return Status::InvalidArgument("label name \"" + std::string(name) +
                                   "\" is reserved (names starting with \"__\")");
  }
  if (name == kDatabaseLabel) {
    return Status::InvalidArgument(
        "label name \"db\" is reserved for the database; name it \"exported_db\"");
  }
  return Status::Ok();
}

Status NormalizeLabels(Labels* labels) {
  std::erase_if(*labels, [](const Label& l) { return l.value.empty(); });
  if (labels->size() > kMaxLabelsPerSeries) {
    return Status::InvalidArgument("series has " + std::to_string(labels->size()) +
                                   " labels (max " + std::to_string(kMaxLabelsPerSeries) + ")");
  }
  std::sort(labels->begin(), labels->end());
  for (size_t i = 0; i < labels->size(); ++i) {
    const Label& l = (*labels)[i];
    NANOTDB_RETURN_IF_ERROR(ValidateLabelName(l.name));
    if (i > 0 && (*labels)[i - 1].name == l.name) {
      return Status::InvalidArgument("label \"" + l.name + "\" given twice");
    }
    if (l.value.size() > kMaxLabelValueBytes) {
      return Status::InvalidArgument("value of label \"" + l.name + "\" too long (" +
                                     std::to_string(l.value.size()) + " bytes, max " +
                                     std::to_string(kMaxLabelValueBytes) + ")");
    }
  }
  return Status::Ok();
}

void AppendEscapedLabelValue(std::string_view value, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out->append("\\\\");
        break;
      case '"':
        out->append("\\\"");
        break;
      case '\n':
        out->append("\\n");
        break;
      default:
        out->push_back(c);
    }
  }
}

void AppendSeriesKey(std::string_view metric, const Labels& sorted_labels, std::string* out) {
  out->append(metric);
  if (sorted_labels.empty()) return;
  out->push_back('{');
  for (size_t i = 0; i < sorted_labels.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(sorted_labels[i].name);
    out->append("=\"");
    AppendEscapedLabelValue(sorted_labels[i].value, out);
    out->push_back('"');
  }
  out->push_back('}');
}

Result<std::string> MakeSeriesKey(std::string_view metric, Labels labels) {
  NANOTDB_RETURN_IF_ERROR(CheckMetricPart(metric));
  NANOTDB_RETURN_IF_ERROR(NormalizeLabels(&labels));
  std::string key;
  AppendSeriesKey(metric, labels, &key);
  if (key.size() > kMaxSeriesKeyBytes) {
    return Status::InvalidArgument("series \"" + key.substr(0, 64) + "...\" too long (" +
                                   std::to_string(key.size()) + " bytes, max " +
                                   std::to_string(kMaxSeriesKeyBytes) + ")");
  }
  return key;
}

std::string_view SeriesMetricName(std::string_view key) {
  return key.substr(0, std::min(key.find('{'), key.size()));
}

Result<SeriesName> ParseSeriesKey(std::string_view key) {
  if (key.size() > kMaxSeriesKeyBytes) {
    return Status::InvalidArgument("series \"" + std::string(key.substr(0, 64)) +
                                   "...\" too long (" + std::to_string(key.size()) +
                                   " bytes, max " + std::to_string(kMaxSeriesKeyBytes) + ")");
  }
  SeriesName out;
  size_t brace = key.find('{');
  out.metric = std::string(key.substr(0, std::min(brace, key.size())));
  NANOTDB_RETURN_IF_ERROR(CheckMetricPart(out.metric));
  if (brace == std::string_view::npos) return out;

  size_t pos = brace + 1;
  auto skip_space = [&] {
    while (pos < key.size() && (key[pos] == ' ' || key[pos] == '\t')) ++pos;
  };
  while (true) {
    skip_space();
    if (pos >= key.size()) return ParseError(pos, key, "missing '}'");
    if (key[pos] == '}') {
      ++pos;
      break;
    }
    size_t name_start = pos;
    while (pos < key.size() && IsLabelChar(key[pos])) ++pos;
    if (pos == name_start) return ParseError(pos, key, "expected a label name");
    Label label;
    label.name = std::string(key.substr(name_start, pos - name_start));
    skip_space();
    if (pos >= key.size() || key[pos] != '=') {
      return ParseError(pos, key, "expected '=' after label \"" + label.name + "\"");
    }
    ++pos;
    skip_space();
    if (pos >= key.size() || (key[pos] != '"' && key[pos] != '\'')) {
      return ParseError(pos, key, "expected a quoted value for label \"" + label.name + "\"");
    }
    char quote = key[pos++];
    bool closed = false;
    while (pos < key.size()) {
      char c = key[pos++];
      if (c == quote) {
        closed = true;
        break;
      }
      if (c == '\\') {
        if (pos >= key.size()) break;
        char e = key[pos++];
        if (e == 'n') {
          label.value.push_back('\n');
        } else if (e == '\\' || e == '"' || e == '\'') {
          label.value.push_back(e);
        } else {
          return ParseError(pos - 2, key,
                            std::string("unknown escape \"\\") + e + "\" in label \"" + label.name +
                                "\" (use \\\\, \\\" or \\n)");
        }
        continue;
      }
      label.value.push_back(c);
    }
    if (!closed) {
      return ParseError(pos, key, "unterminated value of label \"" + label.name + "\"");
    }
    out.labels.push_back(std::move(label));
    skip_space();
    if (pos < key.size() && key[pos] == ',') {
      ++pos;
      continue;
    }
    if (pos >= key.size()) return ParseError(pos, key, "missing '}'");
    if (key[pos] == '}') continue;
    return ParseError(pos, key, "expected ',' or '}'");
  }
  if (pos != key.size()) return ParseError(pos, key, "unexpected text after '}'");
  NANOTDB_RETURN_IF_ERROR(NormalizeLabels(&out.labels));
  return out;
}

bool IsCanonicalSeriesKey(std::string_view key) {
  Result<SeriesName> parsed = ParseSeriesKey(key);
  if (!parsed.ok()) return false;
  std::string canonical;
  AppendSeriesKey(parsed->metric, parsed->labels, &canonical);
  return canonical == key;
}

Status ValidateSeriesKey(std::string_view key) {
  if (key.find_first_of("{}") == std::string_view::npos) return ValidateMetricName(key);
  NANOTDB_ASSIGN_OR_RETURN(SeriesName parsed, ParseSeriesKey(key));
  std::string canonical;
  AppendSeriesKey(parsed.metric, parsed.labels, &canonical);
  if (canonical != key) {
    return Status::InvalidArgument("series \"" + std::string(key.substr(0, 200)) +
                                   "\" is not in canonical form (labels sorted, empty values "
                                   "dropped): write it as " +
                                   canonical.substr(0, 200));
  }
  return Status::Ok();
}

}  // namespace nanotdb
