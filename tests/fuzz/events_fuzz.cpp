// The JSON reader (core/server/json_scan.cpp) and the event codec (event_json.cpp): what
// POST /api/v1/events reads from any writer. Any text parses or is refused with a message; what
// parses compacts to JSON that parses to the same compact text; an event it yields that is
// valid writes to an export line that reads back as the same event.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/event_json.h"
#include "server/json_scan.h"

namespace {

using namespace nanotdb;
using namespace nanotdb::server;

constexpr Timestamp kNow = 1'780'000'000'000'000'000;

void CheckEvent(const JsonNode& item) {
  std::string db;
  Event e;
  Status st = EventFromJson(item, "demo", kNow, &db, &e);
  if (!st.ok()) {
    if (st.message().empty()) __builtin_trap();
    return;
  }
  if (!ValidateEvent(e).ok() || !ValidateDatabaseName(db).ok()) return;
  const std::string line = FormatEventLine(db, e);
  std::string db2;
  Event again;
  if (!ParseEventLine(line, "", kNow, &db2, &again).ok()) __builtin_trap();
  if (db2 != db || !(again == e)) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<JsonNode> root = ParseJson(text);
  if (!root.ok()) {
    if (root.status().message().empty()) __builtin_trap();
    return 0;
  }
  const std::string compact = CompactJson(root->raw);
  Result<JsonNode> again = ParseJson(compact);
  if (!again.ok() || CompactJson(again->raw) != compact) __builtin_trap();
  if (root->kind == JsonNode::Kind::kArray) {
    for (const JsonNode& item : root->items) CheckEvent(item);
  } else {
    CheckEvent(*root);
  }
  return 0;
}
