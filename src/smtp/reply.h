// Reply: what an SMTP/LMTP command handler returns — a reply code, its RFC 3463 enhanced status
// code and text (RFC 5321 §4.2; RFC 2034 ENHANCEDSTATUSCODES: every reply but the greeting
// carries one) — and the one place that maps an ErrorKind to its SMTP form (STYLE.md
// convention 5).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"

namespace roost::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;            // "2.0.0"; empty only for the greeting and 334 challenges
  std::string text;                // first line
  std::vector<std::string> more;   // further lines of a multi-line reply (EHLO, HELP)
  bool already_sent = false;       // the handler wrote its reply itself (STARTTLS, LMTP DATA)

  bool positive() const { return code < 400; }
  static Reply make(int code, std::string enhanced, std::string text) {
    Reply r;
    r.code = code;
    r.enhanced = std::move(enhanced);
    r.text = std::move(text);
    return r;
  }
  static Reply ok(std::string text, std::string enhanced = "2.0.0") {
    return make(250, std::move(enhanced), std::move(text));
  }
  static Reply sent() {
    Reply r;
    r.already_sent = true;
    return r;
  }
};

// "250-2.0.0 line\r\n...250 2.0.0 last\r\n" appended to out; CR and LF in texts become spaces.
void write_reply(std::string& out, const Reply& reply);

// A store/ingest error as the client sees it (RFC 3463): TooBig 552 5.3.4, OverQuota 552 5.2.2
// (RFC 5321 §4.5.3.1.10 asks for 552 over quota), NotFound 550 5.1.1, NoPerm 550 5.7.1,
// Syntax 501 5.5.4, Limit/Temporary/InUse 451 4.3.0; our own failures 451 4.3.0 "Internal
// server error" (the detail stays in the log).
Reply reply_for(const Error& error);

}  // namespace roost::smtp
