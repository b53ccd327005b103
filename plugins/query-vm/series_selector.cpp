#include "series_selector.h"

#include <re2/re2.h>

#include "promql_parser.h"

namespace nanotdb::queryvm {
namespace {

constexpr std::string_view kSelectorHint =
    "a series selector is a metric name and/or label matchers, such as up{job=\"node\"}, "
    "demo/room.temp or {db=\"demo\"}";

// What a parsed expression that is no plain selector is, for the error message.
std::string Describe(const promql::Node& n) {
  using Kind = promql::Node::Kind;
  switch (n.kind) {
    case Kind::kNumber:
      return "a number";
    case Kind::kString:
      return "a string";
    case Kind::kVectorSelector:
      return n.offset != 0 ? "a selector with offset" : "a selector with @";
    case Kind::kMatrixSelector:
      return "a range vector";
    case Kind::kSubquery:
      return "a subquery";
    case Kind::kCall:
      return "a call to function \"" + n.text + "\"";
    case Kind::kAggregate:
      return "an aggregation \"" + n.text + "\"";
    case Kind::kBinary:
      return std::string("an expression with operator \"") + promql::BinaryOpText(n.op) + "\"";
    case Kind::kNegate:
      return "a negation";
    case Kind::kParen:
      return "an expression in parentheses";
  }
  return "an expression";
}

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

Result<SeriesSelector> ParseSeriesSelector(std::string_view text) {
  promql::ParseLimits limits;
  limits.max_matchers = kMaxMatchers;
  NANOTDB_ASSIGN_OR_RETURN(promql::NodePtr root, promql::ParseExpr(text, limits));
  if (root->kind != promql::Node::Kind::kVectorSelector || root->offset != 0 ||
      root->at != promql::AtKind::kNone) {
    return Status::InvalidArgument("match[] must be a series selector, got " + Describe(*root) +
                                   ": " + std::string(kSelectorHint));
  }
  size_t regexes = 0;
  for (const LabelMatcher& m : root->matchers) {
    if (m.op != LabelMatcher::Op::kRegex && m.op != LabelMatcher::Op::kNotRegex) continue;
    if (++regexes > kMaxRegexMatchers) {
      return Status::InvalidArgument("selector has more than " + std::to_string(kMaxRegexMatchers) +
                                     " regex matchers (=~, !~)");
    }
    if (m.value.size() > kMaxRegexBytes) {
      return Status::InvalidArgument("regex for label \"" + m.label + "\" is " +
                                     std::to_string(m.value.size()) + " bytes; at most " +
                                     std::to_string(kMaxRegexBytes) + " are accepted");
    }
  }
  return SeriesSelector{std::move(root->matchers)};
}

}  // namespace nanotdb::queryvm
