#include "widen.h"

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>

#include "nanotdb/int128.h"

namespace nanotdb::metricfiles {
namespace {

using U128 = UInt128;

// 10^k for k <= 22 is an exact double, so one IEEE division D / 10^k gives the double nearest
// the decimal D * 10^-k (D < 2^53), as parsing its text would.
constexpr int kMaxFraction = 22;
constexpr std::array<double, kMaxFraction + 1> kPow10 = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

constexpr std::array<U128, kMaxFraction + 1> MakePow10() {
  std::array<U128, kMaxFraction + 1> p{};
  p[0] = 1;
  for (int k = 1; k <= kMaxFraction; ++k) p[k] = p[k - 1] * 10;
  return p;
}
constexpr std::array<U128, kMaxFraction + 1> kPow10Int = MakePow10();

// A float f = m * 2^e (m the 24-bit significand, e < 0) is 4m units of 2^(e-2); write
// s = 2 - e, so f = 4m / 2^s. kFirstFraction[s] is the smallest k with 10^-k < 3 units, i.e.
// 2^s < 3 * 10^k: at k fraction digits the decimals are closer together than the narrowest
// rounding interval (3 units, below a power of two), so one of them reads back as f.
constexpr int kMaxShift = 74;  // e >= -72, |f| >= 2^-49: every k needed is <= 22
constexpr std::array<int8_t, kMaxShift + 1> MakeFirstFraction() {
  std::array<int8_t, kMaxShift + 1> t{};
  for (int s = 0; s <= kMaxShift; ++s) {
    int k = 0;
    while (!(U128{1} << s < 3 * kPow10Int[k])) ++k;
    t[s] = static_cast<int8_t>(k);
  }
  return t;
}
constexpr std::array<int8_t, kMaxShift + 1> kFirstFraction = MakeFirstFraction();
static_assert(kFirstFraction[kMaxShift] <= kMaxFraction);

}  // namespace

double WidenFloat32ByText(float f) {
  if (!std::isfinite(f)) return static_cast<double>(f);
  char buf[64];
  const char* end = std::to_chars(buf, buf + sizeof buf, f, std::chars_format::fixed).ptr;
  double d = 0;
  std::from_chars(buf, end, d);
  return d;
}

namespace {

// The nearest double to the decimal to_chars prints for the float 4m / 2^s (below), with
// integers of type U wide enough for 4m * 10^k (64 bits while k <= 11); NaN when the text
// must decide (a tie).
template <typename U>
inline double NearestShortDecimal(uint64_t m, bool just_above_power_of_two, int s) {
  // The rounding interval in units of 2^-s: [4m - 2, 4m + 2], or [4m - 1, 4m + 2] just above
  // a power of two (the float below is closer); its ends belong to f when m is even.
  const uint64_t low = 4 * m - (just_above_power_of_two ? 1 : 2);
  const uint64_t high = 4 * m + 2;
  const bool ends_included = (m & 1) == 0;
  const U mask = (U{1} << s) - 1;
  int k = kFirstFraction[s];
  // The decimals D * 10^-k inside the interval: D in [d_low, d_high].
  const U p = static_cast<U>(kPow10Int[k]);
  const U lo = low * p, hi = high * p;
  // (branch-free: whether m is odd, or a product divisible, is a coin toss on noisy data)
  const uint64_t open = ends_included ? 0 : 1;
  const uint64_t d_low = static_cast<uint64_t>(lo >> s) + ((lo & mask) != 0 ? 1 : open);
  const uint64_t d_high = static_cast<uint64_t>(hi >> s) - ((hi & mask) == 0 ? open : 0);
  if (d_low > d_high) return std::numeric_limits<double>::quiet_NaN();  // cannot happen
  // Fewer digits while some multiple of ten stays inside.
  uint64_t lo_k = d_low, hi_k = d_high;
  // The first two steps without branches (on noisy data each is taken about as often as not),
  // the rest in a loop (a short decimal such as 21.15, predictable series by series).
  for (int step = 0; step < 2; ++step) {
    const uint64_t a = (lo_k + 9) / 10, c = hi_k / 10;
    const bool fewer = k > 0 && a <= c;
    lo_k = fewer ? a : lo_k;
    hi_k = fewer ? c : hi_k;
    k -= fewer ? 1 : 0;
    if (step == 1 && !fewer) goto nearest;
  }
  while (k > 0) {
    const uint64_t a = (lo_k + 9) / 10, c = hi_k / 10;
    if (a > c) break;
    lo_k = a;
    hi_k = c;
    --k;
  }
nearest:
  // The nearest D to 4m * 10^k / 2^s.
  const U n = 4 * m * static_cast<U>(kPow10Int[k]);
  uint64_t d = static_cast<uint64_t>(n >> s);
  const U rest = n & mask, half = U{1} << (s - 1);
  if (rest == half) return std::numeric_limits<double>::quiet_NaN();
  d += rest > half ? 1 : 0;
  d = d < lo_k ? lo_k : d > hi_k ? hi_k : d;
  return static_cast<double>(d) / kPow10[k];
}

}  // namespace

// to_chars in fixed notation prints the fewest characters that read back as f (under
// round-half-even), and among those the one nearest f. In fixed notation fewer characters
// means fewer fraction digits k, so: find the smallest k >= 0 for which some D * 10^-k lies in
// f's rounding interval, then the D nearest f.
double FastWidenFloat32(float f) {
  const uint32_t b = std::bit_cast<uint32_t>(f);
  const uint32_t biased = (b >> 23) & 0xff;
  const uint32_t fraction = b & 0x7fffff;
  if (biased == 0xff || (biased | fraction) == 0) return static_cast<double>(f);  // Inf, NaN, 0
  const int e = static_cast<int>(biased) - 150;                                   // f = m * 2^e
  // An integer: its own decimal (every float of 2^23 and up is one; smaller ones end below).
  if (e >= 0) return static_cast<double>(f);
  const int s = 2 - e;
  if (biased == 0 || s > kMaxShift) return WidenFloat32ByText(f);
  const uint64_t m = fraction | (uint64_t{1} << 23);
  const bool above_power = fraction == 0 && biased > 1;
  const double v = kFirstFraction[s] <= 11 ? NearestShortDecimal<uint64_t>(m, above_power, s)
                                           : NearestShortDecimal<U128>(m, above_power, s);
  if (std::isnan(v)) return WidenFloat32ByText(f);
  return (b >> 31) ? -v : v;
}

}  // namespace nanotdb::metricfiles
