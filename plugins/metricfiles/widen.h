// How the metric file's float32 value domain turns a float32 back into the float64 the series
// held: WidenFloat32 (nanotdb/types.h), the double nearest to the decimal std::to_chars prints
// for the float in fixed notation. That printing costs ~60 ns a value; FastWidenFloat32 finds
// the same decimal with integer arithmetic in a few nanoseconds.
#pragma once

namespace nanotdb::metricfiles {

// Bit for bit WidenFloat32(f) for every float (checked over all 2^32 bit patterns, see
// tests/unit/plugins/metricfiles/widen_test.cpp). Computed without text for normal floats of
// magnitude 2^-49 and up; the rest (tiny and subnormal floats, and the rare value exactly
// halfway between two equally short decimals) goes through the text.
double FastWidenFloat32(float f);

// The text path: to_chars in fixed notation, then the nearest double to that decimal.
double WidenFloat32ByText(float f);

}  // namespace nanotdb::metricfiles
