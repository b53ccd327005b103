#include "promql_parser.h"

#include <re2/re2.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "promql_lexer.h"

namespace nanotdb::queryvm::promql {

const char* ValueKindName(ValueKind k) {
  switch (k) {
    case ValueKind::kScalar:
      return "scalar";
    case ValueKind::kVector:
      return "instant vector";
    case ValueKind::kMatrix:
      return "range vector";
    case ValueKind::kString:
      return "string";
  }
  return "?";
}

const char* BinaryOpText(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd:
      return "+";
    case BinaryOp::kSub:
      return "-";
    case BinaryOp::kMul:
      return "*";
    case BinaryOp::kDiv:
      return "/";
    case BinaryOp::kMod:
      return "%";
    case BinaryOp::kPow:
      return "^";
    case BinaryOp::kAtan2:
      return "atan2";
    case BinaryOp::kEq:
      return "==";
    case BinaryOp::kNe:
      return "!=";
    case BinaryOp::kGt:
      return ">";
    case BinaryOp::kLt:
      return "<";
    case BinaryOp::kGe:
      return ">=";
    case BinaryOp::kLe:
      return "<=";
    case BinaryOp::kAnd:
      return "and";
    case BinaryOp::kOr:
      return "or";
    case BinaryOp::kUnless:
      return "unless";
  }
  return "?";
}

bool IsComparison(BinaryOp op) { return op >= BinaryOp::kEq && op <= BinaryOp::kLe; }
bool IsSetOperator(BinaryOp op) { return op >= BinaryOp::kAnd; }

namespace {

constexpr ValueKind S = ValueKind::kScalar;
constexpr ValueKind V = ValueKind::kVector;
constexpr ValueKind M = ValueKind::kMatrix;
constexpr ValueKind Str = ValueKind::kString;

const FunctionInfo kFunctions[] = {
    {"abs", {V}},
    {"acos", {V}},
    {"acosh", {V}},
    {"asin", {V}},
    {"asinh", {V}},
    {"atan", {V}},
    {"atanh", {V}},
    {"absent", {V}},
    {"absent_over_time", {M}},
    {"avg_over_time", {M}},
    {"ceil", {V}},
    {"changes", {M}},
    {"clamp", {V, S, S}},
    {"clamp_max", {V, S}},
    {"clamp_min", {V, S}},
    {"cos", {V}},
    {"cosh", {V}},
    {"count_over_time", {M}},
    {"delta", {M}},
    {"day_of_month", {V}, 1},
    {"day_of_week", {V}, 1},
    {"day_of_year", {V}, 1},
    {"days_in_month", {V}, 1},
    {"deg", {V}},
    {"deriv", {M}},
    {"exp", {V}},
    {"floor", {V}},
    {"histogram_quantile", {S, V}},
    {"holt_winters", {M, S, S}},
    {"hour", {V}, 1},
    {"idelta", {M}},
    {"increase", {M}},
    {"irate", {M}},
    {"label_join", {V, Str, Str, Str}, 1, true},
    {"label_replace", {V, Str, Str, Str, Str}},
    {"last_over_time", {M}},
    {"ln", {V}},
    {"log10", {V}},
    {"log2", {V}},
    {"max_over_time", {M}},
    {"min_over_time", {M}},
    {"minute", {V}, 1},
    {"month", {V}, 1},
    {"pi", {}, 0, false, S},
    {"predict_linear", {M, S}},
    {"present_over_time", {M}},
    {"quantile_over_time", {S, M}},
    {"rad", {V}},
    {"rate", {M}},
    {"resets", {M}},
    {"round", {V, S}, 1},
    {"scalar", {V}, 0, false, S},
    {"sgn", {V}},
    {"sin", {V}},
    {"sinh", {V}},
    {"sort", {V}},
    {"sort_desc", {V}},
    {"sqrt", {V}},
    {"stddev_over_time", {M}},
    {"stdvar_over_time", {M}},
    {"sum_over_time", {M}},
    {"tan", {V}},
    {"tanh", {V}},
    {"time", {}, 0, false, S},
    {"timestamp", {V}},
    {"vector", {S}},
    {"year", {V}, 1},
};

const std::set<std::string_view> kAggregations = {"avg",    "bottomk", "count", "count_values",
                                                  "group",  "max",     "min",   "quantile",
                                                  "stddev", "stdvar",  "sum",   "topk"};

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

// Durations and @ times are bounded so that time arithmetic (t - offset - range - lookback)
// stays far from int64 overflow.
constexpr int64_t kMaxDuration = 50 * 365 * 86400 * int64_t{1'000'000'000};
constexpr double kMaxAtSeconds = 4e9;  // year 2096

class Parser {
 public:
  Parser(std::string_view text, const ParseLimits& limits)
      : text_(text), lexer_(text), limits_(limits) {}

  Result<NodePtr> Parse() {
    NANOTDB_RETURN_IF_ERROR(Advance());
    if (tok_.kind == Tok::kEof)
      return Status::InvalidArgument("1:1: parse error: no expression found in input");
    NANOTDB_ASSIGN_OR_RETURN(NodePtr root, ParseBinary(0));
    if (tok_.kind != Tok::kEof) return Unexpected("; expected an operator or end of input");
    return root;
  }

 private:
  // ----- tokens
  Status Advance() {
    NANOTDB_ASSIGN_OR_RETURN(Token t, lexer_.Next());
    tok_ = std::move(t);
    return Status::Ok();
  }
  Status ErrorAt(size_t pos, const std::string& what) const {
    return Status::InvalidArgument(PositionText(text_, pos) + ": parse error: " + what);
  }
  Status Unexpected(const std::string& expected) const {
    return ErrorAt(tok_.pos, "unexpected " + DescribeToken(tok_) + expected);
  }
  Status Expect(Tok kind, const char* what) {
    if (tok_.kind != kind) return Unexpected(std::string("; expected ") + what);
    return Advance();
  }
  // Keywords (operators, modifiers, aggregations) are case-insensitive, as in Prometheus;
  // function and metric names are not. `word` is lower case.
  bool IsIdent(std::string_view word) const {
    return tok_.kind == Tok::kIdent && AsciiLower(tok_.text) == word;
  }

  // ----- depth
  struct DepthGuard {
    int& depth;
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
  };
  Status CheckDepth(size_t pos) const {
    if (depth_ > limits_.max_depth) {
      return ErrorAt(
          pos, "expression nests deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    return Status::Ok();
  }
  Status Finish(Node* n) const {
    for (const NodePtr& a : n->args) n->height = std::max(n->height, a->height + 1);
    if (n->height > limits_.max_depth) {
      return ErrorAt(
          n->pos, "expression nests deeper than " + std::to_string(limits_.max_depth) + " levels");
    }
    return Status::Ok();
  }

  // ----- binary operators, by precedence climbing
  struct OpInfo {
    BinaryOp op;
    int prec;
  };
  std::optional<OpInfo> PeekBinaryOp() const {
    switch (tok_.kind) {
      case Tok::kAdd:
        return OpInfo{BinaryOp::kAdd, 4};
      case Tok::kSub:
        return OpInfo{BinaryOp::kSub, 4};
      case Tok::kMul:
        return OpInfo{BinaryOp::kMul, 5};
      case Tok::kDiv:
        return OpInfo{BinaryOp::kDiv, 5};
      case Tok::kMod:
        return OpInfo{BinaryOp::kMod, 5};
      case Tok::kPow:
        return OpInfo{BinaryOp::kPow, 6};
      case Tok::kEqlEq:
        return OpInfo{BinaryOp::kEq, 3};
      case Tok::kNeq:
        return OpInfo{BinaryOp::kNe, 3};
      case Tok::kGtr:
        return OpInfo{BinaryOp::kGt, 3};
      case Tok::kLss:
        return OpInfo{BinaryOp::kLt, 3};
      case Tok::kGte:
        return OpInfo{BinaryOp::kGe, 3};
      case Tok::kLte:
        return OpInfo{BinaryOp::kLe, 3};
      case Tok::kIdent:
        if (IsIdent("and")) return OpInfo{BinaryOp::kAnd, 2};
        if (IsIdent("unless")) return OpInfo{BinaryOp::kUnless, 2};
        if (IsIdent("or")) return OpInfo{BinaryOp::kOr, 1};
        if (IsIdent("atan2")) return OpInfo{BinaryOp::kAtan2, 5};
        return std::nullopt;
      default:
        return std::nullopt;
    }
  }

  Result<NodePtr> ParseBinary(int min_prec) {
    DepthGuard guard(depth_);
    NANOTDB_RETURN_IF_ERROR(CheckDepth(tok_.pos));
    NANOTDB_ASSIGN_OR_RETURN(NodePtr lhs, ParseUnary());
    while (true) {
      std::optional<OpInfo> info = PeekBinaryOp();
      if (!info || info->prec < min_prec) return lhs;
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::kBinary;
      n->pos = lhs->pos;
      n->op = info->op;
      size_t op_pos = tok_.pos;
      NANOTDB_RETURN_IF_ERROR(Advance());
      NANOTDB_RETURN_IF_ERROR(ParseBinaryModifiers(n.get()));
      // ^ is right-associative; every other operator left-associative.
      int next = info->op == BinaryOp::kPow ? info->prec : info->prec + 1;
      NANOTDB_ASSIGN_OR_RETURN(NodePtr rhs, ParseBinary(next));
      n->args.push_back(std::move(lhs));
      n->args.push_back(std::move(rhs));
      NANOTDB_RETURN_IF_ERROR(CheckBinaryTypes(n.get(), op_pos));
      NANOTDB_RETURN_IF_ERROR(Finish(n.get()));
      lhs = std::move(n);
    }
  }

  Status ParseLabelList(std::vector<std::string>* out) {
    NANOTDB_RETURN_IF_ERROR(Expect(Tok::kLParen, "\"(\" before a label list"));
    while (tok_.kind != Tok::kRParen) {
      if (tok_.kind != Tok::kIdent || !IsLabelName(tok_.text)) {
        return Unexpected("; expected a label name in the grouping list");
      }
      out->push_back(tok_.text);
      NANOTDB_RETURN_IF_ERROR(Advance());
      if (tok_.kind == Tok::kComma) {
        NANOTDB_RETURN_IF_ERROR(Advance());
      } else if (tok_.kind != Tok::kRParen) {
        return Unexpected("; expected \",\" or \")\" in the label list");
      }
    }
    return Advance();
  }

  Status ParseBinaryModifiers(Node* n) {
    if (IsIdent("bool")) {
      if (!IsComparison(n->op))
        return ErrorAt(tok_.pos, "bool modifier can only be used on comparison operators");
      n->return_bool = true;
      NANOTDB_RETURN_IF_ERROR(Advance());
    }
    if (IsIdent("on") || IsIdent("ignoring")) {
      n->on = IsIdent("on");
      NANOTDB_RETURN_IF_ERROR(Advance());
      n->card = Node::Card::kOneToOne;
      NANOTDB_RETURN_IF_ERROR(ParseLabelList(&n->match_labels));
      n->matching_given = true;
      if (IsIdent("group_left") || IsIdent("group_right")) {
        n->card = IsIdent("group_left") ? Node::Card::kManyToOne : Node::Card::kOneToMany;
        size_t pos = tok_.pos;
        NANOTDB_RETURN_IF_ERROR(Advance());
        if (IsSetOperator(n->op))
          return ErrorAt(pos, "no grouping allowed for \"" + std::string(BinaryOpText(n->op)) +
                                  "\" operation");
        if (tok_.kind == Tok::kLParen) NANOTDB_RETURN_IF_ERROR(ParseLabelList(&n->include));
      }
    } else if (IsIdent("group_left") || IsIdent("group_right")) {
      return ErrorAt(tok_.pos, tok_.text + " needs on(...) or ignoring(...) before it");
    }
    return Status::Ok();
  }

  Status CheckBinaryTypes(Node* n, size_t op_pos) const {
    ValueKind l = n->args[0]->type, r = n->args[1]->type;
    for (ValueKind k : {l, r}) {
      if (k != S && k != V) {
        return ErrorAt(op_pos,
                       "binary expression must contain only scalar and instant vector types, got " +
                           std::string(ValueKindName(k)));
      }
    }
    if (IsSetOperator(n->op) && (l != V || r != V)) {
      return ErrorAt(op_pos, "set operator \"" + std::string(BinaryOpText(n->op)) +
                                 "\" not allowed in binary scalar expression");
    }
    if (IsComparison(n->op) && l == S && r == S && !n->return_bool) {
      return ErrorAt(op_pos, "comparisons between scalars must use BOOL modifier");
    }
    if (n->matching_given && (l != V || r != V)) {
      return ErrorAt(op_pos, "vector matching only allowed between instant vectors");
    }
    n->type = (l == S && r == S) ? S : V;
    return Status::Ok();
  }

  // ----- unary and postfix
  Result<NodePtr> ParseUnary() {
    if (tok_.kind == Tok::kSub || tok_.kind == Tok::kAdd) {
      bool negate = tok_.kind == Tok::kSub;
      size_t pos = tok_.pos;
      NANOTDB_RETURN_IF_ERROR(Advance());
      // Unary minus binds less tightly than ^: -2^2 is -4.
      NANOTDB_ASSIGN_OR_RETURN(NodePtr operand, ParseBinary(6));
      if (operand->type != S && operand->type != V) {
        return ErrorAt(
            pos,
            "unary expression only allowed on expressions of type scalar or instant vector, got " +
                std::string(ValueKindName(operand->type)));
      }
      if (!negate) return operand;
      auto n = std::make_unique<Node>();
      n->kind = Node::Kind::kNegate;
      n->pos = pos;
      n->type = operand->type;
      n->args.push_back(std::move(operand));
      NANOTDB_RETURN_IF_ERROR(Finish(n.get()));
      return n;
    }
    NANOTDB_ASSIGN_OR_RETURN(NodePtr n, ParsePrimary());
    return ParsePostfix(std::move(n));
  }

  Result<int64_t> ParseDurationToken(const char* what) {
    int64_t d = 0;
    if (tok_.kind == Tok::kDuration) {
      d = tok_.duration;
    } else if (tok_.kind == Tok::kNumber && std::isfinite(tok_.number) && tok_.number >= 0 &&
               tok_.number < 9e9) {
      d = static_cast<int64_t>(std::llround(tok_.number * 1e9));
    } else {
      return Unexpected(std::string("; expected a duration for ") + what);
    }
    if (d > kMaxDuration) {
      return ErrorAt(tok_.pos, std::string("duration for ") + what + " is longer than 50y");
    }
    NANOTDB_RETURN_IF_ERROR(Advance());
    return d;
  }

  Result<NodePtr> ParsePostfix(NodePtr n) {
    while (true) {
      if (tok_.kind == Tok::kLBracket) {
        size_t pos = tok_.pos;
        NANOTDB_RETURN_IF_ERROR(Advance());
        NANOTDB_ASSIGN_OR_RETURN(int64_t range, ParseDurationToken("the range"));
        if (range <= 0) return ErrorAt(pos, "range must be > 0");
        if (tok_.kind == Tok::kColon) {
          NANOTDB_RETURN_IF_ERROR(Advance());
          int64_t step = 0;
          if (tok_.kind != Tok::kRBracket) {
            NANOTDB_ASSIGN_OR_RETURN(step, ParseDurationToken("the subquery step"));
            if (step <= 0) return ErrorAt(pos, "subquery step must be > 0");
          }
          NANOTDB_RETURN_IF_ERROR(Expect(Tok::kRBracket, "\"]\""));
          if (n->type != V) {
            return ErrorAt(pos, "subquery is only allowed on instant vector, got " +
                                    std::string(ValueKindName(n->type)));
          }
          auto sq = std::make_unique<Node>();
          sq->kind = Node::Kind::kSubquery;
          sq->pos = n->pos;
          sq->type = M;
          sq->range = range;
          sq->step = step;
          sq->args.push_back(std::move(n));
          NANOTDB_RETURN_IF_ERROR(Finish(sq.get()));
          n = std::move(sq);
          continue;
        }
        NANOTDB_RETURN_IF_ERROR(Expect(Tok::kRBracket, "\"]\" or \":\""));
        if (n->kind != Node::Kind::kVectorSelector || n->offset != 0 || n->at != AtKind::kNone) {
          return ErrorAt(pos, "ranges only allowed for vector selectors");
        }
        n->kind = Node::Kind::kMatrixSelector;
        n->type = M;
        n->range = range;
        continue;
      }
      bool modifiable = n->kind == Node::Kind::kVectorSelector ||
                        n->kind == Node::Kind::kMatrixSelector || n->kind == Node::Kind::kSubquery;
      if (IsIdent("offset")) {
        size_t pos = tok_.pos;
        if (!modifiable)
          return ErrorAt(pos,
                         "offset modifier must be preceded by an instant vector selector or range "
                         "vector selector or a subquery");
        if (n->offset != 0) return ErrorAt(pos, "offset may not be set multiple times");
        NANOTDB_RETURN_IF_ERROR(Advance());
        bool neg = false;
        if (tok_.kind == Tok::kSub) {
          neg = true;
          NANOTDB_RETURN_IF_ERROR(Advance());
        }
        NANOTDB_ASSIGN_OR_RETURN(int64_t d, ParseDurationToken("offset"));
        n->offset = neg ? -d : d;
        continue;
      }
      if (tok_.kind == Tok::kAt) {
        size_t pos = tok_.pos;
        if (!modifiable)
          return ErrorAt(pos,
                         "@ modifier must be preceded by an instant vector selector or range "
                         "vector selector or a subquery");
        if (n->at != AtKind::kNone)
          return ErrorAt(pos, "@ <timestamp> may not be set multiple times");
        NANOTDB_RETURN_IF_ERROR(Advance());
        if (IsIdent("start") || IsIdent("end")) {
          n->at = IsIdent("start") ? AtKind::kStart : AtKind::kEnd;
          NANOTDB_RETURN_IF_ERROR(Advance());
          NANOTDB_RETURN_IF_ERROR(Expect(Tok::kLParen, "\"(\""));
          NANOTDB_RETURN_IF_ERROR(Expect(Tok::kRParen, "\")\""));
          continue;
        }
        bool neg = false;
        if (tok_.kind == Tok::kSub || tok_.kind == Tok::kAdd) {
          neg = tok_.kind == Tok::kSub;
          NANOTDB_RETURN_IF_ERROR(Advance());
        }
        if (tok_.kind != Tok::kNumber || !std::isfinite(tok_.number) ||
            std::fabs(tok_.number) > kMaxAtSeconds) {
          return Unexpected("; expected a timestamp (Unix seconds), start() or end() after @");
        }
        n->at = AtKind::kTimestamp;
        n->at_ts = static_cast<int64_t>(std::llround((neg ? -tok_.number : tok_.number) * 1e9));
        NANOTDB_RETURN_IF_ERROR(Advance());
        continue;
      }
      return n;
    }
  }

  // ----- primaries
  Result<NodePtr> ParsePrimary() {
    auto n = std::make_unique<Node>();
    n->pos = tok_.pos;
    switch (tok_.kind) {
      case Tok::kNumber:
        n->kind = Node::Kind::kNumber;
        n->type = S;
        n->number = tok_.number;
        NANOTDB_RETURN_IF_ERROR(Advance());
        return n;
      case Tok::kDuration:
        return Unexpected("; a duration is only allowed in [...], offset or a subquery");
      case Tok::kString:
        n->kind = Node::Kind::kString;
        n->type = Str;
        n->text = tok_.text;
        NANOTDB_RETURN_IF_ERROR(Advance());
        return n;
      case Tok::kLParen: {
        NANOTDB_RETURN_IF_ERROR(Advance());
        NANOTDB_ASSIGN_OR_RETURN(NodePtr inner, ParseBinary(0));
        NANOTDB_RETURN_IF_ERROR(Expect(Tok::kRParen, "\")\""));
        n->kind = Node::Kind::kParen;
        n->type = inner->type;
        n->args.push_back(std::move(inner));
        NANOTDB_RETURN_IF_ERROR(Finish(n.get()));
        return n;
      }
      case Tok::kLBrace:
        n->kind = Node::Kind::kVectorSelector;
        n->type = V;
        NANOTDB_RETURN_IF_ERROR(ParseMatchers(n.get()));
        NANOTDB_RETURN_IF_ERROR(CheckSelector(n.get()));
        return n;
      case Tok::kIdent:
        return ParseIdentifier(std::move(n));
      default:
        return Unexpected("; expected an expression");
    }
  }

  Result<NodePtr> ParseIdentifier(NodePtr n) {
    std::string name = tok_.text;
    size_t pos = tok_.pos;
    NANOTDB_RETURN_IF_ERROR(Advance());
    if (IsAggregation(AsciiLower(name)) &&
        (tok_.kind == Tok::kLParen || IsIdent("by") || IsIdent("without"))) {
      return ParseAggregation(std::move(n), AsciiLower(name));
    }
    if (tok_.kind == Tok::kLParen) return ParseCall(std::move(n), name, pos);
    // A metric name, possibly db/metric.
    n->kind = Node::Kind::kVectorSelector;
    n->type = V;
    AddNameMatcher(n.get(), name);
    NANOTDB_RETURN_IF_ERROR(CountMatcher(pos));
    if (tok_.kind == Tok::kLBrace) NANOTDB_RETURN_IF_ERROR(ParseMatchers(n.get()));
    NANOTDB_RETURN_IF_ERROR(CheckSelector(n.get()));
    return n;
  }

  // `name` or "db/name" as __name__ (and db) matchers.
  void AddNameMatcher(Node* n, const std::string& name) {
    size_t slash = name.find('/');
    if (slash != std::string::npos) {
      n->matchers.push_back(
          {std::string(kDbLabel), LabelMatcher::Op::kEqual, name.substr(0, slash), nullptr});
      n->metric_name = name.substr(slash + 1);
    } else {
      n->metric_name = name;
    }
    n->matchers.push_back(
        {std::string(kNameLabel), LabelMatcher::Op::kEqual, n->metric_name, nullptr});
  }

  Status ParseMatchers(Node* n) {
    NANOTDB_RETURN_IF_ERROR(Expect(Tok::kLBrace, "\"{\""));
    while (tok_.kind != Tok::kRBrace) {
      LabelMatcher m;
      size_t pos = tok_.pos;
      if (tok_.kind == Tok::kString) {
        // {"metric"} / {"db/metric"}: a quoted name; {"label"="v"}: a quoted label name.
        std::string text = tok_.text;
        NANOTDB_RETURN_IF_ERROR(Advance());
        if (tok_.kind == Tok::kComma || tok_.kind == Tok::kRBrace) {
          if (!n->metric_name.empty())
            return ErrorAt(pos, "metric name must not be set twice: \"" + n->metric_name +
                                    "\" or \"" + text + "\"");
          if (text.empty()) return ErrorAt(pos, "empty metric name");
          AddNameMatcher(n, text);
          NANOTDB_RETURN_IF_ERROR(CountMatcher(pos));
          if (tok_.kind == Tok::kComma) NANOTDB_RETURN_IF_ERROR(Advance());
          continue;
        }
        m.label = text;
      } else if (tok_.kind == Tok::kIdent && IsLabelName(tok_.text)) {
        m.label = tok_.text;
        NANOTDB_RETURN_IF_ERROR(Advance());
      } else {
        return Unexpected(" in label matching; expected a label name");
      }
      switch (tok_.kind) {
        case Tok::kAssign:
          m.op = LabelMatcher::Op::kEqual;
          break;
        case Tok::kNeq:
          m.op = LabelMatcher::Op::kNotEqual;
          break;
        case Tok::kRegexEq:
          m.op = LabelMatcher::Op::kRegex;
          break;
        case Tok::kRegexNeq:
          m.op = LabelMatcher::Op::kNotRegex;
          break;
        default:
          return Unexpected(" in label matching; expected one of \"=\", \"!=\", \"=~\" or \"!~\"");
      }
      NANOTDB_RETURN_IF_ERROR(Advance());
      if (tok_.kind != Tok::kString)
        return Unexpected(" in label matching; expected a quoted label value");
      m.value = tok_.text;
      size_t value_pos = tok_.pos;
      NANOTDB_RETURN_IF_ERROR(Advance());
      if (m.op == LabelMatcher::Op::kRegex || m.op == LabelMatcher::Op::kNotRegex) {
        RE2::Options opts;
        opts.set_log_errors(false);
        opts.set_max_mem(kRegexMaxMem);
        auto re = std::make_shared<re2::RE2>(m.value, opts);
        if (!re->ok()) {
          return ErrorAt(value_pos, "invalid regular expression \"" + m.value + "\" for label \"" +
                                        m.label + "\": " + re->error());
        }
        m.regex = std::move(re);
      }
      if (m.label == kNameLabel && m.op == LabelMatcher::Op::kEqual) {
        if (!n->metric_name.empty() && m.value != n->metric_name) {
          return ErrorAt(pos, "metric name must not be set twice: \"" + n->metric_name +
                                  "\" or \"" + m.value + "\"");
        }
        if (n->metric_name.empty()) {
          AddNameMatcher(n, m.value);
          NANOTDB_RETURN_IF_ERROR(CountMatcher(pos));
        }
      } else {
        n->matchers.push_back(std::move(m));
        NANOTDB_RETURN_IF_ERROR(CountMatcher(pos));
      }
      if (tok_.kind == Tok::kComma) {
        NANOTDB_RETURN_IF_ERROR(Advance());
      } else if (tok_.kind != Tok::kRBrace) {
        return Unexpected(" in label matching; expected \",\" or \"}\"");
      }
    }
    return Advance();
  }

  Status CountMatcher(size_t pos) {
    if (++matchers_ > limits_.max_matchers) {
      return ErrorAt(
          pos, "query has more than " + std::to_string(limits_.max_matchers) + " label matchers");
    }
    return Status::Ok();
  }

  Status CheckSelector(const Node* n) const {
    for (const LabelMatcher& m : n->matchers) {
      if (!m.Matches("")) return Status::Ok();
    }
    return ErrorAt(n->pos, "vector selector must contain at least one non-empty matcher");
  }

  Result<NodePtr> ParseCall(NodePtr n, const std::string& name, size_t pos) {
    const FunctionInfo* f = FindFunction(name);
    if (f == nullptr) {
      return ErrorAt(pos, "unknown function with name \"" + name + "\"");
    }
    n->kind = Node::Kind::kCall;
    n->text = name;
    n->type = f->result;
    NANOTDB_RETURN_IF_ERROR(Expect(Tok::kLParen, "\"(\""));
    while (tok_.kind != Tok::kRParen) {
      NANOTDB_ASSIGN_OR_RETURN(NodePtr arg, ParseBinary(0));
      n->args.push_back(std::move(arg));
      if (tok_.kind == Tok::kComma) {
        NANOTDB_RETURN_IF_ERROR(Advance());
      } else if (tok_.kind != Tok::kRParen) {
        return Unexpected("; expected \",\" or \")\" in the arguments of " + name);
      }
    }
    NANOTDB_RETURN_IF_ERROR(Advance());
    size_t min_args = f->args.size() - f->optional;
    size_t got = n->args.size();
    if (got < min_args || (!f->variadic && got > f->args.size())) {
      std::string expected =
          f->optional == 0 ? std::to_string(f->args.size())
                           : std::to_string(min_args) + " to " + std::to_string(f->args.size());
      if (f->variadic) expected = "at least " + std::to_string(min_args);
      return ErrorAt(pos, "expected " + expected + " argument(s) in call to \"" + name +
                              "\", got " + std::to_string(got));
    }
    for (size_t i = 0; i < got; ++i) {
      ValueKind want = f->args[std::min(i, f->args.size() - 1)];
      if (n->args[i]->type != want) {
        return ErrorAt(n->args[i]->pos, "expected type " + std::string(ValueKindName(want)) +
                                            " in call to function \"" + name + "\", got " +
                                            ValueKindName(n->args[i]->type));
      }
    }
    NANOTDB_RETURN_IF_ERROR(Finish(n.get()));
    return n;
  }

  Result<NodePtr> ParseAggregation(NodePtr n, const std::string& name) {
    n->kind = Node::Kind::kAggregate;
    n->text = name;
    n->type = V;
    bool grouped = false;
    auto grouping = [&]() -> Status {
      if (grouped) return Unexpected("; grouping given twice");
      grouped = true;
      n->without = IsIdent("without");
      NANOTDB_RETURN_IF_ERROR(Advance());
      return ParseLabelList(&n->grouping);
    };
    if (IsIdent("by") || IsIdent("without")) NANOTDB_RETURN_IF_ERROR(grouping());
    NANOTDB_RETURN_IF_ERROR(Expect(Tok::kLParen, "\"(\" after the aggregation"));
    while (tok_.kind != Tok::kRParen) {
      NANOTDB_ASSIGN_OR_RETURN(NodePtr arg, ParseBinary(0));
      n->args.push_back(std::move(arg));
      if (tok_.kind == Tok::kComma) {
        NANOTDB_RETURN_IF_ERROR(Advance());
      } else if (tok_.kind != Tok::kRParen) {
        return Unexpected("; expected \",\" or \")\" in the aggregation");
      }
    }
    NANOTDB_RETURN_IF_ERROR(Advance());
    if (IsIdent("by") || IsIdent("without")) NANOTDB_RETURN_IF_ERROR(grouping());
    bool has_param =
        name == "topk" || name == "bottomk" || name == "quantile" || name == "count_values";
    size_t want = has_param ? 2 : 1;
    if (n->args.size() != want) {
      return ErrorAt(n->pos,
                     "wrong number of arguments for aggregate expression provided, expected " +
                         std::to_string(want) + ", got " + std::to_string(n->args.size()));
    }
    const ValueKind param_type = name == "count_values" ? Str : S;
    if (has_param && n->args[0]->type != param_type) {
      return ErrorAt(n->args[0]->pos, "expected type " + std::string(ValueKindName(param_type)) +
                                          " in aggregation parameter, got " +
                                          std::string(ValueKindName(n->args[0]->type)));
    }
    if (name == "count_values" && !IsLabelName(n->args[0]->text)) {
      return ErrorAt(n->args[0]->pos, "invalid label name \"" + n->args[0]->text + "\"");
    }
    if (n->args.back()->type != V) {
      return ErrorAt(n->args.back()->pos,
                     "expected type instant vector in aggregation expression, got " +
                         std::string(ValueKindName(n->args.back()->type)));
    }
    NANOTDB_RETURN_IF_ERROR(Finish(n.get()));
    return n;
  }

  std::string_view text_;
  Lexer lexer_;
  ParseLimits limits_;
  Token tok_;
  int depth_ = 0;
  size_t matchers_ = 0;
};

}  // namespace

bool IsAggregation(std::string_view name) { return kAggregations.count(name) > 0; }

const FunctionInfo* FindFunction(std::string_view name) {
  for (const FunctionInfo& f : kFunctions) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

Result<NodePtr> ParseExpr(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return Status::InvalidArgument("query is " + std::to_string(text.size()) +
                                   " bytes; the limit is " + std::to_string(limits.max_bytes));
  }
  return Parser(text, limits).Parse();
}

}  // namespace nanotdb::queryvm::promql
