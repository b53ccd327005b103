#include "base/json_object.h"

#include "nanotdb/vm_json.h"

namespace nanotdb {

void JsonObject::Key(std::string_view key) {
  if (text_.size() > 1) text_ += ',';
  vm::AppendJsonString(&text_, key);
  text_ += ':';
}

JsonObject& JsonObject::Str(std::string_view key, std::string_view value) {
  Key(key);
  vm::AppendJsonString(&text_, value);
  return *this;
}

JsonObject& JsonObject::Int(std::string_view key, int64_t value) {
  Key(key);
  text_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Uint(std::string_view key, uint64_t value) {
  Key(key);
  text_ += std::to_string(value);
  return *this;
}

JsonObject& JsonObject::Bool(std::string_view key, bool value) {
  Key(key);
  text_ += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::Raw(std::string_view key, std::string_view json) {
  Key(key);
  text_ += json;
  return *this;
}

std::string JsonStringArray(std::span<const std::string> items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    vm::AppendJsonString(&out, items[i]);
  }
  return out + "]";
}

}  // namespace nanotdb
