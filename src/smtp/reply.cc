#include "smtp/reply.h"

namespace roost::smtp {

namespace {

void append_line(std::string& out, int code, char sep, const std::string& enhanced,
                 const std::string& text) {
  out += std::to_string(code);
  out += sep;
  if (!enhanced.empty()) {
    out += enhanced;
    if (!text.empty()) out += ' ';
  }
  // Reply text is one line: a stray CR or LF would let a caller inject a reply.
  for (char c : text) out += (c == '\r' || c == '\n') ? ' ' : c;
  out += "\r\n";
}

}  // namespace

void write_reply(std::string& out, const Reply& reply) {
  append_line(out, reply.code, reply.more.empty() ? ' ' : '-', reply.enhanced, reply.text);
  for (size_t i = 0; i < reply.more.size(); ++i) {
    append_line(out, reply.code, i + 1 == reply.more.size() ? ' ' : '-', reply.enhanced,
                reply.more[i]);
  }
}

Reply reply_for(const Error& error) {
  switch (error.kind) {
    case ErrorKind::TooBig:
      return Reply::make(552, "5.3.4", "Message too big for this system");
    case ErrorKind::OverQuota:
      return Reply::make(552, "5.2.2", "Mailbox full: the recipient is over quota");
    case ErrorKind::NotFound:
      return Reply::make(550, "5.1.1", error.text.empty() ? "No such mailbox" : error.text);
    case ErrorKind::NoPerm:
      return Reply::make(550, "5.7.1", error.text.empty() ? "Not permitted" : error.text);
    case ErrorKind::Exists:
    case ErrorKind::Syntax:
      return Reply::make(501, "5.5.4", error.text.empty() ? "Syntax error" : error.text);
    case ErrorKind::Limit:
    case ErrorKind::Temporary:
    case ErrorKind::InUse:
      return Reply::make(451, "4.3.0",
                         (error.text.empty() ? "Temporary failure" : error.text) +
                             std::string("; try again later"));
    case ErrorKind::Io:
    case ErrorKind::Corrupt:
    case ErrorKind::Internal:
      break;
  }
  return Reply::make(451, "4.3.0", "Internal server error; try again later");
}

}  // namespace roost::smtp
