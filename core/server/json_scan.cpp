#include "server/json_scan.h"

#include <cstring>
#include <unordered_set>

namespace nanotdb::server {

namespace {

// Length of the well-formed UTF-8 sequence of 2 to 4 bytes at text[i], 0 when there is none
// (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF).
size_t Utf8Length(std::string_view text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  const size_t len = c >= 0xc2 && c <= 0xdf   ? 2
                     : c >= 0xe0 && c <= 0xef ? 3
                     : c >= 0xf0 && c <= 0xf4 ? 4
                                              : 0;
  if (len == 0 || i + len > text.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  }
  const unsigned char c1 = byte(i + 1);
  if ((c == 0xe0 && c1 < 0xa0) || (c == 0xed && c1 > 0x9f) || (c == 0xf0 && c1 < 0x90) ||
      (c == 0xf4 && c1 > 0x8f)) {
    return 0;
  }
  return len;
}

class Parser {
 public:
  Parser(std::string_view in, int max_depth) : in_(in), max_depth_(max_depth) {}

  Status Value(JsonNode* out, int depth) {
    SkipBlanks();
    if (pos_ >= in_.size()) return Error("unexpected end of input, expected a value");
    if (depth > max_depth_) {
      return Error("nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    const size_t start = pos_;
    out->offset = start;
    const char c = in_[pos_];
    Status st;
    if (c == '{') {
      st = Object(out, depth);
    } else if (c == '[') {
      st = Array(out, depth);
    } else if (c == '"') {
      out->kind = JsonNode::Kind::kString;
      st = String(&out->text);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      out->kind = JsonNode::Kind::kNumber;
      st = Number();
    } else if (Literal("true")) {
      out->kind = JsonNode::Kind::kBool;
      out->boolean = true;
    } else if (Literal("false")) {
      out->kind = JsonNode::Kind::kBool;
    } else if (Literal("null")) {
      out->kind = JsonNode::Kind::kNull;
    } else {
      return Error(std::string("unexpected character '") + Printable(c) + "'");
    }
    NANOTDB_RETURN_IF_ERROR(st);
    out->raw = in_.substr(start, pos_ - start);
    return Status::Ok();
  }

  Status End() {
    SkipBlanks();
    if (pos_ != in_.size()) return Error("unexpected text after the JSON value");
    return Status::Ok();
  }

 private:
  static std::string Printable(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      return buf;
    }
    return std::string(1, c);
  }
  Status Error(const std::string& what) const {
    return Status::InvalidArgument("offset " + std::to_string(pos_) + ": " + what);
  }
  void SkipBlanks() {
    while (pos_ < in_.size() &&
           (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\n' || in_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Literal(std::string_view word) {
    if (in_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  Status Object(JsonNode* out, int depth) {
    out->kind = JsonNode::Kind::kObject;
    ++pos_;
    SkipBlanks();
    if (pos_ < in_.size() && in_[pos_] == '}') {
      ++pos_;
      return Status::Ok();
    }
    std::unordered_set<std::string> keys;
    while (true) {
      SkipBlanks();
      if (pos_ >= in_.size() || in_[pos_] != '"') return Error("expected a quoted object key");
      std::string key;
      const size_t key_at = pos_;
      NANOTDB_RETURN_IF_ERROR(String(&key));
      // A set, not a scan of the members so far: 100,000 keys in a 1 MiB body would otherwise
      // cost 5 * 10^9 comparisons.
      if (!keys.insert(key).second) {
        pos_ = key_at;
        return Error("duplicate key \"" + key + "\"");
      }
      SkipBlanks();
      if (pos_ >= in_.size() || in_[pos_] != ':') return Error("expected ':' after an object key");
      ++pos_;
      JsonNode value;
      NANOTDB_RETURN_IF_ERROR(Value(&value, depth + 1));
      out->members.push_back(JsonMember{std::move(key), std::move(value)});
      SkipBlanks();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected ',' or '}' in an object");
    }
  }
  Status Array(JsonNode* out, int depth) {
    out->kind = JsonNode::Kind::kArray;
    ++pos_;
    SkipBlanks();
    if (pos_ < in_.size() && in_[pos_] == ']') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      JsonNode item;
      NANOTDB_RETURN_IF_ERROR(Value(&item, depth + 1));
      out->items.push_back(std::move(item));
      SkipBlanks();
      if (pos_ < in_.size() && in_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < in_.size() && in_[pos_] == ']') {
        ++pos_;
        return Status::Ok();
      }
      return Error("expected ',' or ']' in an array");
    }
  }
  static void AppendUtf8(std::string* out, uint32_t cp) {
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
  bool Hex4(uint32_t* v) {
    if (in_.size() - pos_ < 4) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = in_[pos_ + i];
      uint32_t d;
      if (c >= '0' && c <= '9') {
        d = c - '0';
      } else if (c >= 'a' && c <= 'f') {
        d = c - 'a' + 10;
      } else if (c >= 'A' && c <= 'F') {
        d = c - 'A' + 10;
      } else {
        return false;
      }
      *v = *v << 4 | d;
    }
    pos_ += 4;
    return true;
  }
  Status String(std::string* out) {
    ++pos_;  // the opening quote
    while (true) {
      if (pos_ >= in_.size()) return Error("unterminated string");
      const auto c = static_cast<unsigned char>(in_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c < 0x20) return Error("control character in a string (escape it)");
      if (c >= 0x80) {
        // RFC 8259 §8.1: JSON text is UTF-8; a name stored from it is echoed in JSON answers.
        const size_t len = Utf8Length(in_, pos_);
        if (len == 0) return Error("bad UTF-8 in a string");
        out->append(in_.substr(pos_, len));
        pos_ += len;
        continue;
      }
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= in_.size()) return Error("unterminated string");
      const char e = in_[pos_++];
      switch (e) {
        case '"':
          out->push_back('"');
          break;
        case '\\':
          out->push_back('\\');
          break;
        case '/':
          out->push_back('/');
          break;
        case 'b':
          out->push_back('\b');
          break;
        case 'f':
          out->push_back('\f');
          break;
        case 'n':
          out->push_back('\n');
          break;
        case 'r':
          out->push_back('\r');
          break;
        case 't':
          out->push_back('\t');
          break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&cp)) return Error("bad \\u escape");
          if (cp >= 0xd800 && cp < 0xdc00) {
            uint32_t low;
            if (in_.substr(pos_, 2) != "\\u" || (pos_ += 2, !Hex4(&low)) || low < 0xdc00 ||
                low >= 0xe000) {
              return Error("unpaired surrogate in a \\u escape");
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp < 0xe000) {
            return Error("unpaired surrogate in a \\u escape");
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          return Error(std::string("bad escape '\\") + Printable(e) + "'");
      }
    }
  }
  bool Digits() {
    const size_t start = pos_;
    while (pos_ < in_.size() && in_[pos_] >= '0' && in_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }
  Status Number() {
    if (in_[pos_] == '-') ++pos_;
    if (pos_ < in_.size() && in_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return Error("bad number");
    }
    if (pos_ < in_.size() && in_[pos_] == '.') {
      ++pos_;
      if (!Digits()) return Error("bad number: digits expected after '.'");
    }
    if (pos_ < in_.size() && (in_[pos_] == 'e' || in_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < in_.size() && (in_[pos_] == '+' || in_[pos_] == '-')) ++pos_;
      if (!Digits()) return Error("bad number: digits expected in the exponent");
    }
    return Status::Ok();
  }

  std::string_view in_;
  size_t pos_ = 0;
  int max_depth_;
};

}  // namespace

const JsonNode* JsonNode::Find(std::string_view key) const {
  for (const auto& [k, v] : members) {
    if (k == key) return &v;
  }
  return nullptr;
}

Result<JsonNode> ParseJson(std::string_view in, int max_depth) {
  Parser p(in, max_depth);
  JsonNode root;
  NANOTDB_RETURN_IF_ERROR(p.Value(&root, 0));
  NANOTDB_RETURN_IF_ERROR(p.End());
  return root;
}

std::string CompactJson(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  bool in_string = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    const char c = raw[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < raw.size()) {
        out.push_back(raw[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '"') in_string = true;
    out.push_back(c);
  }
  return out;
}

const char* JsonKindName(JsonNode::Kind kind) {
  switch (kind) {
    case JsonNode::Kind::kNull:
      return "null";
    case JsonNode::Kind::kBool:
      return "boolean";
    case JsonNode::Kind::kNumber:
      return "number";
    case JsonNode::Kind::kString:
      return "string";
    case JsonNode::Kind::kArray:
      return "array";
    case JsonNode::Kind::kObject:
      return "object";
  }
  return "value";
}

}  // namespace nanotdb::server
