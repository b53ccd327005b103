#include "series_codec.h"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "bytes.h"
#include "rans.h"

namespace nanotdb::metricfiles {
namespace {

constexpr int kMaxOrder = 2;
constexpr int kMaxDecimals = 15;
constexpr size_t kMaxRanks = 1u << 16;
constexpr uint64_t kMaxExactInteger = uint64_t{1} << 53;

constexpr std::array<double, 23> kPow10 = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                           1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                           1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Residual z (zigzag) -> symbol: z < 16 is its own symbol; beyond, the bit length and the two
// bits below the leading one make the symbol and the remaining low bits go out raw.
inline void ToSymbol(uint64_t z, uint8_t* sym, int* nbits, uint64_t* extra) {
  if (z < 16) {
    *sym = static_cast<uint8_t>(z);
    *nbits = 0;
    *extra = 0;
    return;
  }
  const int len = 64 - std::countl_zero(z);  // 5..64
  const uint64_t top2 = (z >> (len - 3)) & 3;
  *sym = static_cast<uint8_t>(16 + (len - 5) * 4 + top2);
  *nbits = len - 3;
  *extra = z & ((uint64_t{1} << (len - 3)) - 1);
}

inline int ExtraBits(uint8_t sym) { return sym < 16 ? 0 : (sym - 16) / 4 + 2; }

constexpr std::array<uint8_t, 256> MakeExtraBits() {
  std::array<uint8_t, 256> t{};
  for (int s = 0; s < 256; ++s) t[s] = static_cast<uint8_t>(s < 16 ? 0 : (s - 16) / 4 + 2);
  return t;
}
constexpr std::array<uint8_t, 256> kExtraBits = MakeExtraBits();

inline uint64_t FromSymbol(uint8_t sym, uint64_t extra) {
  if (sym < 16) return sym;
  const int nbits = ExtraBits(sym);
  const uint64_t top2 = (sym - 16) % 4;
  return ((4 | top2) << nbits) | extra;
}

// The context of a symbol: the size class of the symbol before it.
inline uint8_t ContextOf(uint8_t prev, uint8_t prev2, int contexts) {
  if (contexts == 1) return 0;
  const int a = std::max(prev, prev2);
  return a == 0 ? 0 : a < 4 ? 1 : a < 20 ? 2 : 3;
}

uint64_t Gcd(uint64_t a, uint64_t b) {
  while (b != 0) {
    const uint64_t t = a % b;
    a = b;
    b = t;
  }
  return a;
}

// One way to code a sequence: predictor order, divisor, bias and the symbols it leaves.
struct Plan {
  int order = 0;
  uint64_t init[kMaxOrder] = {0, 0};
  uint64_t divisor = 1;
  int64_t bias = 0;
  int contexts = 1;
  std::vector<uint8_t> symbols;
  std::vector<uint64_t> extras;  // zigzag residuals (their raw bits are taken from here)
  std::array<FreqTable, kMaxContexts> tables;
  double cost_bits = 0;
};

void Residuals(std::span<const uint64_t> x, int order, std::vector<uint64_t>* r) {
  r->clear();
  for (size_t i = order; i < x.size(); ++i) {
    uint64_t v = x[i];
    if (order == 1) v = x[i] - x[i - 1];
    if (order == 2) v = (x[i] - x[i - 1]) - (x[i - 1] - x[i - 2]);
    r->push_back(v);
  }
}

// Symbols and the best context count for residuals r of `order`.
void MakePlan(std::span<const uint64_t> x, int order, const std::vector<uint64_t>& r, Plan* p) {
  p->order = order;
  if (order >= 1) p->init[0] = x[0];
  if (order >= 2) p->init[1] = x[1] - x[0];
  uint64_t g = 0;
  for (uint64_t v : r) {
    const auto s = static_cast<int64_t>(v);
    const uint64_t mag = s < 0 ? 0 - v : v;
    g = Gcd(g, mag);
    if (g == 1) break;
  }
  if (g == 0 || g > (uint64_t{1} << 62)) g = 1;
  p->divisor = g;
  std::vector<int64_t> q(r.size());
  for (size_t i = 0; i < r.size(); ++i) {
    q[i] =
        g == 1 ? static_cast<int64_t>(r[i]) : static_cast<int64_t>(r[i]) / static_cast<int64_t>(g);
  }
  p->bias = 0;
  if (!q.empty()) {
    std::vector<int64_t> sorted = q;
    std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
    p->bias = sorted[sorted.size() / 2];
  }
  p->symbols.resize(q.size());
  p->extras.resize(q.size());
  double extra_bits = 0;
  for (size_t i = 0; i < q.size(); ++i) {
    const uint64_t z =
        ZigZag(static_cast<int64_t>(static_cast<uint64_t>(q[i]) - static_cast<uint64_t>(p->bias)));
    int nbits;
    uint64_t extra;
    ToSymbol(z, &p->symbols[i], &nbits, &extra);
    p->extras[i] = z;
    extra_bits += nbits;
  }
  // Try one table and four context tables; keep the cheaper (tables included).
  double best = std::numeric_limits<double>::infinity();
  for (int contexts : {1, kMaxContexts}) {
    std::vector<std::array<uint32_t, kAlphabet>> counts(contexts);
    for (auto& c : counts) c.fill(0);
    uint8_t prev = 0, prev2 = 0;
    for (uint8_t s : p->symbols) {
      ++counts[ContextOf(prev, prev2, contexts)][s];
      prev2 = prev;
      prev = s;
    }
    std::array<FreqTable, kMaxContexts> tables;
    double bits = 0;
    std::string table_bytes;
    for (int c = 0; c < contexts; ++c) {
      tables[c].Normalise(counts[c]);
      if (tables[c].used) {
        for (int s = 0; s < kAlphabet; ++s) bits += tables[c].CostBits(s, counts[c][s]);
        PutFreqTable(tables[c], &table_bytes);
      } else {
        table_bytes.push_back(0);
      }
    }
    bits += 8.0 * table_bytes.size();
    if (bits < best) {
      best = bits;
      p->contexts = contexts;
      p->tables = tables;
    }
  }
  p->cost_bits = best + extra_bits + 8.0 * 12;  // header bytes, roughly
}

void WritePlan(const Plan& p, std::string* out) {
  out->push_back(static_cast<char>(p.order));
  for (int i = 0; i < p.order; ++i) PutVarint(out, p.init[i]);
  PutVarint(out, p.divisor);
  PutVarint(out, ZigZag(p.bias));
  if (p.symbols.empty()) {
    out->push_back(0);
    return;
  }
  out->push_back(static_cast<char>(p.contexts));
  for (int c = 0; c < p.contexts; ++c) {
    if (p.tables[c].used) {
      PutFreqTable(p.tables[c], out);
    } else {
      out->push_back(0);
    }
  }
  std::vector<uint8_t> ctx(p.symbols.size());
  BitWriter bits;
  uint8_t prev = 0, prev2 = 0;
  for (size_t i = 0; i < p.symbols.size(); ++i) {
    ctx[i] = ContextOf(prev, prev2, p.contexts);
    prev2 = prev;
    prev = p.symbols[i];
    bits.Put(p.extras[i], ExtraBits(p.symbols[i]));
  }
  std::string stream;
  RansEncode(p.symbols, ctx, p.tables, &stream);
  PutVarint(out, stream.size());
  out->append(stream);
  out->append(bits.Finish());
}

Status Bad(const char* what) {
  return Status::Corruption(std::string("metric file block: ") + what);
}

inline uint32_t OrderedFromFloat32(uint32_t b) { return (b >> 31) ? ~b : b | 0x80000000u; }
inline uint32_t Float32FromOrdered(uint32_t o) { return (o >> 31) ? o ^ 0x80000000u : ~o; }
inline uint64_t OrderedFromBits(uint64_t b) { return (b >> 63) ? ~b : b | (uint64_t{1} << 63); }
inline uint64_t BitsFromOrdered(uint64_t o) { return (o >> 63) ? o ^ (uint64_t{1} << 63) : ~o; }

int FindDecimals(std::span<const uint64_t> bits) {
  for (int k = 0; k <= kMaxDecimals; ++k) {
    bool ok = true;
    for (uint64_t b : bits) {
      const double v = std::bit_cast<double>(b);
      if (!std::isfinite(v) || b == (uint64_t{1} << 63)) return -1;  // NaN, Inf, -0
      const double scaled = std::round(v * kPow10[k]);
      if (!(std::fabs(scaled) <= static_cast<double>(kMaxExactInteger))) {
        ok = false;
        break;
      }
      const auto x = static_cast<int64_t>(scaled);
      if (std::bit_cast<uint64_t>(static_cast<double>(x) / kPow10[k]) != b) {
        ok = false;
        break;
      }
    }
    if (ok) return k;
  }
  return -1;
}

bool AllFloat32(std::span<const uint64_t> bits) {
  for (uint64_t b : bits) {
    const double v = std::bit_cast<double>(b);
    const auto f = static_cast<float>(v);
    if (std::bit_cast<uint64_t>(FastWidenFloat32(f)) != b) return false;
  }
  return true;
}

void MapToDomain(ValueDomain d, int decimals, std::span<const uint64_t> bits,
                 std::vector<uint64_t>* x) {
  x->resize(bits.size());
  for (size_t i = 0; i < bits.size(); ++i) {
    const uint64_t b = bits[i];
    switch (d) {
      case ValueDomain::kInteger:
        (*x)[i] = b;
        break;
      case ValueDomain::kDecimal:
        (*x)[i] = static_cast<uint64_t>(
            static_cast<int64_t>(std::round(std::bit_cast<double>(b) * kPow10[decimals])));
        break;
      case ValueDomain::kFloat32:
        (*x)[i] = OrderedFromFloat32(
            std::bit_cast<uint32_t>(static_cast<float>(std::bit_cast<double>(b))));
        break;
      case ValueDomain::kBits:
        (*x)[i] = OrderedFromBits(b);
        break;
    }
  }
}

}  // namespace

namespace {

Plan BestPlan(std::span<const uint64_t> x) {
  Plan best;
  bool have = false;
  std::vector<uint64_t> r;
  for (int order = 0; order <= kMaxOrder; ++order) {
    if (order > 0 && static_cast<size_t>(order) >= x.size()) break;
    Residuals(x, order, &r);
    Plan p;
    MakePlan(x, order, r, &p);
    if (!have || p.cost_bits < best.cost_bits) {
      best = std::move(p);
      have = true;
    }
  }
  return best;
}

Status DecodePlanned(std::string_view in, size_t count, std::vector<uint64_t>* out);

}  // namespace

// Mode byte: 0 = the values themselves, 1 = ranks into a table of the distinct values (a
// series of few distinct values with irregular steps, such as a sensor in 62.5 mdeg steps).
void EncodeIntegers(std::span<const uint64_t> x, std::string* out) {
  Plan plain = BestPlan(x);
  std::vector<int64_t> distinct(x.begin(), x.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() > 1 && distinct.size() <= x.size() / 4 && distinct.size() <= kMaxRanks) {
    std::string table;
    PutVarint(&table, distinct.size());
    PutVarint(&table, ZigZag(distinct[0]));
    for (size_t i = 1; i < distinct.size(); ++i) {
      PutVarint(&table,
                static_cast<uint64_t>(distinct[i]) - static_cast<uint64_t>(distinct[i - 1]));
    }
    std::vector<uint64_t> ranks(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      ranks[i] = std::lower_bound(distinct.begin(), distinct.end(), static_cast<int64_t>(x[i])) -
                 distinct.begin();
    }
    Plan ranked = BestPlan(ranks);
    if (ranked.cost_bits + 8.0 * table.size() < plain.cost_bits) {
      out->push_back(1);
      out->append(table);
      WritePlan(ranked, out);
      return;
    }
  }
  out->push_back(0);
  WritePlan(plain, out);
}

Status DecodeIntegers(std::string_view in, size_t count, std::vector<uint64_t>* out) {
  if (in.empty()) return Bad("empty integer stream");
  const auto mode = static_cast<unsigned char>(in[0]);
  if (mode == 0) return DecodePlanned(in.substr(1), count, out);
  if (mode != 1) return Bad("unknown integer stream mode");
  size_t pos = 1;
  uint64_t m, first;
  if (!GetVarint(in, &pos, &m) || m < 2 || m > kMaxRanks || m > count ||
      !GetVarint(in, &pos, &first)) {
    return Bad("bad value table");
  }
  std::vector<uint64_t> table(m);
  table[0] = static_cast<uint64_t>(UnZigZag(first));
  for (size_t i = 1; i < m; ++i) {
    uint64_t gap;
    if (!GetVarint(in, &pos, &gap) || gap == 0) return Bad("bad value table");
    table[i] = table[i - 1] + gap;
  }
  const size_t base = out->size();
  NANOTDB_RETURN_IF_ERROR(DecodePlanned(in.substr(pos), count, out));
  for (size_t i = base; i < out->size(); ++i) {
    if ((*out)[i] >= m) return Bad("rank beyond the value table");
    (*out)[i] = table[(*out)[i]];
  }
  return Status::Ok();
}

namespace {

// The decoding loop's view of the frequency tables: per context and slot of the state's low
// kProbBits, the symbol, its frequency - 1 and the slot's offset from the symbol's start, in
// one word; the contexts side by side, so the next word is at (context << kProbBits) | slot.
struct SlotTables {
  std::array<uint32_t, kMaxContexts * kProbScale> slot;
  void Build(int context, const FreqTable& t) {
    uint32_t* out = slot.data() + (static_cast<size_t>(context) << kProbBits);
    for (int sym = 0; sym < kAlphabet; ++sym) {
      const uint32_t b = t.start[sym], f = t.freq[sym];
      for (uint32_t i = 0; i < f; ++i) {
        out[b + i] = static_cast<uint32_t>(sym) | ((f - 1) << 8) | (i << 20);
      }
    }
  }
};
static_assert(kProbBits == 12, "SlotTables packs 12-bit frequencies and offsets");

// The size class of a symbol, as ContextOf counts it (ContextOf is the larger class of the two
// symbols before), without a table: it sits on the decoder's critical path.
inline int SymbolClass(uint32_t sym) {
  return static_cast<int>(sym != 0) + static_cast<int>(sym >= 4) + static_cast<int>(sym >= 20);
}

// LSB-first raw bits read 8 bytes at a time where they are there; the same stream and checks
// as BitReader.
class FastBits {
 public:
  explicit FastBits(std::string_view in)
      : p_(reinterpret_cast<const unsigned char*>(in.data())), end_(p_ + in.size()) {}
  // count 1..56
  [[gnu::always_inline]] inline bool Get(int count, uint64_t* bits) {
    if (have_ < count) {
      if (end_ - p_ >= 8) {
        uint64_t w;
        std::memcpy(&w, p_, 8);
        if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
        acc_ |= w << have_;
        p_ += (63 - have_) >> 3;
        have_ |= 56;
      } else {
        while (have_ <= 56 && p_ < end_) {
          acc_ |= uint64_t{*p_++} << have_;
          have_ += 8;
        }
        if (have_ < count) return false;
      }
    }
    *bits = acc_ & (~uint64_t{0} >> (64 - count));
    acc_ >>= count;
    have_ -= count;
    return true;
  }
  // count 0..56, refilling whether or not it is needed (no branch on the data where 8 bytes
  // are left).
  [[gnu::always_inline]] inline bool Take(int count, uint64_t* bits) {
    if (end_ - p_ >= 8) [[likely]] {
      uint64_t w;
      std::memcpy(&w, p_, 8);
      if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
      acc_ |= w << have_;
      p_ += (63 - have_) >> 3;
      have_ |= 56;
    } else {
      while (have_ <= 56 && p_ < end_) {
        acc_ |= uint64_t{*p_++} << have_;
        have_ += 8;
      }
      if (have_ < count) return false;
    }
    *bits = acc_ & ((uint64_t{1} << count) - 1);
    acc_ >>= count;
    have_ -= count;
    return true;
  }
  [[gnu::always_inline]] inline bool GetWide(int count, uint64_t* bits) {  // count 1..64
    if (count <= 56) return Get(count, bits);
    uint64_t low, high;
    if (!Get(32, &low) || !Get(count - 32, &high)) return false;
    *bits = low | (high << 32);
    return true;
  }
  // Only the zero padding of the last byte is left.
  bool AtEnd() const {
    return p_ == end_ && (have_ == 0 || (acc_ & (~uint64_t{0} >> (64 - have_))) == 0) && have_ < 8;
  }

 private:
  const unsigned char* p_;
  const unsigned char* end_;
  uint64_t acc_ = 0;
  int have_ = 0;
};

Status DecodePlanned(std::string_view in, size_t count, std::vector<uint64_t>* out) {
  size_t pos = 0;
  if (in.empty()) return Bad("empty integer stream");
  const int order = static_cast<unsigned char>(in[pos++]);
  if (order > kMaxOrder) return Bad("unknown predictor order");
  if (count > 0 && static_cast<size_t>(order) >= count && order > 0) {
    return Bad("predictor order exceeds the sample count");
  }
  uint64_t init[kMaxOrder] = {0, 0};
  for (int i = 0; i < order; ++i) {
    if (!GetVarint(in, &pos, &init[i])) return Bad("truncated initial values");
  }
  uint64_t divisor, zbias;
  if (!GetVarint(in, &pos, &divisor) || divisor == 0) return Bad("bad divisor");
  if (!GetVarint(in, &pos, &zbias)) return Bad("truncated bias");
  const uint64_t bias = static_cast<uint64_t>(UnZigZag(zbias));
  if (pos >= in.size()) return Bad("truncated context count");
  const int contexts = static_cast<unsigned char>(in[pos++]);
  const size_t residuals = count > static_cast<size_t>(order) ? count - order : 0;
  const size_t base = out->size();
  if (residuals == 0) {
    if (contexts != 0 || pos != in.size()) return Bad("bytes after an empty stream");
    if (count >= 1) out->push_back(order >= 1 ? init[0] : 0);
    if (count >= 2) out->push_back(init[0] + init[1]);
    return Status::Ok();
  }
  if (contexts != 1 && contexts != kMaxContexts) return Bad("bad context count");
  std::array<FreqTable, kMaxContexts> tables;
  for (int c = 0; c < contexts; ++c) {
    if (pos < in.size() && in[pos] == 0) {
      ++pos;
      continue;
    }
    if (!GetFreqTable(in, &pos, &tables[c])) return Bad("bad frequency table");
  }
  uint64_t stream_len;
  std::string_view stream;
  if (!GetVarint(in, &pos, &stream_len) || !GetBytes(in, &pos, stream_len, &stream)) {
    return Bad("truncated rANS stream");
  }
  // The slot tables of the used contexts (kept per thread: 16 KiB each).
  thread_local SlotTables slot_tables;
  unsigned used = 0;  // bit c: context c has a table
  for (int c = 0; c < contexts; ++c) {
    if (!tables[c].used) continue;
    slot_tables.Build(c, tables[c]);
    used |= 1u << c;
  }
  const uint32_t* const slots = slot_tables.slot.data();
  const auto* sp = reinterpret_cast<const unsigned char*>(stream.data());
  const unsigned char* const send = sp + stream.size();
  if (send - sp < 4) return Bad("bad rANS state");
  uint32_t state;
  std::memcpy(&state, sp, 4);
  if constexpr (std::endian::native == std::endian::big) state = __builtin_bswap32(state);
  sp += 4;
  if (state < kRansLow) return Bad("bad rANS state");
  FastBits bits(in.substr(pos));

  out->resize(base + count);
  uint64_t* o = out->data() + base;
  uint64_t prev_x = 0, delta = 0;
  if (order >= 1) {
    *o++ = init[0];
    prev_x = init[0];
  }
  if (order >= 2) {
    delta = init[1];
    prev_x += delta;
    *o++ = prev_x;
  }
  const int class_mask = contexts == 1 ? 0 : 3;
  int prev_class = 0, prev2_class = 0;
  // One table of one symbol (a constant series, a counter rising by the same step): the state
  // stays as it is, so only the raw bits vary.
  const bool one_symbol =
      contexts == 1 && used == 1 &&
      std::count(tables[0].freq.begin(), tables[0].freq.end(), 0) == kAlphabet - 1;
  const size_t table_loop_from = one_symbol ? residuals : 0;
  if (one_symbol) {
    const uint32_t sym = slots[0] & 0xff;
    const int nbits = sym >= 16 ? ExtraBits(static_cast<uint8_t>(sym)) : 0;
    const uint64_t top = sym >= 16 ? (uint64_t{4} | ((sym - 16) % 4)) << nbits : sym;
    for (size_t i = 0; i < residuals; ++i) {
      uint64_t extra = 0;
      if (nbits > 0 && !bits.GetWide(nbits, &extra)) {
        out->resize(base);
        return Bad("truncated raw bits");
      }
      const uint64_t r = (static_cast<uint64_t>(UnZigZag(top | extra)) + bias) * divisor;
      if (order == 0) {
        *o++ = r;
      } else if (order == 1) {
        prev_x += r;
        *o++ = prev_x;
      } else {
        delta += r;
        prev_x += delta;
        *o++ = prev_x;
      }
    }
  }
  for (size_t i = table_loop_from; i < residuals; ++i) {
    const int context = std::max(prev_class, prev2_class) & class_mask;
    if ((used & (1u << context)) == 0) {
      out->resize(base);
      return Bad("bad rANS stream");
    }
    const uint32_t e =
        slots[(static_cast<uint32_t>(context) << kProbBits) | (state & (kProbScale - 1))];
    const uint32_t sym = e & 0xff;
    state = (((e >> 8) & 0xfff) + 1) * (state >> kProbBits) + (e >> 20);
    while (state < kRansLow) {
      if (sp == send) {
        out->resize(base);
        return Bad("bad rANS stream");
      }
      state = (state << 8) | *sp++;
    }
    prev2_class = prev_class;
    prev_class = SymbolClass(sym);
    // Small and large residuals alternate at random on noisy data: no branch on which.
    const int nbits = kExtraBits[sym];
    uint64_t extra;
    if (nbits > 56 ? !bits.GetWide(nbits, &extra) : !bits.Take(nbits, &extra)) {
      out->resize(base);
      return Bad("truncated raw bits");
    }
    const uint64_t top = sym < 16 ? sym : (uint64_t{4} | ((sym - 16) % 4)) << nbits;
    const uint64_t z = top | extra;
    const uint64_t r = (static_cast<uint64_t>(UnZigZag(z)) + bias) * divisor;
    if (order == 0) {
      *o++ = r;
    } else if (order == 1) {
      prev_x += r;
      *o++ = prev_x;
    } else {
      delta += r;
      prev_x += delta;
      *o++ = prev_x;
    }
  }
  if (sp != send || state != kRansLow) {
    out->resize(base);
    return Bad("rANS stream not consumed exactly");
  }
  if (!bits.AtEnd()) {
    out->resize(base);
    return Bad("raw bits not consumed exactly");
  }
  return Status::Ok();
}

}  // namespace

void EncodeTimes(std::span<const Timestamp> ts, std::string* out) {
  std::vector<uint64_t> x(ts.begin(), ts.end());
  EncodeIntegers(x, out);
}

Status DecodeTimes(std::string_view in, size_t count, std::vector<Timestamp>* out) {
  std::vector<uint64_t> x;
  NANOTDB_RETURN_IF_ERROR(DecodeIntegers(in, count, &x));
  out->reserve(out->size() + x.size());
  for (uint64_t v : x) out->push_back(static_cast<Timestamp>(v));
  return Status::Ok();
}

void EncodeValues(ValueType type, std::span<const uint64_t> bits, std::string* out) {
  std::vector<uint64_t> x;
  if (type != ValueType::kFloat64) {
    out->push_back(static_cast<char>(ValueDomain::kInteger));
    EncodeIntegers(bits, out);
    return;
  }
  // Every domain that holds these values exactly; the smallest block wins.
  std::string best;
  auto consider = [&](ValueDomain d, int decimals) {
    std::string body(1, static_cast<char>(d));
    if (d == ValueDomain::kDecimal) body.push_back(static_cast<char>(decimals));
    MapToDomain(d, decimals, bits, &x);
    EncodeIntegers(x, &body);
    if (best.empty() || body.size() < best.size()) best = std::move(body);
  };
  const int decimals = FindDecimals(bits);
  if (decimals >= 0) consider(ValueDomain::kDecimal, decimals);
  if (AllFloat32(bits)) consider(ValueDomain::kFloat32, 0);
  consider(ValueDomain::kBits, 0);
  out->append(best);
}

Status DecodeValues(ValueType type, std::string_view in, size_t count, std::vector<uint64_t>* out) {
  ValueDomain d;
  if (!BlockDomain(in, &d)) return Bad("unknown value domain");
  size_t pos = 1;
  int decimals = 0;
  if (d == ValueDomain::kDecimal) {
    if (pos >= in.size()) return Bad("truncated decimal exponent");
    decimals = static_cast<unsigned char>(in[pos++]);
    if (decimals > kMaxDecimals) return Bad("decimal exponent beyond 15");
  }
  if ((d == ValueDomain::kInteger) != (type != ValueType::kFloat64)) {
    return Bad("value domain does not match the series type");
  }
  const size_t base = out->size();
  NANOTDB_RETURN_IF_ERROR(DecodeIntegers(in.substr(pos), count, out));
  if (out->size() - base != count) return Bad("wrong value count");
  for (size_t i = base; i < out->size(); ++i) {
    uint64_t& v = (*out)[i];
    switch (d) {
      case ValueDomain::kInteger:
        break;
      case ValueDomain::kDecimal: {
        const auto x = static_cast<int64_t>(v);
        if (x > static_cast<int64_t>(kMaxExactInteger) ||
            x < -static_cast<int64_t>(kMaxExactInteger)) {
          return Bad("decimal beyond 2^53");
        }
        v = std::bit_cast<uint64_t>(static_cast<double>(x) / kPow10[decimals]);
        break;
      }
      case ValueDomain::kFloat32: {
        if (v > 0xffffffffu) return Bad("float32 pattern beyond 32 bits");
        const auto f = std::bit_cast<float>(Float32FromOrdered(static_cast<uint32_t>(v)));
        v = std::bit_cast<uint64_t>(FastWidenFloat32(f));
        break;
      }
      case ValueDomain::kBits:
        v = BitsFromOrdered(v);
        break;
    }
  }
  return Status::Ok();
}

double BestOrder0EntropyBits(ValueType type, std::span<const uint64_t> bits) {
  std::vector<std::pair<ValueDomain, int>> domains;
  if (type != ValueType::kFloat64) {
    domains.push_back({ValueDomain::kInteger, 0});
  } else {
    const int decimals = FindDecimals(bits);
    if (decimals >= 0) domains.push_back({ValueDomain::kDecimal, decimals});
    if (AllFloat32(bits)) domains.push_back({ValueDomain::kFloat32, 0});
    domains.push_back({ValueDomain::kBits, 0});
  }
  double best = std::numeric_limits<double>::infinity();
  std::vector<uint64_t> x, r;
  for (auto [d, k] : domains) {
    MapToDomain(d, k, bits, &x);
    for (int order = 0; order <= kMaxOrder && (order == 0 || static_cast<size_t>(order) < x.size());
         ++order) {
      Residuals(x, order, &r);
      std::vector<uint64_t> sorted = r;
      std::sort(sorted.begin(), sorted.end());
      double h = 0;
      for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j < sorted.size() && sorted[j] == sorted[i]) ++j;
        const double p = static_cast<double>(j - i) / sorted.size();
        h -= (j - i) * std::log2(p);
        i = j;
      }
      best = std::min(best, h);
    }
  }
  return best;
}

ValueDomain ChooseDomain(ValueType type, std::span<const uint64_t> bits) {
  std::string block;
  EncodeValues(type, bits, &block);
  ValueDomain d = ValueDomain::kInteger;
  BlockDomain(block, &d);
  return d;
}

bool BlockDomain(std::string_view block, ValueDomain* domain) {
  if (block.empty()) return false;
  const auto d = static_cast<unsigned char>(block[0]);
  if (d > static_cast<unsigned char>(ValueDomain::kBits)) return false;
  *domain = static_cast<ValueDomain>(d);
  return true;
}

const char* DomainName(ValueDomain d) {
  switch (d) {
    case ValueDomain::kInteger:
      return "int";
    case ValueDomain::kDecimal:
      return "decimal";
    case ValueDomain::kFloat32:
      return "float32";
    case ValueDomain::kBits:
      return "bits";
  }
  return "?";
}

}  // namespace nanotdb::metricfiles
