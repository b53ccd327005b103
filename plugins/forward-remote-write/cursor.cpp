#include "cursor.h"

#include <charconv>

namespace nanotdb::forward {
namespace {

constexpr std::string_view kHeader = "nanotdb-forward-cursor 1";

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size() && !text.empty();
}

}  // namespace

SeriesPosition Cursor::Position(const std::string& db, const std::string& key) const {
  auto it = series.find(std::make_pair(db, key));
  return it == series.end() ? SeriesPosition{origin, 0} : it->second;
}

std::string RenderCursor(const Cursor& cursor) {
  std::string out(kHeader);
  out += "\norigin\t" + std::to_string(cursor.origin) + "\n";
  for (const auto& [id, pos] : cursor.series) {
    out += id.first;
    out += '\t';
    out += id.second;
    out += '\t';
    out += std::to_string(pos.ts);
    out += '\t';
    out += std::to_string(pos.at_ts);
    out += '\n';
  }
  return out;
}

Result<Cursor> ParseCursor(std::string_view text) {
  Cursor cursor;
  size_t line_no = 0;
  bool origin = false;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    auto bad = [&](std::string_view what) {
      return Status::InvalidArgument("line " + std::to_string(line_no) + ": " + std::string(what) +
                                     ": \"" + std::string(line.substr(0, 200)) + "\"");
    };
    if (line_no == 1) {
      if (line != kHeader) return bad("expected \"" + std::string(kHeader) + "\"");
      continue;
    }
    if (line.empty()) continue;
    if (line.starts_with("origin\t")) {
      if (!ParseNumber(line.substr(7), &cursor.origin)) return bad("bad origin");
      origin = true;
      continue;
    }
    // <db> TAB <series key> TAB <ts> TAB <at_ts>: keys may hold tabs, never newlines, and
    // database names neither.
    size_t first = line.find('\t');
    size_t last = line.rfind('\t');
    size_t middle = last == std::string_view::npos || last == 0 ? std::string_view::npos
                                                                : line.rfind('\t', last - 1);
    if (first == std::string_view::npos || middle == std::string_view::npos || middle <= first) {
      return bad("expected <database> TAB <series> TAB <timestamp> TAB <count>");
    }
    SeriesPosition pos;
    if (!ParseNumber(line.substr(middle + 1, last - middle - 1), &pos.ts) ||
        !ParseNumber(line.substr(last + 1), &pos.at_ts)) {
      return bad("bad timestamp or count");
    }
    cursor.series[{std::string(line.substr(0, first)),
                   std::string(line.substr(first + 1, middle - first - 1))}] = pos;
  }
  if (line_no == 0) return Status::InvalidArgument("empty cursor");
  if (!origin) return Status::InvalidArgument("no origin line");
  return cursor;
}

}  // namespace nanotdb::forward
