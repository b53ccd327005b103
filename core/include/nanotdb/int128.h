// 128-bit integers for overflow-free intermediate arithmetic (time parsing, durations, step
// counts, exact decimal widening).
//
// nanotdb::Int128 and nanotdb::UInt128 are the compiler's __int128 types where it has them
// (x86-64, arm64) and PortableInt128 / PortableUInt128 below where it does not (32-bit ARM:
// the armhf and armel Raspberry Pi builds). The portable types behave as the built-in ones do
// for what the tree uses: construction from any integer type (sign- or zero-extended as the
// built-in conversion does), + - * / % (division truncates toward zero), & | ^ ~, << and >>
// (arithmetic for Int128) by 0..127, comparisons, and static_cast to integer types (keeping
// the low bits). Everything is constexpr; overflow wraps modulo 2^128 for both. There is no
// conversion to or from floating point.
#pragma once

#include <compare>
#include <concepts>
#include <cstdint>
#include <type_traits>

namespace nanotdb {

class PortableUInt128 {
 public:
  constexpr PortableUInt128() = default;
  template <std::integral T>
  constexpr PortableUInt128(T v)  // NOLINT: implicit, as the built-in conversion is
      : hi_(std::is_signed_v<T> && v < 0 ? ~uint64_t{0} : 0), lo_(static_cast<uint64_t>(v)) {}
  static constexpr PortableUInt128 FromParts(uint64_t hi, uint64_t lo) {
    PortableUInt128 r;
    r.hi_ = hi;
    r.lo_ = lo;
    return r;
  }

  template <std::integral T>
  explicit constexpr operator T() const {
    if constexpr (std::is_same_v<T, bool>) {
      return (hi_ | lo_) != 0;
    } else {
      return static_cast<T>(lo_);
    }
  }
  constexpr uint64_t high() const { return hi_; }
  constexpr uint64_t low() const { return lo_; }

  friend constexpr bool operator==(const PortableUInt128&, const PortableUInt128&) = default;
  friend constexpr std::strong_ordering operator<=>(const PortableUInt128&,
                                                    const PortableUInt128&) = default;

  friend constexpr PortableUInt128 operator+(PortableUInt128 a, PortableUInt128 b) {
    const uint64_t lo = a.lo_ + b.lo_;
    return FromParts(a.hi_ + b.hi_ + (lo < a.lo_ ? 1 : 0), lo);
  }
  friend constexpr PortableUInt128 operator-(PortableUInt128 a, PortableUInt128 b) {
    return FromParts(a.hi_ - b.hi_ - (a.lo_ < b.lo_ ? 1 : 0), a.lo_ - b.lo_);
  }
  constexpr PortableUInt128 operator-() const { return PortableUInt128{} - *this; }
  constexpr PortableUInt128 operator~() const { return FromParts(~hi_, ~lo_); }
  friend constexpr PortableUInt128 operator*(PortableUInt128 a, PortableUInt128 b) {
    PortableUInt128 r = Mul64(a.lo_, b.lo_);
    r.hi_ += a.hi_ * b.lo_ + a.lo_ * b.hi_;
    return r;
  }
  friend constexpr PortableUInt128 operator/(PortableUInt128 a, PortableUInt128 b) {
    return DivMod(a, b, nullptr);
  }
  friend constexpr PortableUInt128 operator%(PortableUInt128 a, PortableUInt128 b) {
    PortableUInt128 rest;
    DivMod(a, b, &rest);
    return rest;
  }
  friend constexpr PortableUInt128 operator&(PortableUInt128 a, PortableUInt128 b) {
    return FromParts(a.hi_ & b.hi_, a.lo_ & b.lo_);
  }
  friend constexpr PortableUInt128 operator|(PortableUInt128 a, PortableUInt128 b) {
    return FromParts(a.hi_ | b.hi_, a.lo_ | b.lo_);
  }
  friend constexpr PortableUInt128 operator^(PortableUInt128 a, PortableUInt128 b) {
    return FromParts(a.hi_ ^ b.hi_, a.lo_ ^ b.lo_);
  }
  friend constexpr PortableUInt128 operator<<(PortableUInt128 a, int s) {
    if (s == 0) return a;
    if (s >= 64) return FromParts(a.lo_ << (s - 64), 0);
    return FromParts((a.hi_ << s) | (a.lo_ >> (64 - s)), a.lo_ << s);
  }
  friend constexpr PortableUInt128 operator>>(PortableUInt128 a, int s) {
    if (s == 0) return a;
    if (s >= 64) return FromParts(0, a.hi_ >> (s - 64));
    return FromParts(a.hi_ >> s, (a.lo_ >> s) | (a.hi_ << (64 - s)));
  }

  constexpr PortableUInt128& operator+=(PortableUInt128 b) { return *this = *this + b; }
  constexpr PortableUInt128& operator-=(PortableUInt128 b) { return *this = *this - b; }
  constexpr PortableUInt128& operator*=(PortableUInt128 b) { return *this = *this * b; }
  constexpr PortableUInt128& operator/=(PortableUInt128 b) { return *this = *this / b; }
  constexpr PortableUInt128& operator%=(PortableUInt128 b) { return *this = *this % b; }
  constexpr PortableUInt128& operator&=(PortableUInt128 b) { return *this = *this & b; }
  constexpr PortableUInt128& operator|=(PortableUInt128 b) { return *this = *this | b; }
  constexpr PortableUInt128& operator<<=(int s) { return *this = *this << s; }
  constexpr PortableUInt128& operator>>=(int s) { return *this = *this >> s; }

  // a / b, and a % b in *rest when rest is not null. b must not be 0 (as for the built-in).
  static constexpr PortableUInt128 DivMod(PortableUInt128 a, PortableUInt128 b,
                                          PortableUInt128* rest) {
    if (a.hi_ == 0 && b.hi_ == 0) {
      if (rest != nullptr) *rest = a.lo_ % b.lo_;
      return a.lo_ / b.lo_;
    }
    PortableUInt128 q, r;
    for (int bit = 127; bit >= 0; --bit) {  // long division, one bit of the quotient a step
      r = (r << 1) | ((a >> bit).lo_ & 1);
      if (r >= b) {
        r -= b;
        q |= PortableUInt128{1} << bit;
      }
    }
    if (rest != nullptr) *rest = r;
    return q;
  }

 private:
  // The full product of two 64-bit numbers, from four 32 x 32 -> 64 bit products.
  static constexpr PortableUInt128 Mul64(uint64_t a, uint64_t b) {
    const uint64_t a_lo = a & 0xffffffff, a_hi = a >> 32;
    const uint64_t b_lo = b & 0xffffffff, b_hi = b >> 32;
    const uint64_t ll = a_lo * b_lo, lh = a_lo * b_hi, hl = a_hi * b_lo, hh = a_hi * b_hi;
    const uint64_t mid = (ll >> 32) + (lh & 0xffffffff) + (hl & 0xffffffff);
    return FromParts(hh + (lh >> 32) + (hl >> 32) + (mid >> 32), (mid << 32) | (ll & 0xffffffff));
  }

  uint64_t hi_ = 0;  // declared first: the defaulted <=> compares hi_, then lo_
  uint64_t lo_ = 0;
};

class PortableInt128 {
 public:
  constexpr PortableInt128() = default;
  template <std::integral T>
  constexpr PortableInt128(T v)  // NOLINT: implicit, as the built-in conversion is
      : PortableInt128(PortableUInt128{v}) {}
  explicit constexpr PortableInt128(PortableUInt128 bits)
      : hi_(static_cast<int64_t>(bits.high())), lo_(bits.low()) {}
  explicit constexpr operator PortableUInt128() const { return Bits(); }

  template <std::integral T>
  explicit constexpr operator T() const {
    return static_cast<T>(Bits());
  }

  friend constexpr bool operator==(const PortableInt128&, const PortableInt128&) = default;
  // hi_ signed, then lo_ unsigned: the two's complement order.
  friend constexpr std::strong_ordering operator<=>(const PortableInt128&,
                                                    const PortableInt128&) = default;

  friend constexpr PortableInt128 operator+(PortableInt128 a, PortableInt128 b) {
    return PortableInt128{a.Bits() + b.Bits()};
  }
  friend constexpr PortableInt128 operator-(PortableInt128 a, PortableInt128 b) {
    return PortableInt128{a.Bits() - b.Bits()};
  }
  constexpr PortableInt128 operator-() const { return PortableInt128{-Bits()}; }
  constexpr PortableInt128 operator~() const { return PortableInt128{~Bits()}; }
  friend constexpr PortableInt128 operator*(PortableInt128 a, PortableInt128 b) {
    return PortableInt128{a.Bits() * b.Bits()};
  }
  // Truncates toward zero; the remainder takes the sign of the dividend.
  friend constexpr PortableInt128 operator/(PortableInt128 a, PortableInt128 b) {
    const PortableInt128 q{a.Magnitude() / b.Magnitude()};
    return (a.hi_ < 0) != (b.hi_ < 0) ? -q : q;
  }
  friend constexpr PortableInt128 operator%(PortableInt128 a, PortableInt128 b) {
    const PortableInt128 r{a.Magnitude() % b.Magnitude()};
    return a.hi_ < 0 ? -r : r;
  }
  friend constexpr PortableInt128 operator&(PortableInt128 a, PortableInt128 b) {
    return PortableInt128{a.Bits() & b.Bits()};
  }
  friend constexpr PortableInt128 operator|(PortableInt128 a, PortableInt128 b) {
    return PortableInt128{a.Bits() | b.Bits()};
  }
  friend constexpr PortableInt128 operator^(PortableInt128 a, PortableInt128 b) {
    return PortableInt128{a.Bits() ^ b.Bits()};
  }
  friend constexpr PortableInt128 operator<<(PortableInt128 a, int s) {
    return PortableInt128{a.Bits() << s};
  }
  friend constexpr PortableInt128 operator>>(PortableInt128 a, int s) {  // arithmetic
    if (a.hi_ >= 0) return PortableInt128{a.Bits() >> s};
    return ~PortableInt128{(~a).Bits() >> s};
  }

  constexpr PortableInt128& operator+=(PortableInt128 b) { return *this = *this + b; }
  constexpr PortableInt128& operator-=(PortableInt128 b) { return *this = *this - b; }
  constexpr PortableInt128& operator*=(PortableInt128 b) { return *this = *this * b; }
  constexpr PortableInt128& operator/=(PortableInt128 b) { return *this = *this / b; }
  constexpr PortableInt128& operator%=(PortableInt128 b) { return *this = *this % b; }

 private:
  constexpr PortableUInt128 Bits() const {
    return PortableUInt128::FromParts(static_cast<uint64_t>(hi_), lo_);
  }
  constexpr PortableUInt128 Magnitude() const { return hi_ < 0 ? -Bits() : Bits(); }

  int64_t hi_ = 0;  // declared first: the defaulted <=> compares hi_, then lo_
  uint64_t lo_ = 0;
};

#if defined(__SIZEOF_INT128__)
using Int128 = __int128;
using UInt128 = unsigned __int128;
#else
using Int128 = PortableInt128;
using UInt128 = PortableUInt128;
#endif

}  // namespace nanotdb
