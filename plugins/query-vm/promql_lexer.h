// Tokens of PromQL text. The lexer is a plain loop over the bytes (no recursion), so any input
// is tokenised in linear time and constant stack.
//
// Beyond Prometheus' lexer it accepts '.' inside identifiers after the first character
// (NanoTDB metric names such as room.temp) and reads `db/metric` written without spaces as
// one identifier: the shorthand for {db="db", __name__="metric"}. Division of two series
// needs spaces around '/' (`a / b`), as promtool's formatter writes it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "nanotdb/status.h"

namespace nanotdb::queryvm::promql {

enum class Tok {
  kEof,
  kNumber,
  kDuration,
  kString,
  kIdent,
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kLBracket,
  kRBracket,
  kComma,
  kColon,
  kAt,
  kAssign,  // =
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kEqlEq,     // ==
  kNeq,       // !=
  kGtr,       // >
  kLss,       // <
  kGte,       // >=
  kLte,       // <=
  kRegexEq,   // =~
  kRegexNeq,  // !~
};

struct Token {
  Tok kind = Tok::kEof;
  size_t pos = 0;  // byte offset
  size_t len = 0;
  std::string text;      // identifier, decoded string literal
  double number = 0;     // kNumber
  int64_t duration = 0;  // kDuration, ns
};

// "line:column" (both 1-based) of a byte offset, the way Prometheus prefixes its errors.
std::string PositionText(std::string_view query, size_t pos);

// How a token reads in an error message: `"rate"`, `number "5"`, `"+"`, `end of input`.
std::string DescribeToken(const Token& t);

// Parses a Prometheus duration ("5m", "1h30m", "500ms", "2d", "1w", "1y"); false on bad text.
bool ParsePromDuration(std::string_view s, int64_t* ns);

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  // The next token; InvalidArgument "<line:col>: parse error: ..." for text that is no token.
  Result<Token> Next();

 private:
  Status Error(size_t pos, const std::string& what) const;
  Result<Token> LexNumberOrDuration(size_t start);
  Result<Token> LexString(size_t start);

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace nanotdb::queryvm::promql
