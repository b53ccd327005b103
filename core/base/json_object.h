// JsonObject: builds one compact JSON object field by field — the payloads of the internal
// events the core writes (docs/events.md). Keys are written as given (callers use plain ASCII
// names); string values are escaped. Not thread-safe; cheap to copy.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace nanotdb {

class JsonObject {
 public:
  JsonObject& Str(std::string_view key, std::string_view value);
  JsonObject& Int(std::string_view key, int64_t value);
  JsonObject& Uint(std::string_view key, uint64_t value);
  JsonObject& Bool(std::string_view key, bool value);
  // `json` must be valid compact JSON (an array or object built by the caller).
  JsonObject& Raw(std::string_view key, std::string_view json);
  // "{...}" ("{}" when no field was added).
  std::string str() const { return text_ + "}"; }

 private:
  void Key(std::string_view key);
  std::string text_ = "{";
};

// ["a","b"] of `items`, each escaped.
std::string JsonStringArray(std::span<const std::string> items);

}  // namespace nanotdb
