// PromQL text to a typed syntax tree (promql_ast.h).
//
// A recursive-descent parser whose depth is bounded: every nested construct (parentheses,
// function arguments, operands of operators) counts one level, and text nested deeper than
// ParseLimits::max_depth is refused before the stack grows further. The query length and the
// number of label matchers are bounded too, so a hostile query is refused cheaply. Errors are
// InvalidArgument in Prometheus' form, "1:14: parse error: unexpected ..." (line:column of the
// offending token). Type errors ("expected type range vector in call to function \"rate\", got
// instant vector") are found here as well, before anything is read from storage.
//
// Thread-safe: ParseExpr is a pure function.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "nanotdb/status.h"
#include "promql_ast.h"

namespace nanotdb::queryvm::promql {

struct ParseLimits {
  size_t max_bytes = 16 * 1024;  // query text
  int max_depth = 64;            // nesting of expressions
  size_t max_matchers = 128;     // label matchers over all selectors
};

Result<NodePtr> ParseExpr(std::string_view text, const ParseLimits& limits = {});

// True when `name` is an aggregation operator the parser knows (sum, topk, ...).
bool IsAggregation(std::string_view name);

// A function's signature: argument types (the last `optional` of them may be left out; a
// variadic function repeats its last type) and its result type.
struct FunctionInfo {
  std::string_view name;
  std::vector<ValueKind> args;
  size_t optional = 0;
  bool variadic = false;
  ValueKind result = ValueKind::kVector;
};
// nullptr for a function the evaluator does not implement.
const FunctionInfo* FindFunction(std::string_view name);

}  // namespace nanotdb::queryvm::promql
