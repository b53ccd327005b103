#include "storage/column_codec.h"

#include <bit>
#include <cmath>
#include <numeric>
#include <string>

#include "base/coding.h"

namespace nanotdb {
namespace {

constexpr double kPow10[kMaxDecimalExponent + 1] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                                    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
constexpr int64_t kPow10Int[10] = {1,      10,      100,      1000,      10000,
                                   100000, 1000000, 10000000, 100000000, 1000000000};
constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53
constexpr int kMaxOrder = 2;

Status Bad(std::string_view what) {
  return Status::Corruption(std::string("column block: ") + std::string(what));
}

int64_t SignExtend(uint64_t v, int width) {
  return width == 32 ? static_cast<int64_t>(static_cast<int32_t>(static_cast<uint32_t>(v)))
                     : static_cast<int64_t>(v);
}

uint64_t Mask(uint64_t v, int width) { return width == 32 ? (v & 0xffffffffu) : v; }

int VarintLength(uint64_t v) { return v == 0 ? 1 : (70 - std::countl_zero(v)) / 7; }

// In place: x[i] -= x[i-1] for i >= first, from the back, in `width`-bit wrapping arithmetic.
void DeltaPass(std::vector<uint64_t>* x, size_t first, int width) {
  for (size_t i = x->size(); i-- > first;) (*x)[i] = Mask((*x)[i] - (*x)[i - 1], width);
}

// Largest d such that every residual from index `first` on is a multiple of d (1 if none).
uint64_t CommonDivisor(const std::vector<uint64_t>& x, size_t first, int width) {
  uint64_t g = 0;
  for (size_t i = first; i < x.size() && g != 1; ++i) {
    const int64_t r = SignExtend(x[i], width);
    // |INT64_MIN| does not fit int64; treat it as having no divisor.
    g = std::gcd(g, r == INT64_MIN ? 1 : static_cast<uint64_t>(r < 0 ? -r : r));
  }
  return g == 0 ? 1 : g;
}

int64_t Residual(const std::vector<uint64_t>& x, size_t i, size_t first, uint64_t divisor,
                 int width) {
  const int64_t r = SignExtend(x[i], width);
  return i < first ? r : r / static_cast<int64_t>(divisor);
}

uint64_t StreamCost(const std::vector<uint64_t>& x, size_t first, uint64_t divisor, int width) {
  uint64_t cost = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    cost += VarintLength(ZigZagEncode64(Residual(x, i, first, divisor, width)));
  }
  return cost;
}

// Writes x (values of `width` bits) as a residual stream: u8 order, varint divisor, zigzag
// varint residuals. The order (0 = values, 1 = deltas, 2 = delta-of-deltas) minimising the
// varint size wins; residual i < order is the i-th difference of x[i], so the stream is
// self-contained. Residuals from index `order` on are divided by their common divisor (byte
// counters move in 4 KiB pages, large float32 integers in steps of their ulp).
void PutResidualStream(std::vector<uint64_t> x, int width, std::string* out) {
  std::vector<uint64_t> best = x;
  uint64_t best_divisor = CommonDivisor(x, 0, width);
  uint64_t best_cost = StreamCost(x, 0, best_divisor, width);
  int best_order = 0;
  for (int order = 1; order <= kMaxOrder; ++order) {
    DeltaPass(&x, order, width);
    const uint64_t divisor = CommonDivisor(x, order, width);
    const uint64_t cost = StreamCost(x, order, divisor, width);
    if (cost < best_cost) {
      best_cost = cost;
      best = x;
      best_order = order;
      best_divisor = divisor;
    }
  }
  out->push_back(static_cast<char>(best_order));
  PutVarint64(out, best_divisor);
  for (size_t i = 0; i < best.size(); ++i) {
    PutVarint64(out, ZigZagEncode64(Residual(best, i, best_order, best_divisor, width)));
  }
}

// Reads a residual stream of exactly `count` residuals and undoes its differencing.
// The loops work on local pointers: stores through the vector's data could otherwise alias the
// string_view's size (both unsigned long) and force a reload of it for every byte.
Status GetResidualStream(std::string_view* in, size_t count, int width, std::vector<uint64_t>* x) {
  if (in->empty()) return Bad("residual stream header is truncated");
  const int order = static_cast<unsigned char>((*in)[0]);
  in->remove_prefix(1);
  if (order > kMaxOrder) return Bad("unknown residual order " + std::to_string(order));
  uint64_t divisor;
  if (!GetVarint64(in, &divisor) || divisor == 0 || divisor > INT64_MAX) {
    return Bad("bad residual divisor");
  }
  if (in->size() < count) return Bad("residual stream is truncated");
  x->resize(count);
  uint64_t* const out = x->data();
  const char* p = in->data();
  const char* const end = p + in->size();
  for (size_t i = 0; i < count; ++i) {
    uint64_t zz;
    if (p != end && static_cast<unsigned char>(*p) < 0x80) {  // one-byte fast path
      zz = static_cast<unsigned char>(*p++);
    } else {
      std::string_view rest(p, static_cast<size_t>(end - p));
      if (!GetVarint64(&rest, &zz)) return Bad("residual varint is truncated or overlong");
      p = rest.data();
    }
    out[i] = static_cast<uint64_t>(ZigZagDecode64(zz));
  }
  *in = std::string_view(p, static_cast<size_t>(end - p));
  if (divisor != 1) {
    const auto d = static_cast<int64_t>(divisor);
    for (size_t i = static_cast<size_t>(order); i < count; ++i) {
      int64_t r;
      if (__builtin_mul_overflow(static_cast<int64_t>(out[i]), d, &r)) {
        return Bad("residual times divisor overflows");
      }
      out[i] = static_cast<uint64_t>(r);
    }
  }
  if (width == 32) {
    for (size_t i = 0; i < count; ++i) {
      const auto r = static_cast<int64_t>(out[i]);
      if (r < INT32_MIN || r > INT32_MAX) return Bad("residual does not fit 32 bits");
      out[i] = Mask(out[i], 32);
    }
    for (int pass = order; pass >= 1; --pass) {
      for (size_t i = pass; i < count; ++i) out[i] = Mask(out[i] + out[i - 1], 32);
    }
    return Status::Ok();
  }
  for (int pass = order; pass >= 1; --pass) {
    for (size_t i = pass; i < count; ++i) out[i] += out[i - 1];
  }
  return Status::Ok();
}

// Whether the float64 `bits` is x / 10^k for an integer |x| <= 2^53, checked with exactly
// what the decoder computes (so -0.0, NaN and infinities fail); *scaled = x.
bool DecimalRoundTrips(uint64_t bits, int k, int64_t* scaled) {
  const double v = std::bit_cast<double>(bits);
  const double x = std::nearbyint(v * kPow10[k]);
  if (!(std::fabs(x) <= kMaxExactInteger)) return false;  // also rejects NaN
  const auto integer = static_cast<int64_t>(x);
  if (std::bit_cast<uint64_t>(static_cast<double>(integer) / kPow10[k]) != bits) return false;
  *scaled = integer;
  return true;
}

// Format version 1 float32 decimals: float(double(x) / 10^k).
uint32_t LegacyDecimalFloat(int64_t x, int k) {
  return std::bit_cast<uint32_t>(static_cast<float>(static_cast<double>(x) / kPow10[k]));
}

// One-entry cache: gauges repeat their previous value often, and the decimal widening
// (types.h) formats and parses a number.
class Float32Widener {
 public:
  uint64_t operator()(uint32_t bits) {
    if (!valid_ || bits != bits_) {
      bits_ = bits;
      valid_ = true;
      value_ = std::bit_cast<uint64_t>(WidenFloat32(std::bit_cast<float>(bits)));
    }
    return value_;
  }

 private:
  bool valid_ = false;
  uint32_t bits_ = 0;
  uint64_t value_ = 0;
};

uint64_t WidenInt32(uint32_t bits) {
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(bits)));
}

// Gorilla XOR coding of `Width`-bit patterns (32 for format version 1 float32, 64 for
// float64), most significant bit first.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Put(uint64_t value, int bits) {  // bits <= 64
    if (bits > 32) {
      PutSmall(value >> 32, bits - 32);
      bits = 32;
    }
    PutSmall(value, bits);
  }
  void Flush() {
    if (used_ > 0) out_->push_back(static_cast<char>(acc_ << (8 - used_)));
    used_ = 0;
  }

 private:
  void PutSmall(uint64_t value, int bits) {  // bits <= 32
    acc_ = (acc_ << bits) | (value & ((uint64_t{1} << bits) - 1));
    used_ += bits;
    while (used_ >= 8) {
      used_ -= 8;
      out_->push_back(static_cast<char>(acc_ >> used_));
    }
  }
  std::string* out_;
  uint64_t acc_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view in) : in_(in) {}
  bool Get(int bits, uint64_t* value) {  // bits <= 64
    if (pos_ + bits > in_.size() * 8) return false;
    uint64_t v = 0;
    while (bits > 0) {
      const auto byte = static_cast<unsigned char>(in_[pos_ / 8]);
      const int avail = 8 - static_cast<int>(pos_ % 8);
      const int take = std::min(avail, bits);
      const unsigned chunk = (byte >> (avail - take)) & ((1u << take) - 1);
      v = (v << take) | chunk;
      pos_ += take;
      bits -= take;
    }
    *value = v;
    return true;
  }
  size_t bytes_used() const { return (pos_ + 7) / 8; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

// Control fields: the leading-zero count takes 5 bits for 32-bit words and 6 for 64-bit ones,
// and so does the window length minus one.
template <int Width>
constexpr int kFieldBits = Width == 32 ? 5 : 6;

template <int Width>
uint64_t WordMask() {
  return Width == 64 ? ~uint64_t{0} : (uint64_t{1} << Width) - 1;
}

void PutXor64(std::span<const Sample> samples, std::string* out) {
  constexpr int kWidth = 64;
  constexpr int kField = kFieldBits<kWidth>;
  BitWriter w(out);
  uint64_t prev = samples[0].bits;
  w.Put(prev, kWidth);
  int prev_lead = -1, prev_trail = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const uint64_t x = samples[i].bits ^ prev;
    prev = samples[i].bits;
    if (x == 0) {
      w.Put(0, 1);
      continue;
    }
    const int lead = std::min(std::countl_zero(x), (1 << kField) - 1);
    const int trail = std::countr_zero(x);
    if (prev_lead >= 0 && lead >= prev_lead && trail >= prev_trail) {
      w.Put(0b10, 2);
      w.Put(x >> prev_trail, kWidth - prev_lead - prev_trail);
      continue;
    }
    const int meaningful = kWidth - lead - trail;  // 1..64
    w.Put(0b11, 2);
    w.Put(lead, kField);
    w.Put(meaningful - 1, kField);
    w.Put(x >> trail, meaningful);
    prev_lead = lead;
    prev_trail = trail;
  }
  w.Flush();
}

// Decodes a Width-bit XOR stream into *out as Width-bit words.
template <int Width>
Status GetXor(std::string_view in, size_t count, std::vector<uint64_t>* out) {
  constexpr int kField = kFieldBits<Width>;
  BitReader r(in);
  uint64_t prev;
  if (!r.Get(Width, &prev)) return Bad("XOR stream is truncated");
  out->push_back(prev);
  int prev_lead = -1, prev_trail = 0;
  for (size_t i = 1; i < count; ++i) {
    uint64_t control;
    if (!r.Get(1, &control)) return Bad("XOR stream is truncated");
    if (control == 0) {
      out->push_back(prev);
      continue;
    }
    if (!r.Get(1, &control)) return Bad("XOR stream is truncated");
    if (control == 1) {
      uint64_t lead, meaningful_minus_one;
      if (!r.Get(kField, &lead) || !r.Get(kField, &meaningful_minus_one)) {
        return Bad("XOR stream is truncated");
      }
      const int meaningful = static_cast<int>(meaningful_minus_one) + 1;
      if (static_cast<int>(lead) + meaningful > Width) return Bad("XOR window exceeds the word");
      prev_lead = static_cast<int>(lead);
      prev_trail = Width - prev_lead - meaningful;
    } else if (prev_lead < 0) {
      return Bad("XOR stream reuses a window before defining one");
    }
    uint64_t bits;
    if (!r.Get(Width - prev_lead - prev_trail, &bits)) return Bad("XOR stream is truncated");
    prev = (prev ^ (bits << prev_trail)) & WordMask<Width>();
    out->push_back(prev);
  }
  if (r.bytes_used() != in.size()) return Bad("XOR stream has trailing bytes");
  return Status::Ok();
}

Status ExpectEnd(std::string_view in) {
  return in.empty() ? Status::Ok() : Bad("block has trailing bytes");
}

}  // namespace

void EncodeTimestamps(std::span<const Sample> samples, std::string* out) {
  out->push_back(static_cast<char>(BlockEncoding::kTimestamps));
  if (samples.empty()) return;
  PutVarint64(out, ZigZagEncode64(samples[0].ts));
  // Deltas (wrapping, so extreme timestamps cannot overflow) share a power-of-ten factor when
  // the source stamps in ms or s; dividing it out shrinks every residual.
  std::vector<uint64_t> deltas(samples.size() - 1);
  for (size_t i = 1; i < samples.size(); ++i) {
    deltas[i - 1] = static_cast<uint64_t>(samples[i].ts) - static_cast<uint64_t>(samples[i - 1].ts);
  }
  int scale = 9;
  for (uint64_t d : deltas) {
    while (scale > 0 && static_cast<int64_t>(d) % kPow10Int[scale] != 0) --scale;
    if (scale == 0) break;
  }
  if (deltas.empty()) scale = 0;
  for (uint64_t& d : deltas) d = static_cast<uint64_t>(static_cast<int64_t>(d) / kPow10Int[scale]);
  out->push_back(static_cast<char>(scale));
  PutResidualStream(std::move(deltas), 64, out);
}

Status DecodeTimestamps(std::string_view in, size_t count, std::vector<Timestamp>* out) {
  if (in.empty() || in[0] != static_cast<char>(BlockEncoding::kTimestamps)) {
    return Bad("expected a timestamp block");
  }
  in.remove_prefix(1);
  if (count == 0) return ExpectEnd(in);
  uint64_t first_zz;
  if (!GetVarint64(&in, &first_zz)) return Bad("first timestamp is truncated");
  if (in.empty()) return Bad("timestamp scale is missing");
  const int scale = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  if (scale > 9) return Bad("timestamp scale out of range");
  std::vector<uint64_t> deltas;
  NANOTDB_RETURN_IF_ERROR(GetResidualStream(&in, count - 1, 64, &deltas));
  NANOTDB_RETURN_IF_ERROR(ExpectEnd(in));
  uint64_t ts = static_cast<uint64_t>(ZigZagDecode64(first_zz));
  out->reserve(out->size() + count);
  out->push_back(static_cast<Timestamp>(ts));
  for (uint64_t d : deltas) {
    ts += d * static_cast<uint64_t>(kPow10Int[scale]);
    out->push_back(static_cast<Timestamp>(ts));
  }
  return Status::Ok();
}

int FindDecimalExponent(std::span<const uint64_t> double_bits) {
  int k = 0;
  int64_t scaled;
  for (uint64_t bits : double_bits) {
    while (k <= kMaxDecimalExponent && !DecimalRoundTrips(bits, k, &scaled)) ++k;
    if (k > kMaxDecimalExponent) return -1;
  }
  // A value that round-trips at its own exponent almost always does at a larger one; confirm.
  for (; k <= kMaxDecimalExponent; ++k) {
    bool all = true;
    for (uint64_t bits : double_bits) {
      if (!DecimalRoundTrips(bits, k, &scaled)) {
        all = false;
        break;
      }
    }
    if (all) return k;
  }
  return -1;
}

void EncodeValueCandidates(ValueType type, std::span<const Sample> samples,
                           std::vector<std::string>* bodies) {
  bodies->clear();
  if (IsIntegerType(type)) {
    std::string body(1, static_cast<char>(BlockEncoding::kInt64Delta));
    std::vector<uint64_t> x(samples.size());
    for (size_t i = 0; i < samples.size(); ++i) x[i] = samples[i].bits;
    PutResidualStream(std::move(x), 64, &body);
    bodies->push_back(std::move(body));
    return;
  }
  std::vector<uint64_t> bits(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) bits[i] = samples[i].bits;
  const int k = samples.empty() ? -1 : FindDecimalExponent(bits);
  if (k >= 0) {
    std::string decimal_body(1, static_cast<char>(BlockEncoding::kFloat64Decimal));
    decimal_body.push_back(static_cast<char>(k));
    std::vector<uint64_t> x(samples.size());
    int64_t scaled = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      DecimalRoundTrips(bits[i], k, &scaled);
      x[i] = static_cast<uint64_t>(scaled);
    }
    PutResidualStream(std::move(x), 64, &decimal_body);
    bodies->push_back(std::move(decimal_body));
  }
  std::string xor_body(1, static_cast<char>(BlockEncoding::kFloat64Xor));
  if (!samples.empty()) PutXor64(samples, &xor_body);
  bodies->push_back(std::move(xor_body));
}

void EncodeValues(ValueType type, std::span<const Sample> samples, std::string* out) {
  std::vector<std::string> bodies;
  EncodeValueCandidates(type, samples, &bodies);
  size_t best = 0;
  for (size_t i = 1; i < bodies.size(); ++i) {
    if (bodies[i].size() < bodies[best].size()) best = i;
  }
  out->append(bodies[best]);
}

namespace {

// A decimal block body after its encoding byte: k, then the scaled integers.
Status GetDecimals(std::string_view in, size_t count, int max_k, int* k, std::vector<uint64_t>* x) {
  if (in.empty()) return Bad("decimal exponent is missing");
  *k = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  if (*k > max_k) return Bad("decimal exponent out of range");
  NANOTDB_RETURN_IF_ERROR(GetResidualStream(&in, count, 64, x));
  return ExpectEnd(in);
}

bool EncodingFits(ValueType type, BlockEncoding e) {
  switch (type) {
    case ValueType::kInt32:
      return e == BlockEncoding::kInt32Delta;
    case ValueType::kFloat32:
      return e == BlockEncoding::kFloatDecimal || e == BlockEncoding::kFloatXor;
    case ValueType::kInt64:
      return e == BlockEncoding::kInt64Delta;
    case ValueType::kFloat64:
      return e == BlockEncoding::kFloat64Decimal || e == BlockEncoding::kFloat64Xor;
  }
  return false;
}

}  // namespace

Status DecodeValues(ValueType type, std::string_view in, size_t count, std::vector<uint64_t>* out) {
  if (in.empty()) return Bad("value block is empty");
  const auto encoding = static_cast<BlockEncoding>(in[0]);
  in.remove_prefix(1);
  if (type != ValueType::kInt32 && type != ValueType::kFloat32 && type != ValueType::kInt64 &&
      type != ValueType::kFloat64) {
    return Bad("unknown value type");
  }
  if (!EncodingFits(type, encoding)) {
    return Bad(std::string(ValueTypeName(type)) + " column has encoding " +
               std::to_string(static_cast<int>(encoding)));
  }
  out->reserve(out->size() + count);
  std::vector<uint64_t> x;
  int k = 0;
  Float32Widener widen;
  switch (encoding) {
    case BlockEncoding::kInt32Delta:
      NANOTDB_RETURN_IF_ERROR(GetResidualStream(&in, count, 32, &x));
      NANOTDB_RETURN_IF_ERROR(ExpectEnd(in));
      for (uint64_t v : x) out->push_back(WidenInt32(static_cast<uint32_t>(v)));
      return Status::Ok();
    case BlockEncoding::kInt64Delta:
      NANOTDB_RETURN_IF_ERROR(GetResidualStream(&in, count, 64, &x));
      NANOTDB_RETURN_IF_ERROR(ExpectEnd(in));
      out->insert(out->end(), x.begin(), x.end());
      return Status::Ok();
    case BlockEncoding::kFloatXor:
      if (count == 0) return ExpectEnd(in);
      NANOTDB_RETURN_IF_ERROR(GetXor<32>(in, count, &x));
      for (uint64_t v : x) out->push_back(widen(static_cast<uint32_t>(v)));
      return Status::Ok();
    case BlockEncoding::kFloat64Xor:
      if (count == 0) return ExpectEnd(in);
      return GetXor<64>(in, count, out);
    case BlockEncoding::kFloatDecimal:
      if (count == 0) return ExpectEnd(in);
      NANOTDB_RETURN_IF_ERROR(GetDecimals(in, count, 9, &k, &x));
      for (uint64_t v : x) out->push_back(widen(LegacyDecimalFloat(static_cast<int64_t>(v), k)));
      return Status::Ok();
    case BlockEncoding::kFloat64Decimal:
      if (count == 0) return ExpectEnd(in);
      NANOTDB_RETURN_IF_ERROR(GetDecimals(in, count, kMaxDecimalExponent, &k, &x));
      for (uint64_t v : x) {
        const auto scaled = static_cast<int64_t>(v);
        if (scaled > INT64_C(9007199254740992) || scaled < -INT64_C(9007199254740992)) {
          return Bad("decimal value beyond 2^53");
        }
        out->push_back(std::bit_cast<uint64_t>(static_cast<double>(scaled) / kPow10[k]));
      }
      return Status::Ok();
    case BlockEncoding::kTimestamps:
      break;
  }
  return Bad("unexpected block encoding");
}

BlockEncoding ChooseValueEncoding(ValueType type, std::span<const Sample> samples) {
  std::string body;
  EncodeValues(type, samples, &body);
  return static_cast<BlockEncoding>(body[0]);
}

}  // namespace nanotdb
