#include "nanotdb/time_util.h"

#include <charconv>
#include <cstring>
#include <limits>

#include "nanotdb/int128.h"

namespace nanotdb {
namespace {

using i128 = Int128;

constexpr int64_t kNs = 1;
constexpr int64_t kUs = 1000;
constexpr int64_t kMs = 1000 * kUs;
constexpr int64_t kSec = 1000 * kMs;
constexpr int64_t kMin = 60 * kSec;
constexpr int64_t kHr = 60 * kMin;
constexpr int64_t kDy = 24 * kHr;
constexpr int64_t kWk = 7 * kDy;
// "At most 10 years back": ten calendar years, counting the leap days they can hold.
constexpr int64_t kMaxRelative = (10 * 365 + 3) * kDy;
constexpr i128 kInt64Max = std::numeric_limits<int64_t>::max();
constexpr i128 kInt64Min = std::numeric_limits<int64_t>::min();

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out.append(s);
  out += '"';
  return out;
}

// A decimal "123" or "123.45" split into its digit runs.
struct Decimal {
  std::string_view whole;
  std::string_view frac;
};

// Reads digits[.digits] from the front of `s`, advancing *pos. False when no digit was read.
bool ReadDecimal(std::string_view s, size_t* pos, Decimal* out) {
  size_t i = *pos;
  size_t start = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  out->whole = s.substr(start, i - start);
  out->frac = {};
  if (i < s.size() && s[i] == '.') {
    size_t fs = ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    out->frac = s.substr(fs, i - fs);
  }
  if (out->whole.empty() && out->frac.empty()) return false;
  *pos = i;
  return true;
}

// True when all of `s` is one decimal number.
bool IsDecimal(std::string_view s, Decimal* out) {
  size_t pos = 0;
  return ReadDecimal(s, &pos, out) && pos == s.size();
}

// decimal * scale in nanoseconds, truncated toward zero. False when beyond int64.
bool ScaleDecimal(const Decimal& d, int64_t scale, i128* out) {
  i128 whole = 0;
  for (char c : d.whole) {
    whole = whole * 10 + (c - '0');
    if (whole > kInt64Max) return false;
  }
  i128 v = whole * scale;
  if (v > kInt64Max) return false;
  // Digits past the 18th cannot change a result measured in whole nanoseconds of a unit that
  // is at most a week, so they are dropped to keep the arithmetic in range.
  std::string_view frac = d.frac.substr(0, 18);
  i128 num = 0, den = 1;
  for (char c : frac) {
    num = num * 10 + (c - '0');
    den *= 10;
  }
  v += num * scale / den;
  if (v > kInt64Max) return false;
  *out = v;
  return true;
}

int64_t UnitNanos(std::string_view u) {
  if (u == "ns") return kNs;
  if (u == "us" || u == "\xC2\xB5s" || u == "\xCE\xBCs") return kUs;
  if (u == "ms") return kMs;
  if (u == "s") return kSec;
  if (u == "m") return kMin;
  if (u == "h") return kHr;
  if (u == "d") return kDy;
  if (u == "w") return kWk;
  return 0;
}

Status DurationError(std::string_view s, std::string_view why) {
  std::string msg = "invalid duration " + Quote(s) + ": ";
  msg.append(why);
  msg += " (examples: 10s, 1h30m, 1.5d, 500ms; units ns, us, ms, s, m, h, d, w)";
  return Status::InvalidArgument(std::move(msg));
}

// Appends v/div with its remainder as a trimmed decimal fraction; div is a power of ten.
void AppendScaled(std::string* out, uint64_t v, uint64_t div) {
  *out += std::to_string(v / div);
  uint64_t rem = v % div;
  if (rem == 0) return;
  int digits = 0;
  for (uint64_t d = div; d > 1; d /= 10) ++digits;
  char buf[20];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + rem % 10);
    rem /= 10;
  }
  while (digits > 0 && buf[digits - 1] == '0') --digits;
  *out += '.';
  out->append(buf, digits);
}

// Fields of a UTC timestamp.
struct Civil {
  int year;
  unsigned month, day, hour, minute, second;
  uint32_t nanos;
};

Civil ToCivil(Timestamp ts) {
  int64_t secs = ts / kSec;
  int64_t nanos = ts % kSec;
  if (nanos < 0) {
    nanos += kSec;
    --secs;
  }
  int64_t days = secs / 86400;
  int64_t sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    --days;
  }
  Civil c;
  CivilFromDays(days, &c.year, &c.month, &c.day);
  c.hour = static_cast<unsigned>(sod / 3600);
  c.minute = static_cast<unsigned>(sod / 60 % 60);
  c.second = static_cast<unsigned>(sod % 60);
  c.nanos = static_cast<uint32_t>(nanos);
  return c;
}

char* PutDigits(char* p, uint64_t v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

// Writes "YYYY-MM-DD<sep>HH:MM:SS" (19 chars) and returns the end.
char* PutDateTime(char* p, const Civil& c, char sep) {
  if (c.year < 0) *p++ = '-';
  p = PutDigits(p, static_cast<uint64_t>(c.year < 0 ? -c.year : c.year), 4);
  *p++ = '-';
  p = PutDigits(p, c.month, 2);
  *p++ = '-';
  p = PutDigits(p, c.day, 2);
  *p++ = sep;
  p = PutDigits(p, c.hour, 2);
  *p++ = ':';
  p = PutDigits(p, c.minute, 2);
  *p++ = ':';
  return PutDigits(p, c.second, 2);
}

bool ReadFixed(std::string_view s, size_t* pos, int width, unsigned* out) {
  if (*pos + width > s.size()) return false;
  unsigned v = 0;
  for (int i = 0; i < width; ++i) {
    char c = s[*pos + i];
    if (!IsDigit(c)) return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *pos += width;
  *out = v;
  return true;
}

unsigned DaysInMonth(int y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

enum class DateParse { kNotADate, kOk, kOutOfRange };

// Parses "YYYY-MM-DD[(T| +)HH[:MM[:SS[.frac]]][Z|±HH[:MM]]]". On kOutOfRange, *why names the
// field that is wrong.
DateParse ParseDate(std::string_view s, Timestamp* out, std::string* why) {
  size_t pos = 0;
  unsigned year, month, day, hour = 0, minute = 0, second = 0;
  if (!ReadFixed(s, &pos, 4, &year) || pos >= s.size() || s[pos++] != '-' ||
      !ReadFixed(s, &pos, 2, &month) || pos >= s.size() || s[pos++] != '-' ||
      !ReadFixed(s, &pos, 2, &day)) {
    return DateParse::kNotADate;
  }
  uint64_t frac = 0;
  int64_t offset_sec = 0;
  if (pos < s.size()) {
    if (s[pos] == 'T' || s[pos] == 't') {
      ++pos;
    } else if (IsSpace(s[pos])) {
      while (pos < s.size() && IsSpace(s[pos])) ++pos;
    } else {
      return DateParse::kNotADate;
    }
    if (!ReadFixed(s, &pos, 2, &hour)) return DateParse::kNotADate;
    if (pos < s.size() && s[pos] == ':') {
      ++pos;
      if (!ReadFixed(s, &pos, 2, &minute)) return DateParse::kNotADate;
      if (pos < s.size() && s[pos] == ':') {
        ++pos;
        if (!ReadFixed(s, &pos, 2, &second)) return DateParse::kNotADate;
        if (pos < s.size() && s[pos] == '.') {
          size_t fs = ++pos;
          while (pos < s.size() && IsDigit(s[pos])) ++pos;
          if (pos == fs) return DateParse::kNotADate;
          // Right-pad or truncate to nanoseconds.
          for (size_t i = 0; i < 9; ++i) {
            frac = frac * 10 + (fs + i < pos ? static_cast<uint64_t>(s[fs + i] - '0') : 0);
          }
        }
      }
    }
    if (pos < s.size()) {
      char z = s[pos];
      if (z == 'Z' || z == 'z') {
        ++pos;
      } else if (z == '+' || z == '-') {
        ++pos;
        unsigned oh = 0, om = 0;
        if (!ReadFixed(s, &pos, 2, &oh)) return DateParse::kNotADate;
        if (pos < s.size() && s[pos] == ':') ++pos;
        if (pos < s.size() && !ReadFixed(s, &pos, 2, &om)) return DateParse::kNotADate;
        if (oh > 23 || om > 59) {
          *why = "zone offset out of range";
          return DateParse::kOutOfRange;
        }
        offset_sec = (z == '-' ? -1 : 1) * static_cast<int64_t>(oh * 3600 + om * 60);
      }
    }
    if (pos != s.size()) return DateParse::kNotADate;
  }
  if (month < 1 || month > 12) {
    *why = "month " + std::to_string(month) + " is not 1..12";
    return DateParse::kOutOfRange;
  }
  if (day < 1 || day > DaysInMonth(static_cast<int>(year), month)) {
    *why = "day " + std::to_string(day) + " does not exist in that month";
    return DateParse::kOutOfRange;
  }
  if (hour > 23 || minute > 59 || second > 59) {
    *why = "time of day out of range";
    return DateParse::kOutOfRange;
  }
  i128 secs = static_cast<i128>(DaysFromCivil(static_cast<int>(year), month, day)) * 86400 +
              hour * 3600 + minute * 60 + second - offset_sec;
  i128 ns = secs * kSec + static_cast<i128>(frac);
  if (ns > kInt64Max || ns < kInt64Min) {
    *why = "outside the representable range (1677-09-21 .. 2262-04-11)";
    return DateParse::kOutOfRange;
  }
  *out = static_cast<Timestamp>(ns);
  return DateParse::kOk;
}

// now - d, failing when d exceeds 10 years or the result leaves int64.
bool RelativeToNow(Timestamp now, i128 d, Timestamp* out, std::string* why) {
  if (d > kMaxRelative) {
    *why = "relative duration exceeds the maximum of 10 years";
    return false;
  }
  i128 v = static_cast<i128>(now) - d;
  if (v < kInt64Min) {
    *why = "before the representable range";
    return false;
  }
  *out = static_cast<Timestamp>(v);
  return true;
}

}  // namespace

Result<int64_t> ParseDuration(std::string_view s) {
  if (s.empty()) return DurationError(s, "empty");
  if (s == "0") return int64_t{0};
  i128 total = 0;
  size_t pos = 0;
  while (pos < s.size()) {
    Decimal d;
    size_t num_start = pos;
    if (!ReadDecimal(s, &pos, &d)) {
      return DurationError(s, "expected a number at " + Quote(s.substr(pos)));
    }
    size_t unit_start = pos;
    while (pos < s.size() && !IsDigit(s[pos]) && s[pos] != '.') ++pos;
    std::string_view unit = s.substr(unit_start, pos - unit_start);
    if (unit.empty()) {
      return DurationError(
          s, "missing unit after " + Quote(s.substr(num_start, unit_start - num_start)));
    }
    int64_t scale = UnitNanos(unit);
    if (scale == 0) return DurationError(s, "unknown unit " + Quote(unit));
    i128 term;
    if (!ScaleDecimal(d, scale, &term) || (total += term) > kInt64Max) {
      return DurationError(s, "too large");
    }
  }
  return static_cast<int64_t>(total);
}

std::string FormatDuration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string out;
  uint64_t u = static_cast<uint64_t>(ns);
  if (ns < 0) {
    out += '-';
    u = 0 - u;
  }
  if (u < static_cast<uint64_t>(kUs)) {
    out += std::to_string(u);
    out += "ns";
  } else if (u < static_cast<uint64_t>(kMs)) {
    AppendScaled(&out, u, kUs);
    out += "us";
  } else if (u < static_cast<uint64_t>(kSec)) {
    AppendScaled(&out, u, kMs);
    out += "ms";
  } else {
    uint64_t days = u / kDy, rest = u % kDy;
    uint64_t hours = rest / kHr;
    rest %= kHr;
    uint64_t minutes = rest / kMin;
    rest %= kMin;
    if (days) out += std::to_string(days) + "d";
    if (hours) out += std::to_string(hours) + "h";
    if (minutes) out += std::to_string(minutes) + "m";
    if (rest) {
      AppendScaled(&out, rest, kSec);
      out += "s";
    }
  }
  return out;
}

std::string FormatTimestamp(Timestamp ts) {
  Civil c = ToCivil(ts);
  char buf[40];
  char* p = PutDateTime(buf, c, ' ');
  *p++ = '.';
  p = PutDigits(p, c.nanos, 9);
  return std::string(buf, p);
}

std::string FormatRfc3339(Timestamp ts) {
  Civil c = ToCivil(ts);
  char buf[40];
  char* p = PutDateTime(buf, c, 'T');
  if (c.nanos != 0) {
    *p++ = '.';
    char* frac = p;
    p = PutDigits(p, c.nanos, 9);
    while (p > frac && p[-1] == '0') --p;
  }
  *p++ = 'Z';
  return std::string(buf, p);
}

Result<Timestamp> ParseLineTimestamp(std::string_view text, Timestamp now) {
  std::string_view s = Trim(text);
  auto fail = [&](std::string_view why) {
    std::string msg = "invalid timestamp " + Quote(s) + ": ";
    msg.append(why);
    return Status::InvalidArgument(std::move(msg));
  };
  if (s.empty()) return fail("empty");
  if (IsDigit(s[0])) {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ptr == s.data() + s.size()) {
      if (ec == std::errc::result_out_of_range) return fail("beyond the int64 nanosecond range");
      return v;
    }
  }
  std::string why;
  if (s[0] == '-') {
    std::string_view rest = s.substr(1);
    Decimal d;
    i128 dur;
    if (IsDecimal(rest, &d)) {
      if (!ScaleDecimal(d, kSec, &dur)) return fail("relative duration too large");
    } else {
      Result<int64_t> parsed = ParseDuration(rest);
      if (!parsed.ok()) return fail("expected a relative time such as -20s, -1.5h or -2d");
      dur = *parsed;
    }
    Timestamp out;
    if (!RelativeToNow(now, dur, &out, &why)) return fail(why);
    return out;
  }
  Timestamp out;
  switch (ParseDate(s, &out, &why)) {
    case DateParse::kOk:
      return out;
    case DateParse::kOutOfRange:
      return fail(why);
    case DateParse::kNotADate:
      break;
  }
  return fail(
      "expected Unix nanoseconds, a UTC date \"YYYY-MM-DD[ HH:MM:SS[.fraction]]\" or a "
      "relative time such as -20s");
}

bool ParseTimeUnit(std::string_view s, TimeUnit* out) {
  if (s == "ns") {
    *out = TimeUnit::kNanoseconds;
  } else if (s == "us") {
    *out = TimeUnit::kMicroseconds;
  } else if (s == "ms") {
    *out = TimeUnit::kMilliseconds;
  } else if (s == "s") {
    *out = TimeUnit::kSeconds;
  } else {
    return false;
  }
  return true;
}

int64_t TimeUnitNanos(TimeUnit unit) {
  switch (unit) {
    case TimeUnit::kNanoseconds:
      return kNs;
    case TimeUnit::kMicroseconds:
      return kUs;
    case TimeUnit::kMilliseconds:
      return kMs;
    case TimeUnit::kSeconds:
      return kSec;
  }
  return kNs;
}

TimeUnit InferTimeUnit(std::string_view s) {
  size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits <= 11) return TimeUnit::kSeconds;
  if (digits <= 14) return TimeUnit::kMilliseconds;
  if (digits <= 17) return TimeUnit::kMicroseconds;
  return TimeUnit::kNanoseconds;
}

Result<Timestamp> ParseTimeArg(std::string_view text, Timestamp now, TimeUnit unit) {
  std::string_view s = Trim(text);
  auto fail = [&](std::string_view why) {
    std::string msg = "invalid time " + Quote(s) + ": ";
    msg.append(why);
    return Status::InvalidArgument(std::move(msg));
  };
  const int64_t scale = TimeUnitNanos(unit);
  if (s.empty()) return fail("empty");
  if (s == "now") return now;
  std::string why;
  Timestamp out;
  Decimal d;
  i128 v;
  if (s[0] == '-') {
    std::string_view rest = s.substr(1);
    if (IsDecimal(rest, &d)) {
      if (!ScaleDecimal(d, scale, &v)) return fail("relative duration too large");
    } else {
      Result<int64_t> parsed = ParseDuration(rest);
      if (!parsed.ok()) return fail("expected a relative time such as -20s, -1.5h or -2d");
      v = *parsed;
    }
    if (!RelativeToNow(now, v, &out, &why)) return fail(why);
    return out;
  }
  if (IsDecimal(s, &d)) {
    if (!ScaleDecimal(d, scale, &v)) return fail("beyond the int64 nanosecond range");
    return static_cast<Timestamp>(v);
  }
  switch (ParseDate(s, &out, &why)) {
    case DateParse::kOk:
      return out;
    case DateParse::kOutOfRange:
      return fail(why);
    case DateParse::kNotADate:
      break;
  }
  if (Result<int64_t> ago = ParseDuration(s); ago.ok()) {
    if (!RelativeToNow(now, *ago, &out, &why)) return fail(why);
    return out;
  }
  return fail(
      "expected now, a relative time (-20s, -1d), a number in the timestamp unit, "
      "2026-05-24 12:00:00[.fraction] (UTC) or RFC 3339 (2026-05-24T12:00:00Z)");
}

// Howard Hinnant's days_from_civil / civil_from_days: eras of 400 years starting in March, so
// the leap day is the last day of the shifted year.
int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  int64_t yy = static_cast<int64_t>(y) - (m <= 2 ? 1 : 0);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t mp = m > 2 ? m - 3 : m + 9;
  int64_t doy = (153 * mp + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int* y, unsigned* m, unsigned* d) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2 ? 1 : 0));
}

}  // namespace nanotdb
