// Human and machine output of nanocli: aligned text tables and an indented JSON writer.
//
// Both build their text in memory and write it to a stream; neither is thread-safe.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "nanotdb/types.h"

namespace nanotdb::cli {

// A text table: a header row, a dashed underline, then rows. Columns marked numeric are
// right-aligned, the others left-aligned.
class Table {
 public:
  struct Column {
    std::string name;
    bool numeric = false;
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}
  // `cells` must have one entry per column.
  void AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
  size_t rows() const { return rows_.size(); }
  void Print(std::ostream& out) const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// Writes pretty-printed JSON (two-space indent). Calls must nest correctly: Key() before every
// value inside an object, nothing after the top-level value is closed.
class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view key);
  JsonWriter& String(std::string_view s);
  JsonWriter& Int(int64_t v);
  JsonWriter& Uint(uint64_t v);
  // Finite doubles in shortest round-trip form; NaN and infinities become null.
  JsonWriter& Double(double v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // A sample value: int64 as an integer, float64 as its canonical decimal (null if not finite).
  JsonWriter& SampleValue(Value v);
  // The finished document followed by a newline.
  std::string Finish() const { return out_ + "\n"; }

 private:
  void BeforeValue();
  void Newline();
  void WriteString(std::string_view s);
  std::string out_;
  std::vector<bool> first_;  // per open container: no element written yet
  bool after_key_ = false;
};

// Display helpers shared by the commands.
std::string FormatFixed(double v, int decimals);                  // "1.23"
std::string FormatSpanStart(Timestamp min_ts, uint64_t samples);  // "-" when empty
std::string FormatSpanDuration(Timestamp min_ts, Timestamp max_ts, uint64_t samples);

}  // namespace nanotdb::cli
