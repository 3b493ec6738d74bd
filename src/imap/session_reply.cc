#include "imap/session_reply.h"

namespace roost::imap {

std::string_view to_string(Reply::Kind kind) {
  switch (kind) {
    case Reply::Kind::Ok:
      return "OK";
    case Reply::Kind::No:
      return "NO";
    case Reply::Kind::Bad:
      return "BAD";
  }
  return "BAD";
}

void write_tagged(std::string& out, std::string_view tag, const Reply& reply) {
  out.append(tag.empty() ? "*" : tag);
  out += ' ';
  out.append(to_string(reply.kind));
  out += ' ';
  if (!reply.code.empty()) {
    out += '[';
    out += reply.code;
    out += "] ";
  }
  // Response text is one line: a stray CR or LF would let a caller inject a response.
  for (char c : reply.text) out += (c == '\r' || c == '\n') ? ' ' : c;
  out += "\r\n";
}

Reply reply_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::NotFound:
      return Reply::no(error.text, "NONEXISTENT");
    case ErrorKind::Exists:
      return Reply::no(error.text, "ALREADYEXISTS");
    case ErrorKind::NoPerm:
      return Reply::no(error.text, "NOPERM");
    case ErrorKind::OverQuota:
      return Reply::no(error.text, "OVERQUOTA");
    case ErrorKind::TooBig:
      return Reply::no(error.text, "TOOBIG");
    case ErrorKind::Limit:
      return Reply::no(error.text, "LIMIT");
    case ErrorKind::InUse:
      return Reply::no(error.text, "INUSE");
    case ErrorKind::Temporary:
      return Reply::no(error.text, "UNAVAILABLE");
    case ErrorKind::Syntax:
      return Reply::no(error.text, "CANNOT");
    case ErrorKind::Io:
    case ErrorKind::Corrupt:
    case ErrorKind::Internal:
      return Reply::no("Internal server error", "SERVERBUG");
  }
  return Reply::no("Internal server error", "SERVERBUG");
}

}  // namespace roost::imap
