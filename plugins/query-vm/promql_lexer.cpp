#include "promql_lexer.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "nanotdb/int128.h"

namespace nanotdb::queryvm::promql {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsIdentStart(char c) { return IsAlpha(c) || c == '_' || c == ':'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || IsDigit(c) || c == '.'; }

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::string PositionText(std::string_view query, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < query.size(); ++i) {
    if (query[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return std::to_string(line) + ":" + std::to_string(col);
}

std::string DescribeToken(const Token& t) {
  switch (t.kind) {
    case Tok::kEof:
      return "end of input";
    case Tok::kNumber:
    case Tok::kDuration:
      return (t.kind == Tok::kNumber ? "number \"" : "duration \"") + t.text + "\"";
    case Tok::kString:
      return "string \"" + t.text + "\"";
    case Tok::kIdent:
      return "identifier \"" + t.text + "\"";
    default:
      return "\"" + t.text + "\"";
  }
}

bool ParsePromDuration(std::string_view s, int64_t* ns) {
  if (s.empty()) return false;
  constexpr int64_t kMs = 1'000'000;
  Int128 total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t d = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (d == i || i - d > 18) return false;
    int64_t n = 0;
    std::from_chars(s.data() + d, s.data() + i, n);
    int64_t unit = 0;
    if (s.substr(i).starts_with("ms")) {
      unit = kMs;
      i += 2;
    } else if (i < s.size()) {
      switch (s[i]) {
        case 's':
          unit = 1000 * kMs;
          break;
        case 'm':
          unit = 60'000 * kMs;
          break;
        case 'h':
          unit = 3'600'000 * kMs;
          break;
        case 'd':
          unit = 86'400'000 * kMs;
          break;
        case 'w':
          unit = 7 * int64_t{86'400'000} * kMs;
          break;
        case 'y':
          unit = 365 * int64_t{86'400'000} * kMs;
          break;
        default:
          return false;
      }
      ++i;
    } else {
      return false;
    }
    total += static_cast<Int128>(n) * unit;
    if (total > std::numeric_limits<int64_t>::max()) return false;
  }
  *ns = static_cast<int64_t>(total);
  return true;
}

Status Lexer::Error(size_t pos, const std::string& what) const {
  return Status::InvalidArgument(PositionText(text_, pos) + ": parse error: " + what);
}

Result<Token> Lexer::Next() {
  while (pos_ < text_.size()) {
    if (IsSpace(text_[pos_])) {
      ++pos_;
    } else if (text_[pos_] == '#') {  // comment to the end of the line
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    } else {
      break;
    }
  }
  Token t;
  t.pos = pos_;
  if (pos_ >= text_.size()) return t;
  const char c = text_[pos_];
  const char n = pos_ + 1 < text_.size() ? text_[pos_ + 1] : '\0';
  auto single = [&](Tok kind, size_t len) {
    t.kind = kind;
    t.len = len;
    t.text = std::string(text_.substr(pos_, len));
    pos_ += len;
    return t;
  };
  switch (c) {
    case '(':
      return single(Tok::kLParen, 1);
    case ')':
      return single(Tok::kRParen, 1);
    case '{':
      return single(Tok::kLBrace, 1);
    case '}':
      return single(Tok::kRBrace, 1);
    case '[':
      return single(Tok::kLBracket, 1);
    case ']':
      return single(Tok::kRBracket, 1);
    case ',':
      return single(Tok::kComma, 1);
    case ':':
      return single(Tok::kColon, 1);
    case '@':
      return single(Tok::kAt, 1);
    case '+':
      return single(Tok::kAdd, 1);
    case '-':
      return single(Tok::kSub, 1);
    case '*':
      return single(Tok::kMul, 1);
    case '/':
      return single(Tok::kDiv, 1);
    case '%':
      return single(Tok::kMod, 1);
    case '^':
      return single(Tok::kPow, 1);
    case '=':
      if (n == '=') return single(Tok::kEqlEq, 2);
      if (n == '~') return single(Tok::kRegexEq, 2);
      return single(Tok::kAssign, 1);
    case '!':
      if (n == '=') return single(Tok::kNeq, 2);
      if (n == '~') return single(Tok::kRegexNeq, 2);
      return Error(pos_, "unexpected character after '!': expected != or !~");
    case '>':
      if (n == '=') return single(Tok::kGte, 2);
      return single(Tok::kGtr, 1);
    case '<':
      if (n == '=') return single(Tok::kLte, 2);
      return single(Tok::kLss, 1);
    case '"':
    case '\'':
    case '`':
      return LexString(pos_);
    default:
      break;
  }
  if (IsDigit(c) || (c == '.' && IsDigit(n))) return LexNumberOrDuration(pos_);
  if (IsIdentStart(c)) {
    size_t start = pos_;
    while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    // db/metric shorthand: '/' between two names with no space around it.
    if (pos_ + 1 < text_.size() && text_[pos_] == '/' && IsIdentStart(text_[pos_ + 1])) {
      ++pos_;
      while (pos_ < text_.size() && IsIdentChar(text_[pos_])) ++pos_;
    }
    t.kind = Tok::kIdent;
    t.len = pos_ - start;
    t.text = std::string(text_.substr(start, t.len));
    if (EqualsIgnoreCase(t.text, "inf") || EqualsIgnoreCase(t.text, "nan")) {
      t.kind = Tok::kNumber;
      t.number = EqualsIgnoreCase(t.text, "inf") ? std::numeric_limits<double>::infinity()
                                                 : std::numeric_limits<double>::quiet_NaN();
    }
    return t;
  }
  if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
    return Error(pos_, "unexpected character (byte 0x" +
                           std::string(1, "0123456789abcdef"[(c >> 4) & 0xf]) +
                           std::string(1, "0123456789abcdef"[c & 0xf]) + ")");
  }
  return Error(pos_, std::string("unexpected character \"") + c + "\"");
}

Result<Token> Lexer::LexNumberOrDuration(size_t start) {
  Token t;
  t.pos = start;
  size_t i = start;
  while (i < text_.size() && (IsDigit(text_[i]) || IsAlpha(text_[i]))) ++i;
  std::string_view word = text_.substr(start, i - start);
  int64_t ns = 0;
  if (!word.empty() && IsAlpha(word.back()) && !word.starts_with("0x") && !word.starts_with("0X") &&
      word.find_first_of("eE") == std::string_view::npos) {
    if (!ParsePromDuration(word, &ns))
      return Error(start, "bad duration \"" + std::string(word) + "\"");
    t.kind = Tok::kDuration;
    t.duration = ns;
    t.text = std::string(word);
    t.len = word.size();
    pos_ = i;
    return t;
  }
  const char* b = text_.data() + start;
  const char* e = text_.data() + text_.size();
  double v = 0;
  std::from_chars_result res;
  if (word.starts_with("0x") || word.starts_with("0X")) {
    uint64_t u = 0;
    res = std::from_chars(b + 2, e, u, 16);
    v = static_cast<double>(u);
  } else {
    res = std::from_chars(b, e, v);
  }
  if (res.ec == std::errc::result_out_of_range) {
    v = std::numeric_limits<double>::infinity();
  } else if (res.ec != std::errc()) {
    return Error(start, "bad number \"" + std::string(word) + "\"");
  }
  if (res.ptr < e && (IsIdentChar(*res.ptr))) {
    size_t end = res.ptr - text_.data();
    while (end < text_.size() && IsIdentChar(text_[end])) ++end;
    return Error(
        start, "bad number or duration \"" + std::string(text_.substr(start, end - start)) + "\"");
  }
  t.kind = Tok::kNumber;
  t.number = v;
  t.len = res.ptr - b;
  t.text = std::string(text_.substr(start, t.len));
  pos_ = start + t.len;
  return t;
}

Result<Token> Lexer::LexString(size_t start) {
  Token t;
  t.kind = Tok::kString;
  t.pos = start;
  const char quote = text_[start];
  size_t i = start + 1;
  while (i < text_.size()) {
    char c = text_[i++];
    if (c == quote) {
      t.len = i - start;
      pos_ = i;
      return t;
    }
    if (c == '\\' && quote != '`') {
      if (i >= text_.size()) break;
      char e = text_[i++];
      switch (e) {
        case 'n':
          t.text.push_back('\n');
          break;
        case 't':
          t.text.push_back('\t');
          break;
        case 'r':
          t.text.push_back('\r');
          break;
        case 'a':
          t.text.push_back('\a');
          break;
        case 'b':
          t.text.push_back('\b');
          break;
        case 'f':
          t.text.push_back('\f');
          break;
        case 'v':
          t.text.push_back('\v');
          break;
        case '\\':
          t.text.push_back('\\');
          break;
        case '"':
        case '\'':
          t.text.push_back(e);
          break;
        case 'x':
        case 'u':
        case 'U':
        case '0':
        case '1':
        case '2':
        case '3':
        case '4':
        case '5':
        case '6':
        case '7': {
          // Go's numeric escapes, as Prometheus reads them: \xHH and \NNN are one byte,
          // \uHHHH and \UHHHHHHHH a code point written as UTF-8.
          const bool octal = e >= '0' && e <= '7';
          const size_t digits = octal ? 2 : e == 'x' ? 2 : e == 'u' ? 4 : 8;
          const size_t backslash = i - 2;
          uint32_t v = 0;
          size_t k = 0;
          if (octal) v = static_cast<uint32_t>(e - '0');
          for (; k < digits && i + k < text_.size(); ++k) {
            const char d = text_[i + k];
            int dv = -1;
            if (octal) {
              if (d >= '0' && d <= '7') dv = d - '0';
            } else if (IsDigit(d)) {
              dv = d - '0';
            } else if ((d | 0x20) >= 'a' && (d | 0x20) <= 'f') {
              dv = (d | 0x20) - 'a' + 10;
            }
            if (dv < 0) break;
            v = v * (octal ? 8 : 16) + static_cast<uint32_t>(dv);
          }
          if (k < digits) {
            // Not a numeric escape after all (a regex's \1 or \x{41}): kept as written.
            t.text.push_back('\\');
            t.text.push_back(e);
            continue;
          }
          i += digits;
          if (e == 'x' || octal) {
            if (v > 0xff) {
              return Error(backslash, "octal escape \"" +
                                          std::string(text_.substr(backslash, digits + 2)) +
                                          "\" is above 255");
            }
            t.text.push_back(static_cast<char>(v));
          } else if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
            return Error(backslash, "escape \"" + std::string(text_.substr(backslash, digits + 2)) +
                                        "\" is no valid Unicode code point");
          } else {
            AppendUtf8(v, &t.text);
          }
          break;
        }
        default:
          // Kept as written so regexes such as "room\.temp" reach RE2 unchanged (Go would
          // refuse an unknown escape; being lenient here keeps NanoTDB's earlier selectors).
          t.text.push_back('\\');
          t.text.push_back(e);
      }
      continue;
    }
    if (c == '\n' && quote != '`') return Error(start, "unterminated quoted string");
    t.text.push_back(c);
  }
  return Error(start, "unterminated quoted string");
}

}  // namespace nanotdb::queryvm::promql
