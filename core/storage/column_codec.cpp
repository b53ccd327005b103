#include "storage/column_codec.h"

#include <bit>
#include <cmath>
#include <numeric>
#include <string>

#include "base/coding.h"

namespace nanotdb {
namespace {

constexpr double kPow10[10] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
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
  for (size_t i = 0; i < count; ++i) {
    if (!in->empty() && static_cast<unsigned char>((*in)[0]) < 0x80) {  // one-byte fast path
      (*x)[i] = static_cast<unsigned char>((*in)[0]);
      in->remove_prefix(1);
    } else if (!GetVarint64(in, &(*x)[i])) {
      return Bad("residual varint is truncated or overlong");
    }
  }
  const size_t first_divided = divisor == 1 ? count : static_cast<size_t>(order);
  for (size_t i = 0; i < count; ++i) {
    int64_t r = ZigZagDecode64((*x)[i]);
    if (i >= first_divided && __builtin_mul_overflow(r, static_cast<int64_t>(divisor), &r)) {
      return Bad("residual times divisor overflows");
    }
    if (width == 32 && (r < INT32_MIN || r > INT32_MAX)) {
      return Bad("residual does not fit 32 bits");
    }
    (*x)[i] = Mask(static_cast<uint64_t>(r), width);
  }
  for (int pass = order; pass >= 1; --pass) {
    for (size_t i = pass; i < count; ++i) (*x)[i] = Mask((*x)[i] + (*x)[i - 1], width);
  }
  return Status::Ok();
}

bool DecimalRoundTrips(uint32_t bits, int k, int64_t* scaled) {
  const float v = std::bit_cast<float>(bits);
  const double x = std::nearbyint(static_cast<double>(v) * kPow10[k]);
  if (!(std::fabs(x) <= kMaxExactInteger)) return false;  // also rejects NaN
  // Check exactly what the decoder computes, from the integer stored (so -0.0 fails).
  const auto integer = static_cast<int64_t>(x);
  const float back = static_cast<float>(static_cast<double>(integer) / kPow10[k]);
  if (std::bit_cast<uint32_t>(back) != bits) return false;
  *scaled = integer;
  return true;
}

// Gorilla XOR coding of 32-bit patterns, most significant bit first.
class BitWriter {
 public:
  explicit BitWriter(std::string* out) : out_(out) {}
  void Put(uint64_t value, int bits) {  // bits <= 32
    acc_ = (acc_ << bits) | (value & ((uint64_t{1} << bits) - 1));
    used_ += bits;
    while (used_ >= 8) {
      used_ -= 8;
      out_->push_back(static_cast<char>(acc_ >> used_));
    }
  }
  void Flush() {
    if (used_ > 0) out_->push_back(static_cast<char>(acc_ << (8 - used_)));
    used_ = 0;
  }

 private:
  std::string* out_;
  uint64_t acc_ = 0;
  int used_ = 0;
};

class BitReader {
 public:
  explicit BitReader(std::string_view in) : in_(in) {}
  bool Get(int bits, uint32_t* value) {  // bits <= 32
    uint64_t v = 0;
    for (int i = 0; i < bits; ++i) {
      if (pos_ >= in_.size() * 8) return false;
      const auto byte = static_cast<unsigned char>(in_[pos_ / 8]);
      v = (v << 1) | ((byte >> (7 - pos_ % 8)) & 1u);
      ++pos_;
    }
    *value = static_cast<uint32_t>(v);
    return true;
  }
  size_t bytes_used() const { return (pos_ + 7) / 8; }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

void PutXor(std::span<const Sample> samples, std::string* out) {
  BitWriter w(out);
  uint32_t prev = samples[0].bits;
  w.Put(prev, 32);
  int prev_lead = -1, prev_trail = 0;
  for (size_t i = 1; i < samples.size(); ++i) {
    const uint32_t x = samples[i].bits ^ prev;
    prev = samples[i].bits;
    if (x == 0) {
      w.Put(0, 1);
      continue;
    }
    const int lead = std::min(std::countl_zero(x), 31);
    const int trail = std::countr_zero(x);
    if (prev_lead >= 0 && lead >= prev_lead && trail >= prev_trail) {
      w.Put(0b10, 2);
      w.Put(x >> prev_trail, 32 - prev_lead - prev_trail);
      continue;
    }
    const int meaningful = 32 - lead - trail;  // 1..32
    w.Put(0b11, 2);
    w.Put(lead, 5);
    w.Put(meaningful - 1, 5);
    w.Put(x >> trail, meaningful);
    prev_lead = lead;
    prev_trail = trail;
  }
  w.Flush();
}

Status GetXor(std::string_view in, size_t count, std::vector<uint32_t>* out) {
  BitReader r(in);
  uint32_t prev;
  if (!r.Get(32, &prev)) return Bad("XOR stream is truncated");
  out->push_back(prev);
  int prev_lead = -1, prev_trail = 0;
  for (size_t i = 1; i < count; ++i) {
    uint32_t control;
    if (!r.Get(1, &control)) return Bad("XOR stream is truncated");
    if (control == 0) {
      out->push_back(prev);
      continue;
    }
    if (!r.Get(1, &control)) return Bad("XOR stream is truncated");
    if (control == 1) {
      uint32_t lead, meaningful_minus_one;
      if (!r.Get(5, &lead) || !r.Get(5, &meaningful_minus_one)) {
        return Bad("XOR stream is truncated");
      }
      const int meaningful = static_cast<int>(meaningful_minus_one) + 1;
      if (static_cast<int>(lead) + meaningful > 32) return Bad("XOR window exceeds 32 bits");
      prev_lead = static_cast<int>(lead);
      prev_trail = 32 - prev_lead - meaningful;
    } else if (prev_lead < 0) {
      return Bad("XOR stream reuses a window before defining one");
    }
    uint32_t bits;
    if (!r.Get(32 - prev_lead - prev_trail, &bits)) return Bad("XOR stream is truncated");
    prev ^= static_cast<uint32_t>(static_cast<uint64_t>(bits) << prev_trail);
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

int FindDecimalExponent(std::span<const uint32_t> float_bits) {
  int k = 0;
  int64_t scaled;
  for (uint32_t bits : float_bits) {
    while (k <= 9 && !DecimalRoundTrips(bits, k, &scaled)) ++k;
    if (k > 9) return -1;
  }
  // A value that round-trips at its own exponent almost always does at a larger one; confirm.
  for (; k <= 9; ++k) {
    bool all = true;
    for (uint32_t bits : float_bits) {
      if (!DecimalRoundTrips(bits, k, &scaled)) {
        all = false;
        break;
      }
    }
    if (all) return k;
  }
  return -1;
}

void EncodeValues(ValueType type, std::span<const Sample> samples, std::string* out) {
  if (type == ValueType::kInt32) {
    out->push_back(static_cast<char>(BlockEncoding::kInt32Delta));
    std::vector<uint64_t> x(samples.size());
    for (size_t i = 0; i < samples.size(); ++i) x[i] = samples[i].bits;
    PutResidualStream(std::move(x), 32, out);
    return;
  }
  std::string xor_body(1, static_cast<char>(BlockEncoding::kFloatXor));
  if (!samples.empty()) PutXor(samples, &xor_body);
  std::vector<uint32_t> bits(samples.size());
  for (size_t i = 0; i < samples.size(); ++i) bits[i] = samples[i].bits;
  const int k = samples.empty() ? -1 : FindDecimalExponent(bits);
  if (k >= 0) {
    std::string decimal_body(1, static_cast<char>(BlockEncoding::kFloatDecimal));
    decimal_body.push_back(static_cast<char>(k));
    std::vector<uint64_t> x(samples.size());
    int64_t scaled = 0;
    for (size_t i = 0; i < samples.size(); ++i) {
      DecimalRoundTrips(bits[i], k, &scaled);
      x[i] = static_cast<uint64_t>(scaled);
    }
    PutResidualStream(std::move(x), 64, &decimal_body);
    if (decimal_body.size() <= xor_body.size()) {
      out->append(decimal_body);
      return;
    }
  }
  out->append(xor_body);
}

Status DecodeValues(ValueType type, std::string_view in, size_t count, std::vector<uint32_t>* out) {
  if (in.empty()) return Bad("value block is empty");
  const auto encoding = static_cast<BlockEncoding>(in[0]);
  in.remove_prefix(1);
  if (type == ValueType::kInt32) {
    if (encoding != BlockEncoding::kInt32Delta) return Bad("int32 column has a float encoding");
    std::vector<uint64_t> x;
    NANOTDB_RETURN_IF_ERROR(GetResidualStream(&in, count, 32, &x));
    NANOTDB_RETURN_IF_ERROR(ExpectEnd(in));
    for (uint64_t v : x) out->push_back(static_cast<uint32_t>(v));
    return Status::Ok();
  }
  if (type != ValueType::kFloat32) return Bad("unknown value type");
  if (count == 0) return ExpectEnd(in);
  if (encoding == BlockEncoding::kFloatXor) return GetXor(in, count, out);
  if (encoding != BlockEncoding::kFloatDecimal) return Bad("float32 column has an int encoding");
  if (in.empty()) return Bad("decimal exponent is missing");
  const int k = static_cast<unsigned char>(in[0]);
  in.remove_prefix(1);
  if (k > 9) return Bad("decimal exponent out of range");
  std::vector<uint64_t> x;
  NANOTDB_RETURN_IF_ERROR(GetResidualStream(&in, count, 64, &x));
  NANOTDB_RETURN_IF_ERROR(ExpectEnd(in));
  for (uint64_t v : x) {
    const float f = static_cast<float>(static_cast<double>(static_cast<int64_t>(v)) / kPow10[k]);
    out->push_back(std::bit_cast<uint32_t>(f));
  }
  return Status::Ok();
}

BlockEncoding ChooseValueEncoding(ValueType type, std::span<const Sample> samples) {
  std::string body;
  EncodeValues(type, samples, &body);
  return static_cast<BlockEncoding>(body[0]);
}

}  // namespace nanotdb
