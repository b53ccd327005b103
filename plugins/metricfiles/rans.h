// A static-model rANS entropy coder over a 256-symbol alphabet, used by the metric file codec
// (series_codec.h) for the residuals of its predictors. Byte layout:
// docs/format/metric-file.md ("Entropy coding").
//
// Symbols are coded with one of up to kMaxContexts frequency tables, chosen per symbol by a
// context the caller derives from earlier symbols (the decoder derives the same one). Each
// table's frequencies are normalised to sum to kProbScale and stored with the stream. The
// state is 32 bits, renormalised a byte at a time (state kept in [kLow, kLow << 8)).
//
// Everything is pure and thread-safe; decoders bound-check every read and return false (never
// crash, never read outside their input) on malformed bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nanotdb::metricfiles {

inline constexpr int kProbBits = 12;
inline constexpr uint32_t kProbScale = 1u << kProbBits;
inline constexpr uint32_t kRansLow = 1u << 23;
inline constexpr int kAlphabet = 256;
inline constexpr int kMaxContexts = 4;

// Frequencies of one context, summing to kProbScale when any symbol occurs (all zero for an
// unused context), plus what the decoder derives from them.
struct FreqTable {
  std::array<uint16_t, kAlphabet> freq{};
  std::array<uint16_t, kAlphabet> start{};  // cumulative frequency before each symbol
  bool used = false;

  // Scales `counts` (occurrences per symbol) to kProbScale keeping every occurring symbol at
  // least 1, then fills start. Leaves the table unused when no symbol occurs.
  void Normalise(std::span<const uint32_t, kAlphabet> counts);
  // What coding `count` occurrences of `symbol` costs in bits under this table.
  double CostBits(int symbol, uint32_t count) const;
};

// Appends the table: varint n (symbols present), then n x { varint gap from the previous
// present symbol + 1, varint freq - 1 }.
void PutFreqTable(const FreqTable& t, std::string* out);
// Reads one table written by PutFreqTable from in[*pos]; false when malformed (frequencies
// not summing to kProbScale, symbols beyond the alphabet, truncation).
bool GetFreqTable(std::string_view in, size_t* pos, FreqTable* t);

// The rANS stream of `symbols`, symbol i coded with tables[contexts[i]]; every symbol must
// have a non-zero frequency in its table. Appended to *out as the coder's final state (4
// bytes, little-endian) followed by the renormalisation bytes in decoding order.
void RansEncode(std::span<const uint8_t> symbols, std::span<const uint8_t> contexts,
                std::span<const FreqTable> tables, std::string* out);

// Decodes symbol by symbol: Init, then Next(table) per symbol, then Done.
class RansDecoder {
 public:
  // `tables` must outlive the decoder.
  RansDecoder(std::string_view stream, std::span<const FreqTable> tables);
  bool Init();
  // The next symbol under tables[context]; false when the stream is malformed.
  bool Next(int context, uint8_t* symbol);
  // True when the stream was consumed exactly and the state is back at its initial value.
  bool Done() const;

 private:
  std::string_view in_;
  size_t pos_ = 0;
  uint32_t state_ = 0;
  std::span<const FreqTable> tables_;
  // symbol of each slot, per context (built lazily on Init)
  std::vector<std::array<uint8_t, kProbScale>> slots_;
};

// LSB-first raw bits beside the rANS stream (the low bits of large residuals, which are close
// to uniform and cost what they take).
class BitWriter {
 public:
  void Put(uint64_t bits, int count);  // count 0..64
  std::string Finish();                // pads the last byte with zero bits

 private:
  std::string out_;
  uint64_t acc_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view in) : in_(in) {}
  // false when fewer than `count` bits remain.
  bool Get(int count, uint64_t* bits);
  // The bits left over are the zero padding of the last byte.
  bool AtEnd() const;

 private:
  std::string_view in_;
  size_t pos_ = 0;
  uint64_t acc_ = 0;
  int have_ = 0;
};

}  // namespace nanotdb::metricfiles
