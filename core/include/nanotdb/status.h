// Status and Result<T>: how storage, codec and query code report failure without throwing.
//
// A Status is either OK or carries a code and a human-readable message that names the thing
// that failed and, where it can, the fix ("line 3: metric \"cpu.temp\" is float32, got int32
// value \"42i\""). Result<T> holds either a value or a non-OK Status.
//
// Both types are cheap to move, safe to copy, and not thread-safe to mutate concurrently.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace nanotdb {

class Status {
 public:
  enum class Code {
    kOk = 0,
    kInvalidArgument,  // the caller's input is wrong (bad line, bad name, bad parameter)
    kNotFound,         // a database, metric or file does not exist
    kAlreadyExists,
    kCorruption,    // a file failed a magic, length or checksum check
    kIOError,       // the operating system refused a file operation
    kTypeMismatch,  // a value's type differs from the metric's fixed type
    kOutOfOrder,    // a sample is older than its metric's last accepted sample
    kBusy,          // the data root is locked by another process
    kUnsupported,
    kInternal,
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return {Code::kInvalidArgument, std::move(msg)};
  }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status TypeMismatch(std::string msg) { return {Code::kTypeMismatch, std::move(msg)}; }
  static Status OutOfOrder(std::string msg) { return {Code::kOutOfOrder, std::move(msg)}; }
  static Status Busy(std::string msg) { return {Code::kBusy, std::move(msg)}; }
  static Status Unsupported(std::string msg) { return {Code::kUnsupported, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

  // Returns a copy whose message is "<prefix>: <message>"; OK stays OK.
  Status WithContext(std::string_view prefix) const;

  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsCorruption() const { return code_ == Code::kCorruption; }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

const char* StatusCodeName(Status::Code code);

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace nanotdb

// Returns early from the enclosing function when `expr` yields a non-OK Status.
#define NANOTDB_RETURN_IF_ERROR(expr) \
  do {                                \
    ::nanotdb::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#define NANOTDB_CONCAT_INNER(a, b) a##b
#define NANOTDB_CONCAT(a, b) NANOTDB_CONCAT_INNER(a, b)
// Declares `lhs` from a Result<T> expression, or returns its Status on failure.
#define NANOTDB_ASSIGN_OR_RETURN(lhs, expr) \
  NANOTDB_ASSIGN_OR_RETURN_IMPL(NANOTDB_CONCAT(_res_, __LINE__), lhs, expr)
#define NANOTDB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return tmp.status();                 \
  lhs = std::move(tmp).value()
