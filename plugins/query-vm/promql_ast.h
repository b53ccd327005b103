// The syntax tree of a parsed PromQL expression (promql_parser.h builds it, promql_eval.h
// evaluates it).
//
// One node type with a kind tag keeps the tree small and easy to walk; only the fields of a
// node's kind are meaningful. Every node records the byte offset of its first token so
// evaluation errors can name a position too. Trees are immutable after parsing and may be
// evaluated from several threads at once. The parser bounds the tree's depth, so the recursive
// walks over it (evaluation, destruction) cannot exhaust a stack.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "series_selector.h"

namespace nanotdb::queryvm::promql {

// What an expression evaluates to.
enum class ValueKind { kScalar, kVector, kMatrix, kString };
const char* ValueKindName(ValueKind k);  // "scalar", "instant vector", "range vector", "string"

enum class BinaryOp {
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kPow,
  kAtan2,
  kEq,
  kNe,
  kGt,
  kLt,
  kGe,
  kLe,
  kAnd,
  kOr,
  kUnless,
};
const char* BinaryOpText(BinaryOp op);
bool IsComparison(BinaryOp op);
bool IsSetOperator(BinaryOp op);

// When a selector or subquery is evaluated: at each step (kNone), or at a fixed time.
enum class AtKind { kNone, kTimestamp, kStart, kEnd };

struct Node;
using NodePtr = std::unique_ptr<Node>;

struct Node {
  enum class Kind {
    kNumber,          // number
    kString,          // text
    kVectorSelector,  // matchers, offset, at
    kMatrixSelector,  // matchers, range, offset, at
    kSubquery,        // args[0]; range, step (0 = the query's step), offset, at
    kCall,            // name, args
    kAggregate,       // name (sum, topk, ...), grouping/without, args = [param,] expr
    kBinary,          // op, args[0] op args[1], return_bool, matching
    kNegate,          // -args[0]
    kParen,           // (args[0])
  };
  Kind kind = Kind::kNumber;
  size_t pos = 0;  // byte offset of the node's first token in the query text
  ValueKind type = ValueKind::kScalar;
  int height = 1;  // levels of this subtree (1 for a leaf)

  double number = 0;
  std::string text;  // string literal, function or aggregation name
  std::vector<NodePtr> args;

  // Selectors. `metric_name` is the name of `name{...}` (also present as a __name__ matcher).
  std::vector<LabelMatcher> matchers;
  std::string metric_name;
  int64_t range = 0;   // ns: matrix selector and subquery range
  int64_t step = 0;    // ns: subquery resolution
  int64_t offset = 0;  // ns, may be negative
  AtKind at = AtKind::kNone;
  int64_t at_ts = 0;  // ns, for AtKind::kTimestamp

  // Aggregations.
  std::vector<std::string> grouping;
  bool without = false;

  // Binary operators.
  BinaryOp op = BinaryOp::kAdd;
  bool return_bool = false;
  enum class Card { kOneToOne, kManyToOne, kOneToMany };
  Card card = Card::kOneToOne;
  bool matching_given = false;            // on(...) or ignoring(...) was written
  bool on = false;                        // on(...); otherwise ignoring(...) or nothing
  std::vector<std::string> match_labels;  // of on/ignoring
  std::vector<std::string> include;       // of group_left/group_right
};

}  // namespace nanotdb::queryvm::promql
