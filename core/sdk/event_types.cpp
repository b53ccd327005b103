#include "nanotdb/event_types.h"

namespace nanotdb {

Status ValidateEvent(const Event& e) {
  if (e.name.empty()) return Status::InvalidArgument("event name is empty");
  if (e.name.size() > kMaxEventNameBytes) {
    return Status::InvalidArgument("event name is " + std::to_string(e.name.size()) +
                                   " bytes, more than the limit of " +
                                   std::to_string(kMaxEventNameBytes));
  }
  for (size_t i = 0; i < e.name.size(); ++i) {
    const auto c = static_cast<unsigned char>(e.name[i]);
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("event name \"" + e.name.substr(0, 64) +
                                     "\" has a control character at byte " + std::to_string(i));
    }
  }
  if (e.value && e.value->type != ValueType::kInt64 && e.value->type != ValueType::kFloat64) {
    return Status::InvalidArgument("event \"" + e.name + "\": value type " +
                                   ValueTypeName(e.value->type) + " is not int64 or float64");
  }
  if (e.payload.size() > kMaxEventPayloadBytes) {
    return Status::InvalidArgument(
        "event \"" + e.name + "\": payload is " + std::to_string(e.payload.size()) +
        " bytes, more than the limit of " + std::to_string(kMaxEventPayloadBytes));
  }
  return Status::Ok();
}

}  // namespace nanotdb
