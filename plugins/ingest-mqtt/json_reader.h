// A strict RFC 8259 JSON reader for MQTT payloads that keeps each number's text, so that the
// mapping decides exactly how a number is stored (an integer literal as int64, any other as the
// nearest float64, bit for bit) instead of a generic parser rounding it first.
//
// Bounded: nesting deeper than max_depth is an error (no recursion blow-up on hostile input);
// the input size is bounded by the caller (the MQTT packet limit). Strings must be well-formed
// UTF-8; escapes (\uXXXX with surrogate pairs included) are decoded; \u0000 is refused.
// Errors are InvalidArgument naming the byte offset and what was expected.
//
// Pure and thread-safe; nothing throws (except std::bad_alloc).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::mqtt {

struct JsonMember;

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;                 // kNumber: the literal; kString: decoded
  std::vector<JsonValue> items;     // kArray
  std::vector<JsonMember> members;  // kObject, in document order

  // The member named `key` (the last one when repeated), or nullptr.
  const JsonValue* Find(std::string_view key) const;
};

struct JsonMember {
  std::string name;
  JsonValue value;
};

inline constexpr size_t kDefaultJsonDepth = 32;

Result<JsonValue> ParseJson(std::string_view text, size_t max_depth = kDefaultJsonDepth);

// True when a kNumber's literal is an integer (no fraction, no exponent).
bool IsIntegerLiteral(std::string_view number_text);

}  // namespace nanotdb::mqtt
