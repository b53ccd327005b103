// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the checksum of every WAL record and
// data frame.
//
// Uses the SSE4.2 crc32 instruction when the CPU has it (checked once at run time) and a
// portable slicing-by-8 table otherwise (ARM, Raspberry Pi). Both give identical results.
// Pure functions: thread-safe, no allocation.
#pragma once

#include <cstdint>
#include <string_view>

namespace nanotdb {

// Continues a checksum: Crc32cExtend(Crc32c(a), b) == Crc32c(a + b). Crc32cExtend(0, x) ==
// Crc32c(x).
uint32_t Crc32cExtend(uint32_t crc, std::string_view data);

inline uint32_t Crc32c(std::string_view data) { return Crc32cExtend(0, data); }

// The portable implementation, exposed so tests can check it against the accelerated one.
uint32_t Crc32cExtendPortable(uint32_t crc, std::string_view data);

// True when Crc32cExtend uses the hardware instruction on this machine.
bool Crc32cIsAccelerated();

}  // namespace nanotdb
