#include "pop3/reply.h"

namespace roost::pop3 {

void write_reply(std::string& out, const Reply& reply) {
  out += reply.ok ? "+OK" : "-ERR";
  if (!reply.code.empty()) {
    out += " [";
    out += reply.code;
    out += ']';
  }
  if (!reply.text.empty()) {
    out += ' ';
    // Response text is one line: a stray CR or LF would let a caller inject a response.
    for (char c : reply.text) out += (c == '\r' || c == '\n') ? ' ' : c;
  }
  out += "\r\n";
}

Reply reply_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::InUse:
      return Reply::failure(error.text, "IN-USE");
    case ErrorKind::NotFound:
    case ErrorKind::NoPerm:
    case ErrorKind::Exists:
    case ErrorKind::Syntax:
      return Reply::failure(error.text, "SYS/PERM");
    case ErrorKind::OverQuota:
    case ErrorKind::TooBig:
    case ErrorKind::Limit:
    case ErrorKind::Temporary:
      return Reply::failure(error.text, "SYS/TEMP");
    case ErrorKind::Io:
    case ErrorKind::Corrupt:
    case ErrorKind::Internal:
      break;
  }
  return Reply::failure("Internal server error; try again later", "SYS/TEMP");
}

}  // namespace roost::pop3
