#include "base/result.h"

#include <stdexcept>

namespace roost {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Syntax:
      return "syntax";
    case ErrorKind::NotFound:
      return "not-found";
    case ErrorKind::Exists:
      return "exists";
    case ErrorKind::NoPerm:
      return "no-permission";
    case ErrorKind::OverQuota:
      return "over-quota";
    case ErrorKind::TooBig:
      return "too-big";
    case ErrorKind::Limit:
      return "limit";
    case ErrorKind::InUse:
      return "in-use";
    case ErrorKind::Temporary:
      return "temporary";
    case ErrorKind::Io:
      return "io";
    case ErrorKind::Corrupt:
      return "corrupt";
    case ErrorKind::Internal:
      return "internal";
  }
  return "unknown";
}

std::string Error::describe() const {
  std::string out(to_string(kind));
  out += ": ";
  out += text;
  if (!detail.empty()) {
    out += " (";
    out += detail;
    out += ")";
  }
  return out;
}

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(e.describe());
}

}  // namespace roost
