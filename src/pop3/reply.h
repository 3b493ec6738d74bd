// Reply: the status line a POP3 command handler returns ("+OK text" / "-ERR [CODE] text"), and the
// one place that maps an ErrorKind to its POP3 response code (STYLE.md convention 5; RFC 2449 §8
// RESP-CODES, RFC 3206 [SYS/TEMP] [SYS/PERM] [AUTH], RFC 2449 [IN-USE] [LOGIN-DELAY]).
#pragma once

#include <string>

#include "base/result.h"

namespace roost::pop3 {

struct Reply {
  bool ok = true;
  std::string code;  // without brackets: "IN-USE", "SYS/TEMP"; empty = none
  std::string text;
  bool already_sent = false;  // the handler wrote its response itself (multi-line, STLS)

  static Reply success(std::string text) { return {true, {}, std::move(text)}; }
  static Reply failure(std::string text, std::string code = {}) {
    return {false, std::move(code), std::move(text)};
  }
  static Reply sent() {
    Reply reply;
    reply.already_sent = true;
    return reply;
  }
};

// "+OK text\r\n" or "-ERR [CODE] text\r\n" appended to out; CR and LF in the text become spaces.
void write_reply(std::string& out, const Reply& reply);

// A store/auth error as the client sees it: -ERR with [IN-USE], [SYS/PERM] or [SYS/TEMP]; our own
// failures say only "Internal server error" (the detail stays in the log).
Reply reply_for(const Error& error);

}  // namespace roost::pop3
