#include "probe.h"

#include <cstdint>

namespace nanotdb::drip {

void ProbeLog::Once(const std::string& key, LogLevel level, std::string_view message) {
  if (!said_.insert(key).second) return;
  Log(level, message);
}

void ProbeLog::Log(LogLevel level, std::string_view message) const {
  if (log_) log_(level, message);
}

std::optional<uint64_t> CounterDelta(uint64_t previous, uint64_t current) {
  if (current >= previous) return current - previous;
  // A 32-bit counter that wrapped moved less than half its range; anything else is a reset.
  if (previous <= UINT32_MAX && current <= UINT32_MAX) {
    uint64_t wrapped = (uint64_t{1} << 32) - previous + current;
    if (wrapped < (uint64_t{1} << 31)) return wrapped;
  }
  return std::nullopt;
}

std::string SanitizeNamePart(std::string_view part) {
  std::string out(part);
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) c = '_';
  }
  return out;
}

}  // namespace nanotdb::drip
