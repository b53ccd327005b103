// A small strict JSON reader (RFC 8259) for request bodies whose parts must be kept exactly as
// sent: every node keeps the raw text it was parsed from, so a payload is stored byte for byte
// (only the blanks between tokens removed, CompactJson) and a number is converted by the
// caller with the project's own exact parsers, never rounded through another library.
//
// Pure functions; thread-safe. Nodes borrow the input text: it must outlive them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"

namespace nanotdb::server {

struct JsonMember;

struct JsonNode {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  std::string_view raw;  // the node's text in the input, from its first to its last byte
  size_t offset = 0;     // where raw starts in the input
  bool boolean = false;
  std::string text;                 // kString: the decoded string (UTF-8)
  std::vector<JsonNode> items;      // kArray
  std::vector<JsonMember> members;  // kObject, in input order

  const JsonNode* Find(std::string_view key) const;
};

// A member of an object. Its own type rather than std::pair, which cannot be instantiated while
// JsonNode is incomplete (clang refuses it).
struct JsonMember {
  std::string key;
  JsonNode value;
};

// Parses `in` as exactly one JSON value (blanks around it allowed). InvalidArgument naming
// the byte offset and the problem (`offset 17: expected ':' after an object key`) otherwise;
// nesting deeper than `max_depth` is refused the same way. Duplicate object keys are refused.
Result<JsonNode> ParseJson(std::string_view in, int max_depth = 64);

// `raw` (text ParseJson accepted) without the blanks between tokens.
std::string CompactJson(std::string_view raw);

const char* JsonKindName(JsonNode::Kind kind);  // "null", "boolean", "number", ...

}  // namespace nanotdb::server
