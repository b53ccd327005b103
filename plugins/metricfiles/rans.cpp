#include "rans.h"

#include <algorithm>
#include <cmath>

#include "bytes.h"

namespace nanotdb::metricfiles {

void FreqTable::Normalise(std::span<const uint32_t, kAlphabet> counts) {
  uint64_t total = 0;
  for (uint32_t c : counts) total += c;
  freq.fill(0);
  start.fill(0);
  used = total > 0;
  if (!used) return;
  // Largest-remainder rounding of count * scale / total, each present symbol at least 1;
  // what rounding leaves over or short is taken from or given to the most frequent symbols.
  int64_t assigned = 0;
  int top = 0;
  for (int s = 0; s < kAlphabet; ++s) {
    if (counts[s] == 0) continue;
    const uint64_t f = std::max<uint64_t>(1, (uint64_t{counts[s]} * kProbScale) / total);
    freq[s] = static_cast<uint16_t>(f);
    assigned += static_cast<int64_t>(f);
    if (counts[s] > counts[top] || counts[top] == 0) top = s;
  }
  int64_t diff = static_cast<int64_t>(kProbScale) - assigned;
  while (diff != 0) {
    if (diff > 0) {
      // Give the remainder to the symbol that loses most by rounding: the most frequent.
      freq[top] = static_cast<uint16_t>(freq[top] + diff);
      diff = 0;
    } else {
      // Take from the largest frequencies first, never below 1.
      int best = -1;
      for (int s = 0; s < kAlphabet; ++s) {
        if (freq[s] > 1 && (best < 0 || freq[s] > freq[best])) best = s;
      }
      const int64_t take = std::min<int64_t>(-diff, freq[best] - 1);
      freq[best] = static_cast<uint16_t>(freq[best] - take);
      diff += take;
    }
  }
  uint32_t cum = 0;
  for (int s = 0; s < kAlphabet; ++s) {
    start[s] = static_cast<uint16_t>(cum);
    cum += freq[s];
  }
}

double FreqTable::CostBits(int symbol, uint32_t count) const {
  if (count == 0) return 0;
  return count * (kProbBits - std::log2(static_cast<double>(freq[symbol])));
}

void PutFreqTable(const FreqTable& t, std::string* out) {
  int n = 0;
  for (int s = 0; s < kAlphabet; ++s) n += t.freq[s] > 0;
  PutVarint(out, static_cast<uint64_t>(n));
  int prev = -1;
  for (int s = 0; s < kAlphabet; ++s) {
    if (t.freq[s] == 0) continue;
    PutVarint(out, static_cast<uint64_t>(s - prev - 1));
    PutVarint(out, t.freq[s] - 1u);
    prev = s;
  }
}

bool GetFreqTable(std::string_view in, size_t* pos, FreqTable* t) {
  t->freq.fill(0);
  t->start.fill(0);
  uint64_t n;
  if (!GetVarint(in, pos, &n) || n == 0 || n > kAlphabet) return false;
  int64_t prev = -1;
  uint32_t total = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t gap, f;
    if (!GetVarint(in, pos, &gap) || !GetVarint(in, pos, &f)) return false;
    if (gap >= kAlphabet || f >= kProbScale) return false;
    const int64_t s = prev + 1 + static_cast<int64_t>(gap);
    if (s >= kAlphabet) return false;
    t->freq[s] = static_cast<uint16_t>(f + 1);
    total += static_cast<uint32_t>(f + 1);
    if (total > kProbScale) return false;
    prev = s;
  }
  if (total != kProbScale) return false;
  uint32_t cum = 0;
  for (int s = 0; s < kAlphabet; ++s) {
    t->start[s] = static_cast<uint16_t>(cum);
    cum += t->freq[s];
  }
  t->used = true;
  return true;
}

void RansEncode(std::span<const uint8_t> symbols, std::span<const uint8_t> contexts,
                std::span<const FreqTable> tables, std::string* out) {
  // rANS is last-in first-out: encode backwards into a reversed byte buffer.
  std::string rev;
  rev.reserve(symbols.size() / 2 + 16);
  uint32_t x = kRansLow;
  for (size_t i = symbols.size(); i-- > 0;) {
    const FreqTable& t = tables[contexts[i]];
    const uint32_t f = t.freq[symbols[i]];
    const uint32_t x_max = ((kRansLow >> kProbBits) << 8) * f;
    while (x >= x_max) {
      rev.push_back(static_cast<char>(x & 0xff));
      x >>= 8;
    }
    x = ((x / f) << kProbBits) + (x % f) + t.start[symbols[i]];
  }
  PutFixed32(out, x);
  out->append(rev.rbegin(), rev.rend());
}

RansDecoder::RansDecoder(std::string_view stream, std::span<const FreqTable> tables)
    : in_(stream), tables_(tables) {}

bool RansDecoder::Init() {
  if (!GetFixed32(in_, &pos_, &state_)) return false;
  if (state_ < kRansLow) return false;
  slots_.resize(tables_.size());
  for (size_t c = 0; c < tables_.size(); ++c) {
    if (!tables_[c].used) continue;
    auto& slot = slots_[c];
    for (int s = 0; s < kAlphabet; ++s) {
      const uint32_t b = tables_[c].start[s], f = tables_[c].freq[s];
      std::fill(slot.begin() + b, slot.begin() + b + f, static_cast<uint8_t>(s));
    }
  }
  return true;
}

bool RansDecoder::Next(int context, uint8_t* symbol) {
  if (context < 0 || static_cast<size_t>(context) >= tables_.size() || !tables_[context].used) {
    return false;
  }
  const FreqTable& t = tables_[context];
  const uint32_t slot = state_ & (kProbScale - 1);
  const uint8_t s = slots_[context][slot];
  state_ = t.freq[s] * (state_ >> kProbBits) + slot - t.start[s];
  while (state_ < kRansLow) {
    if (pos_ >= in_.size()) return false;
    state_ = (state_ << 8) | static_cast<unsigned char>(in_[pos_++]);
  }
  *symbol = s;
  return true;
}

bool RansDecoder::Done() const { return pos_ == in_.size() && state_ == kRansLow; }

void BitWriter::Put(uint64_t bits, int count) {
  if (count == 0) return;
  if (count < 64) bits &= (uint64_t{1} << count) - 1;
  while (count > 0) {
    const int room = 64 - used_;
    const int take = std::min(room, count);
    acc_ |= (take == 64 ? bits : (bits & ((uint64_t{1} << take) - 1))) << used_;
    used_ += take;
    bits = take == 64 ? 0 : bits >> take;
    count -= take;
    if (used_ == 64) {
      PutFixed64(&out_, acc_);
      acc_ = 0;
      used_ = 0;
    }
  }
}

std::string BitWriter::Finish() {
  while (used_ > 0) {
    out_.push_back(static_cast<char>(acc_ & 0xff));
    acc_ >>= 8;
    used_ = std::max(0, used_ - 8);
  }
  return std::move(out_);
}

bool BitReader::Get(int count, uint64_t* bits) {
  if (count > 56) {  // the accumulator takes 56 bits at once
    uint64_t low, high;
    if (!Get(32, &low) || !Get(count - 32, &high)) return false;
    *bits = low | (high << 32);
    return true;
  }
  while (have_ < count) {
    if (pos_ >= in_.size()) return false;
    acc_ |= static_cast<uint64_t>(static_cast<unsigned char>(in_[pos_++])) << have_;
    have_ += 8;
  }
  *bits = count == 0 ? 0 : acc_ & (~uint64_t{0} >> (64 - count));
  acc_ = count == 0 ? acc_ : acc_ >> count;
  have_ -= count;
  return true;
}

bool BitReader::AtEnd() const { return pos_ == in_.size() && acc_ == 0; }

}  // namespace nanotdb::metricfiles
