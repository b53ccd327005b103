// Repair bytes: a Reed-Solomon-style code over GF(2^8) that corrects one damaged byte per
// codeword, used by data file format version 3 to survive a flipped byte in a frame header or
// block (docs/format/data-file.md, "Repair bytes").
//
// A buffer of n bytes is split into m = ceil(n / 253) interleaved codewords (codeword j holds
// the bytes j, j + m, j + 2m, ...), so any run of at most m consecutive damaged bytes is
// corrected. Each codeword gets two check bytes: A = XOR of its bytes d_k, B = XOR of
// d_k * alpha^k (alpha = 2, polynomial x^8 + x^4 + x^3 + x^2 + 1). They are stored as m pairs
// (A_0, B_0, A_1, B_1, ...): 2m bytes, about 0.8 % of n.
//
// The code only locates and fixes bytes; it does not prove the result right. Callers keep
// their CRC and accept a repair only when the repaired bytes match it.
// Pure functions: thread-safe, no allocation beyond the output.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nanotdb {

// Bytes of repair data for a buffer of n bytes: 2 * ceil(n / 253).
constexpr size_t RepairBytes(size_t n) { return 2 * ((n + 252) / 253); }

// Appends the RepairBytes(data.size()) repair bytes of `data` to *out.
void AppendRepairBytes(std::string_view data, std::string* out);

// Corrects *data in place with its repair bytes (as AppendRepairBytes made them): at most one
// byte per codeword. Returns the number of bytes changed (0 when nothing needed repair), or -1
// when a codeword holds more damage than the code corrects or `repair` has the wrong size
// (*data may then be partly changed; callers work on a copy and check their CRC either way).
int RepairInPlace(std::string* data, std::string_view repair);

}  // namespace nanotdb
