#include "json_reader.h"

#include "mqtt_codec.h"

namespace nanotdb::mqtt {
namespace {

class Reader {
 public:
  Reader(std::string_view text, size_t max_depth) : s_(text), max_depth_(max_depth) {}

  Status Document(JsonValue* out) {
    SkipBlanks();
    NANOTDB_RETURN_IF_ERROR(ParseValue(out, 0));
    SkipBlanks();
    if (pos_ != s_.size()) return Error("end of the document after the value");
    return Status::Ok();
  }

 private:
  Status Error(std::string_view expected) const {
    std::string got = "the end";
    if (pos_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[pos_]);
      if (c < 0x20 || c >= 0x7f) {
        got = "byte " + std::to_string(c);
      } else {
        got.assign({'\'', static_cast<char>(c), '\''});
      }
    }
    return Status::InvalidArgument("invalid JSON at byte " + std::to_string(pos_) + ": expected " +
                                   std::string(expected) + ", got " + got);
  }

  void SkipBlanks() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status ParseValue(JsonValue* out, size_t depth) {
    if (pos_ >= s_.size()) return Error("a value");
    const char c = s_[pos_];
    if (c == '{' || c == '[') {
      if (depth >= max_depth_) {
        return Status::InvalidArgument("invalid JSON at byte " + std::to_string(pos_) +
                                       ": nested deeper than " + std::to_string(max_depth_) +
                                       " levels");
      }
      return c == '{' ? ParseObject(out, depth + 1) : ParseArray(out, depth + 1);
    }
    if (c == '"') {
      out->kind = JsonValue::Kind::kString;
      return ParseString(&out->text);
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
    if (Literal("true")) {
      out->kind = JsonValue::Kind::kBool;
      out->boolean = true;
      return Status::Ok();
    }
    if (Literal("false")) {
      out->kind = JsonValue::Kind::kBool;
      return Status::Ok();
    }
    if (Literal("null")) {
      out->kind = JsonValue::Kind::kNull;
      return Status::Ok();
    }
    return Error("a value (object, array, string, number, true, false or null)");
  }

  Status ParseObject(JsonValue* out, size_t depth) {
    out->kind = JsonValue::Kind::kObject;
    ++pos_;  // '{'
    SkipBlanks();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      SkipBlanks();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Error("a member name in quotes");
      std::string key;
      NANOTDB_RETURN_IF_ERROR(ParseString(&key));
      SkipBlanks();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Error("':'");
      ++pos_;
      SkipBlanks();
      JsonValue v;
      NANOTDB_RETURN_IF_ERROR(ParseValue(&v, depth));
      out->members.push_back({std::move(key), std::move(v)});
      SkipBlanks();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == '}') {
        ++pos_;
        return Status::Ok();
      }
      return Error("',' or '}'");
    }
  }

  Status ParseArray(JsonValue* out, size_t depth) {
    out->kind = JsonValue::Kind::kArray;
    ++pos_;  // '['
    SkipBlanks();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return Status::Ok();
    }
    while (true) {
      SkipBlanks();
      JsonValue v;
      NANOTDB_RETURN_IF_ERROR(ParseValue(&v, depth));
      out->items.push_back(std::move(v));
      SkipBlanks();
      if (pos_ < s_.size() && s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (pos_ < s_.size() && s_[pos_] == ']') {
        ++pos_;
        return Status::Ok();
      }
      return Error("',' or ']'");
    }
  }

  static bool Digit(char c) { return c >= '0' && c <= '9'; }

  Status ParseNumber(JsonValue* out) {
    const size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size() || !Digit(s_[pos_])) return Error("a digit");
    if (s_[pos_] == '0') {
      ++pos_;
    } else {
      while (pos_ < s_.size() && Digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (pos_ >= s_.size() || !Digit(s_[pos_])) return Error("a digit after '.'");
      while (pos_ < s_.size() && Digit(s_[pos_])) ++pos_;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (pos_ >= s_.size() || !Digit(s_[pos_])) return Error("a digit in the exponent");
      while (pos_ < s_.size() && Digit(s_[pos_])) ++pos_;
    }
    out->kind = JsonValue::Kind::kNumber;
    out->text = std::string(s_.substr(start, pos_ - start));
    return Status::Ok();
  }

  Result<uint32_t> Hex4() {
    if (pos_ + 4 > s_.size()) return Error("four hex digits after \\u");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_];
      v <<= 4;
      if (c >= '0' && c <= '9') {
        v |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        v |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        v |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Error("a hex digit");
      }
      ++pos_;
    }
    return v;
  }

  static void AppendUtf8(uint32_t cp, std::string* out) {
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

  Status ParseString(std::string* out) {
    const size_t open = pos_;
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= s_.size()) {
        pos_ = open;
        return Error("a closing '\"' for the string starting here");
      }
      const char c = s_[pos_];
      if (c == '"') {
        ++pos_;
        break;
      }
      if (static_cast<unsigned char>(c) < 0x20) return Error("no control character in a string");
      if (c != '\\') {
        out->push_back(c);
        ++pos_;
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return Error("an escape after '\\'");
      const char e = s_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out->push_back(e);
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
          Result<uint32_t> cp = Hex4();
          if (!cp.ok()) return cp.status();
          uint32_t code = *cp;
          if (code >= 0xd800 && code <= 0xdbff) {
            if (!Literal("\\u")) return Error("a low surrogate \\uDC00..\\uDFFF");
            Result<uint32_t> low = Hex4();
            if (!low.ok()) return low.status();
            if (*low < 0xdc00 || *low > 0xdfff) return Error("a low surrogate \\uDC00..\\uDFFF");
            code = 0x10000 + ((code - 0xd800) << 10) + (*low - 0xdc00);
          } else if (code >= 0xdc00 && code <= 0xdfff) {
            return Error("a high surrogate before a low one");
          }
          if (code == 0) return Error("no \\u0000 (NUL) in a string");
          AppendUtf8(code, out);
          break;
        }
        default:
          --pos_;
          return Error("an escape (\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)");
      }
    }
    if (!IsMqttUtf8(*out)) {
      pos_ = open;
      return Error("a string of well-formed UTF-8");
    }
    return Status::Ok();
  }

  std::string_view s_;
  size_t pos_ = 0;
  const size_t max_depth_;
};

}  // namespace

const JsonValue* JsonValue::Find(std::string_view key) const {
  const JsonValue* found = nullptr;
  for (const JsonMember& m : members) {
    if (m.name == key) found = &m.value;
  }
  return found;
}

Result<JsonValue> ParseJson(std::string_view text, size_t max_depth) {
  JsonValue out;
  Reader reader(text, max_depth);
  NANOTDB_RETURN_IF_ERROR(reader.Document(&out));
  return out;
}

bool IsIntegerLiteral(std::string_view number_text) {
  return number_text.find_first_of(".eE") == std::string_view::npos;
}

}  // namespace nanotdb::mqtt
