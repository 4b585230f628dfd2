// Status and Result<T>: how every fallible Ecotone function reports failure.
//
// A Status is OK or carries a code, a message and an optional location
// (file, line, column, field path) so that input errors can be printed as
// `app.yaml:14:7: services.api.deploy.replicas: expected integer`.
// Result<T> holds either a T or a non-OK Status (the shape of absl::StatusOr).
// Both are value types, cheap to move, and safe to share between threads when
// not mutated.
#ifndef ECOTONE_BASE_STATUS_H_
#define ECOTONE_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace ecotone {

// Where in an input a problem is. line and column are 1-based; 0 = unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
  std::string path;  // field path, e.g. "services.api.deploy.replicas"

  bool operator==(const Location&) const = default;
  // "file:line:column: path" with the unknown parts left out.
  std::string ToString() const;
};

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // bad input or usage: the caller must change the input.
  kNotFound,            // a named thing does not exist.
  kFailedPrecondition,  // the system is not in a state that allows this.
  kUnavailable,         // a remote service could not be reached; retry later.
  kIOError,             // reading or writing a file or socket failed.
  kCorruption,          // stored data is damaged.
  kInternal,            // a bug in Ecotone.
};

std::string_view StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;  // OK.
  Status(StatusCode code, std::string message, Location where = {})
      : code_(code), message_(std::move(message)), where_(std::move(where)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg, Location where = {}) {
    return Status(StatusCode::kInvalidArgument, std::move(msg), std::move(where));
  }
  static Status NotFound(std::string msg, Location where = {}) {
    return Status(StatusCode::kNotFound, std::move(msg), std::move(where));
  }
  static Status FailedPrecondition(std::string msg, Location where = {}) {
    return Status(StatusCode::kFailedPrecondition, std::move(msg),
                  std::move(where));
  }
  static Status Unavailable(std::string msg, Location where = {}) {
    return Status(StatusCode::kUnavailable, std::move(msg), std::move(where));
  }
  static Status IOError(std::string msg, Location where = {}) {
    return Status(StatusCode::kIOError, std::move(msg), std::move(where));
  }
  static Status Corruption(std::string msg, Location where = {}) {
    return Status(StatusCode::kCorruption, std::move(msg), std::move(where));
  }
  static Status Internal(std::string msg, Location where = {}) {
    return Status(StatusCode::kInternal, std::move(msg), std::move(where));
  }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const Location& where() const { return where_; }

  // "file:line:column: path: message" (location parts omitted when unknown).
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  Location where_;
};

// A value or an error. Accessing value() of an error Result is a bug (asserts).
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(v_).ok() && "Result from an OK Status");
  }

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

}  // namespace ecotone

#define ECOTONE_CONCAT_INNER_(a, b) a##b
#define ECOTONE_CONCAT_(a, b) ECOTONE_CONCAT_INNER_(a, b)

// Returns early from the enclosing function with the Status if it is not OK.
#define ECOTONE_RETURN_IF_ERROR(expr)            \
  do {                                           \
    ::ecotone::Status ecotone_st_ = (expr);      \
    if (!ecotone_st_.ok()) return ecotone_st_;   \
  } while (0)

// `ECOTONE_ASSIGN_OR_RETURN(auto x, F());` binds the value or returns the error.
#define ECOTONE_ASSIGN_OR_RETURN(lhs, expr) \
  ECOTONE_ASSIGN_OR_RETURN_IMPL_(ECOTONE_CONCAT_(ecotone_res_, __LINE__), lhs, expr)
#define ECOTONE_ASSIGN_OR_RETURN_IMPL_(res, lhs, expr) \
  auto res = (expr);                                   \
  if (!res.ok()) return res.status();                  \
  lhs = std::move(res).value()

#endif  // ECOTONE_BASE_STATUS_H_
