// How a WAL batch record codes one sample's value against the same metric's previous value
// (docs/format/wal.md, "Value kinds"). Only the value coding lives here: wal.cpp owns the
// record layout and decides what `prev` is.
//
// A value is a kind (the low kWalKindBits of the sample's control varint) followed by 0..8
// little-endian payload bytes. Format version 2 codes 64-bit patterns (int64 or float64
// bits); format version 1 coded 32-bit patterns (int32 or float32) and is only decoded.
//
// All functions are pure and thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nanotdb {

inline constexpr unsigned kWalKindBits = 6;    // format version 2
inline constexpr unsigned kWalKindBitsV1 = 5;  // format version 1

// Appends the control varint `control_high << kWalKindBits | kind` and the payload bytes: the
// kind with the fewest bytes that reproduces `bits` exactly from `prev`.
void PutWalValue(uint64_t control_high, uint64_t prev, uint64_t bits, std::string* out);

// Decodes the value of `kind` (version 2) from *in against `prev` into *bits. False, with
// *why set, for an unknown kind, a truncated payload or a decimal kind after a value that is
// not a decimal.
bool GetWalValue(unsigned kind, uint64_t prev, std::string_view* in, uint64_t* bits,
                 std::string* why);

// The same for format version 1 (32-bit patterns in the low bits of prev and *bits).
bool GetWalValueV1(unsigned kind, uint64_t prev, std::string_view* in, uint64_t* bits,
                   std::string* why);

}  // namespace nanotdb
