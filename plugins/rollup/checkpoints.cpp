#include "checkpoints.h"

#include <charconv>

namespace nanotdb::rollup {

std::string CheckpointName(std::string_view db, std::string_view checkpoint_file) {
  return std::string(db) + "/" + std::string(checkpoint_file);
}

std::string RenderCheckpoints(const Checkpoints& checkpoints) {
  std::string out;
  for (const auto& [key, end] : checkpoints) {
    out += key;
    out += ',';
    out += std::to_string(end);
    out += '\n';
  }
  return out;
}

Result<Checkpoints> ParseCheckpoints(std::string_view text) {
  Checkpoints out;
  size_t line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    size_t comma = line.rfind(',');
    int64_t end = 0;
    // Not line.data() + npos + 1: even unused, that pointer overflows (UBSan).
    const char* first = comma == std::string_view::npos ? line.data() : line.data() + comma + 1;
    const char* last = line.data() + line.size();
    auto [ptr, ec] = comma == std::string_view::npos || comma == 0
                         ? std::from_chars_result{first, std::errc::invalid_argument}
                         : std::from_chars(first, last, end);
    if (ec != std::errc() || ptr != last) {
      return Status::InvalidArgument("line " + std::to_string(line_no) +
                                     ": expected \"<job>,<period end in ns>\", got \"" +
                                     std::string(line.substr(0, 200)) + "\"");
    }
    out[std::string(line.substr(0, comma))] = end;
  }
  return out;
}

}  // namespace nanotdb::rollup
