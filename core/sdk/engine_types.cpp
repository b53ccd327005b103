#include "nanotdb/engine_types.h"

#include "nanotdb/time_util.h"

namespace nanotdb {

std::string SkippedData::Describe() const {
  // "<db>/data-<key>.dat": enough to find the file under the root.
  size_t slash = file.rfind('/');
  if (slash != std::string::npos && slash > 0) slash = file.rfind('/', slash - 1);
  std::string out = slash == std::string::npos ? file : file.substr(slash + 1);
  out += " offset " + std::to_string(offset) + ": ";
  if (bytes == 0) {
    out += "metric \"" + metric + "\" lost " + std::to_string(samples) + " samples " +
           FormatRfc3339(min_ts) + " .. " + FormatRfc3339(max_ts);
  } else {
    out += std::to_string(bytes) + " damaged bytes skipped; samples of \"" + metric +
           "\" between " + FormatRfc3339(min_ts) + " and " + FormatRfc3339(max_ts) +
           " may be missing";
  }
  out += " (" + reason + ")";
  return out;
}

void ReadReport::Add(SkippedData d) {
  for (const SkippedData& s : skipped) {
    if (s.file == d.file && s.offset == d.offset && s.metric == d.metric) return;
  }
  skipped.push_back(std::move(d));
}

}  // namespace nanotdb
