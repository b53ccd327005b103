#include "series_selector.h"

#include <re2/re2.h>

#include <cctype>
#include <charconv>

namespace nanotdb::queryvm {
namespace {

constexpr std::string_view kSelectorHint =
    "NanoTDB queries are series selectors such as demo/room.temp or "
    "{__name__=\"demo/room.temp\"}";

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }
bool IsLabelStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsLabelChar(char c) { return IsLabelStart(c) || std::isdigit(static_cast<unsigned char>(c)); }
// Characters that end a bare metric name: PromQL syntax around a selector.
bool EndsName(char c) {
  return IsSpace(c) || c == '{' || c == '}' || c == '(' || c == ')' || c == '[' || c == ']' ||
         c == '"' || c == '\'' || c == '`' || c == ',' || c == '=' || c == '!' || c == '~' ||
         c == '+' || c == '*' || c == '^' || c == '%' || c == '<' || c == '>';
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<SeriesSelector> Parse() {
    SeriesSelector sel;
    SkipSpace();
    size_t start = pos_;
    while (pos_ < text_.size() && !EndsName(text_[pos_])) ++pos_;
    std::string_view name = text_.substr(start, pos_ - start);
    SkipSpace();
    if (!name.empty()) {
      if (Peek('(')) {
        return Status::InvalidArgument("function \"" + std::string(name) +
                                       "\" is not supported: " + std::string(kSelectorHint));
      }
      sel.matchers.push_back(
          {std::string(kNameLabel), LabelMatcher::Op::kEqual, std::string(name), nullptr});
    }
    if (Peek('{')) {
      ++pos_;
      NANOTDB_RETURN_IF_ERROR(ParseMatchers(&sel));
      SkipSpace();
    }
    if (pos_ < text_.size()) return Unsupported();
    if (sel.matchers.empty()) {
      return Status::InvalidArgument("empty query: " + std::string(kSelectorHint));
    }
    return sel;
  }

 private:
  Status ParseMatchers(SeriesSelector* sel) {
    while (true) {
      SkipSpace();
      if (Peek('}')) {
        ++pos_;
        return Status::Ok();
      }
      if (pos_ >= text_.size()) return Status::InvalidArgument("unterminated '{' in query");
      if (!IsLabelStart(text_[pos_])) return Unsupported();
      size_t start = pos_;
      while (pos_ < text_.size() && IsLabelChar(text_[pos_])) ++pos_;
      LabelMatcher m;
      m.label = std::string(text_.substr(start, pos_ - start));
      SkipSpace();
      if (Consume("=~")) {
        m.op = LabelMatcher::Op::kRegex;
      } else if (Consume("!~")) {
        m.op = LabelMatcher::Op::kNotRegex;
      } else if (Consume("!=")) {
        m.op = LabelMatcher::Op::kNotEqual;
      } else if (Consume("=")) {
        m.op = LabelMatcher::Op::kEqual;
      } else {
        return Status::InvalidArgument("expected =, !=, =~ or !~ after label \"" + m.label +
                                       "\" in query");
      }
      SkipSpace();
      NANOTDB_RETURN_IF_ERROR(ParseString(&m.value));
      if (sel->matchers.size() >= kMaxMatchers) {
        return Status::InvalidArgument("query has more than " + std::to_string(kMaxMatchers) +
                                       " label matchers in one selector");
      }
      if (m.op == LabelMatcher::Op::kRegex || m.op == LabelMatcher::Op::kNotRegex) {
        if (++regex_count_ > kMaxRegexMatchers) {
          return Status::InvalidArgument("query has more than " +
                                         std::to_string(kMaxRegexMatchers) +
                                         " regex matchers (=~, !~) in one selector");
        }
        if (m.value.size() > kMaxRegexBytes) {
          return Status::InvalidArgument("regex for label \"" + m.label + "\" is " +
                                         std::to_string(m.value.size()) + " bytes; at most " +
                                         std::to_string(kMaxRegexBytes) + " are accepted");
        }
        re2::RE2::Options options(re2::RE2::Quiet);
        options.set_max_mem(kRegexMaxMem);
        auto re = std::make_shared<re2::RE2>(m.value, options);
        if (!re->ok()) {
          return Status::InvalidArgument("invalid regex \"" + m.value + "\" for label \"" +
                                         m.label + "\": " + re->error());
        }
        m.regex = std::move(re);
      }
      sel->matchers.push_back(std::move(m));
      SkipSpace();
      if (Peek(',')) ++pos_;
    }
  }

  // A "...", '...' or `...` literal. Escapes \" \' \\ \n \t are decoded; any other backslash
  // is kept so regexes such as "room\.temp" reach RE2 as written.
  Status ParseString(std::string* out) {
    if (pos_ >= text_.size() || (text_[pos_] != '"' && text_[pos_] != '\'' && text_[pos_] != '`')) {
      return Status::InvalidArgument("expected a quoted label value in query at offset " +
                                     std::to_string(pos_));
    }
    char quote = text_[pos_++];
    while (pos_ < text_.size()) {
      char c = text_[pos_++];
      if (c == quote) return Status::Ok();
      if (c == '\\' && quote != '`' && pos_ < text_.size()) {
        char e = text_[pos_++];
        switch (e) {
          case 'n':
            out->push_back('\n');
            break;
          case 't':
            out->push_back('\t');
            break;
          case '"':
          case '\'':
          case '\\':
            out->push_back(e);
            break;
          default:
            out->push_back('\\');
            out->push_back(e);
        }
        continue;
      }
      out->push_back(c);
    }
    return Status::InvalidArgument("unterminated string in query");
  }

  Status Unsupported() const {
    std::string_view rest = text_.substr(pos_);
    if (rest.starts_with("[")) {
      return Status::InvalidArgument(
          "range vectors such as \"[5m]\" are not supported: use "
          "query_range with step or aggregate and window");
    }
    return Status::InvalidArgument("unsupported query text \"" + std::string(rest) +
                                   "\": PromQL functions and operators are not supported; " +
                                   std::string(kSelectorHint));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && IsSpace(text_[pos_])) ++pos_;
  }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool Consume(std::string_view s) {
    if (!text_.substr(pos_).starts_with(s)) return false;
    pos_ += s.size();
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
  size_t regex_count_ = 0;
};

}  // namespace

bool LabelMatcher::Matches(std::string_view label_value) const {
  switch (op) {
    case Op::kEqual:
      return label_value == value;
    case Op::kNotEqual:
      return label_value != value;
    case Op::kRegex:
      return re2::RE2::FullMatch(label_value, *regex);
    case Op::kNotRegex:
      return !re2::RE2::FullMatch(label_value, *regex);
  }
  return false;
}

Result<SeriesSelector> ParseSeriesSelector(std::string_view text) { return Parser(text).Parse(); }

}  // namespace nanotdb::queryvm
