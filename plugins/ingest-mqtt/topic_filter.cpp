#include "topic_filter.h"

#include <charconv>

#include "mqtt_codec.h"

namespace nanotdb::mqtt {
namespace {

std::vector<std::string_view> SplitLevels(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t slash = s.find('/', start);
    if (slash == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, slash - start));
    start = slash + 1;
  }
}

}  // namespace

Result<TopicFilter> TopicFilter::Parse(std::string_view filter) {
  const std::string quoted = "topic filter \"" + std::string(filter) + "\"";
  if (filter.empty()) return Status::InvalidArgument("topic filter must not be empty");
  if (filter.size() > 65535) return Status::InvalidArgument(quoted + " is longer than 65535 bytes");
  if (!IsMqttUtf8(filter)) {
    return Status::InvalidArgument(quoted + " is not well-formed UTF-8 (or holds U+0000)");
  }
  TopicFilter f;
  f.text_ = std::string(filter);
  std::vector<std::string_view> levels = SplitLevels(filter);
  for (size_t i = 0; i < levels.size(); ++i) {
    std::string_view level = levels[i];
    if (level.find_first_of("+#") != std::string_view::npos && level.size() != 1) {
      return Status::InvalidArgument(quoted + ": a wildcard must be a whole level (level " +
                                     std::to_string(i + 1) + " is \"" + std::string(level) + "\")");
    }
    if (level == "#" && i + 1 != levels.size()) {
      return Status::InvalidArgument(quoted + ": '#' must be the last level");
    }
    if (level == "+") ++f.plus_count_;
    if (level == "#") f.has_hash_ = true;
    f.levels_.emplace_back(level);
  }
  return f;
}

bool TopicFilter::Match(std::string_view topic, std::vector<std::string_view>* captures) const {
  if (captures) captures->clear();
  if (!topic.empty() && topic[0] == '$' && (levels_[0] == "+" || levels_[0] == "#")) {
    return false;
  }
  size_t pos = 0;  // start of the current topic level
  bool topic_done = false;
  for (size_t i = 0; i < levels_.size(); ++i) {
    const std::string& want = levels_[i];
    if (want == "#") {
      if (captures) captures->push_back(topic_done ? std::string_view() : topic.substr(pos));
      return true;
    }
    if (topic_done) return false;
    size_t slash = topic.find('/', pos);
    std::string_view level =
        topic.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos);
    if (want == "+") {
      if (captures) captures->push_back(level);
    } else if (want != level) {
      return false;
    }
    if (slash == std::string_view::npos) {
      topic_done = true;
    } else {
      pos = slash + 1;
    }
  }
  return topic_done;
}

Result<Template> Template::Parse(std::string_view text, const TopicFilter& filter,
                                 bool allow_field) {
  Template t;
  t.text_ = std::string(text);
  const std::string quoted = "template \"" + std::string(text) + "\"";
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) t.parts_.push_back({Part::kLiteral, std::move(literal), 0});
    literal.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal.push_back('}');
        ++i;
        continue;
      }
      return Status::InvalidArgument(quoted + ": lone '}' (write \"}}\" for a brace)");
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal.push_back('{');
      ++i;
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(quoted + ": '{' without '}' (write \"{{\" for a brace)");
    }
    std::string_view name = text.substr(i + 1, close - i - 1);
    flush();
    if (name == "#") {
      if (!filter.has_hash()) {
        return Status::InvalidArgument(quoted + ": {#} needs a filter ending in '#' (\"" +
                                       filter.text() + "\" has none)");
      }
      t.parts_.push_back({Part::kHash, "", 0});
    } else if (name == "topic") {
      t.parts_.push_back({Part::kTopic, "", 0});
    } else if (name == "field") {
      if (!allow_field) {
        return Status::InvalidArgument(quoted + ": {field} exists only with format = \"json\"");
      }
      t.uses_field_ = true;
      t.parts_.push_back({Part::kField, "", 0});
    } else {
      size_t n = 0;
      auto res = std::from_chars(name.data(), name.data() + name.size(), n);
      if (name.empty() || res.ec != std::errc() || res.ptr != name.data() + name.size()) {
        return Status::InvalidArgument(quoted + ": unknown placeholder {" + std::string(name) +
                                       "} (known: {1}..{N} for the '+' levels, {#}, {topic}, "
                                       "{field})");
      }
      if (n == 0 || n > filter.plus_count()) {
        return Status::InvalidArgument(quoted + ": {" + std::string(name) + "} but filter \"" +
                                       filter.text() + "\" has " +
                                       std::to_string(filter.plus_count()) + " '+' level" +
                                       (filter.plus_count() == 1 ? "" : "s"));
      }
      t.parts_.push_back({Part::kCapture, "", n - 1});
    }
    i = close;
  }
  flush();
  return t;
}

std::string Template::Render(const TemplateInput& in) const {
  std::string out;
  for (const Part& p : parts_) {
    switch (p.kind) {
      case Part::kLiteral:
        out += p.literal;
        break;
      case Part::kCapture:
        if (in.captures && p.index < in.captures->size()) out += (*in.captures)[p.index];
        break;
      case Part::kHash:
        if (in.captures && in.captures->size() > in.plus_count) {
          out += (*in.captures)[in.plus_count];
        }
        break;
      case Part::kTopic:
        out += in.topic;
        break;
      case Part::kField:
        out += in.field;
        break;
    }
  }
  return out;
}

}  // namespace nanotdb::mqtt
