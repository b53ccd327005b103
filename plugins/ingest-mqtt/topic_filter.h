// MQTT topic filters (3.1.1 §4.7) with captures, and the name templates that use them.
//
// A filter is levels separated by '/': `+` matches exactly one level, `#` (last, a level of its
// own) matches the parent level and any number of levels below it; `sensors/#` matches
// `sensors`, `sensors/a` and `sensors/a/b`. A filter starting with a wildcard does not match
// topics starting with '$' ($SYS/...). Every `+` captures its level, in order: capture 1 is the
// first `+`, capture 2 the second, and so on (the reference implementation could use only one);
// `#` captures the rest of the topic ("" when it matched the parent level).
//
// A template is text with placeholders: {1}..{N} the `+` captures, {#} the `#` capture,
// {topic} the whole topic, {field} the JSON field's path (for JSON payloads); `{{` and `}}`
// are literal braces. Templates are checked against their filter when parsed, so a message
// never refers to a capture that does not exist.
//
// Immutable after construction; all methods are thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::mqtt {

class TopicFilter {
 public:
  // InvalidArgument naming the problem: empty, longer than 65535 bytes, not UTF-8, a wildcard
  // that is not a whole level, a `#` that is not last.
  static Result<TopicFilter> Parse(std::string_view filter);

  // True when `topic` (a topic name) matches; then *captures holds plus_count() captures,
  // followed by the `#` capture when has_hash(). `captures` may be null.
  bool Match(std::string_view topic, std::vector<std::string_view>* captures) const;

  const std::string& text() const { return text_; }
  size_t plus_count() const { return plus_count_; }
  bool has_hash() const { return has_hash_; }

 private:
  std::string text_;
  std::vector<std::string> levels_;
  size_t plus_count_ = 0;
  bool has_hash_ = false;
};

// What a template's placeholders are replaced with for one message.
struct TemplateInput {
  std::string_view topic;
  const std::vector<std::string_view>* captures = nullptr;  // as TopicFilter::Match fills it
  size_t plus_count = 0;
  std::string_view field;  // "" when the payload has no fields
};

class Template {
 public:
  Template() = default;
  // `filter` says which captures exist; `allow_field` whether {field} may be used.
  // InvalidArgument naming the placeholder: unknown, capture beyond the filter's `+` count,
  // {#} without `#`, {field} where no field exists, an unclosed brace.
  static Result<Template> Parse(std::string_view text, const TopicFilter& filter, bool allow_field);

  std::string Render(const TemplateInput& in) const;
  const std::string& text() const { return text_; }
  bool uses_field() const { return uses_field_; }

 private:
  struct Part {
    enum Kind { kLiteral, kCapture, kHash, kTopic, kField } kind;
    std::string literal;
    size_t index = 0;  // kCapture: 0-based
  };
  std::string text_;
  std::vector<Part> parts_;
  bool uses_field_ = false;
};

}  // namespace nanotdb::mqtt
