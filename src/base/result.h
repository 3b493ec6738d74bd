// Errors are values: Result<T> carries either a T or an Error with a closed kind.
// Each protocol maps ErrorKind to its wire form in one place (IMAP code, POP3 -ERR [..], SMTP 5xx).
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace roost {

enum class ErrorKind {
  Syntax,     // the peer sent something malformed
  NotFound,   // account, mailbox, message or file does not exist
  Exists,     // would create something that already exists
  NoPerm,     // not allowed (ACL, policy, wrong state)
  OverQuota,  // storage or message-count quota reached
  TooBig,     // message or literal larger than the limit
  Limit,      // some other configured limit (connections, nesting, line length)
  InUse,      // resource held by another session (POP3 maildrop lock)
  Temporary,  // try again later (busy database, transient I/O)
  Io,         // the file system or network failed
  Corrupt,    // stored data failed a consistency check
  Internal,   // a bug: never caused by the client
};

std::string_view to_string(ErrorKind kind);

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string text;    // safe to show to the client
  std::string detail;  // for the log only (paths, errno, SQL)

  std::string describe() const;  // "kind: text (detail)" for logs and CLI output
};

inline Error make_error(ErrorKind kind, std::string text, std::string detail = {}) {
  return Error{kind, std::move(text), std::move(detail)};
}

// Called by boost::system::result<T, Error>::value() when it holds an error.
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;
using Status = boost::system::result<void, Error>;

// Convenience for functions returning Status.
inline Status ok() { return {}; }

}  // namespace roost

// Propagate an error from an expression yielding Result<T>/Status; binds nothing.
#define ROOST_TRY(expr)                                        \
  do {                                                         \
    auto roost_try_r_ = (expr);                                \
    if (!roost_try_r_) return std::move(roost_try_r_).error(); \
  } while (0)
