// Reply: the tagged status a command handler returns ("tag OK [CODE] text"), and the one place
// that maps an ErrorKind to its IMAP response code (STYLE.md convention 5, RFC 5530, RFC 9051 §7.1).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace roost::imap {

struct Reply {
  enum class Kind { Ok, No, Bad };
  Kind kind = Kind::Ok;
  std::string code;  // without brackets: "READ-WRITE", "APPENDUID 3 7"; empty = none
  std::string text;
  bool already_sent = false;  // the handler wrote its tagged line itself (STARTTLS)

  static Reply ok(std::string text, std::string code = {}) {
    return {Kind::Ok, std::move(code), std::move(text)};
  }
  static Reply no(std::string text, std::string code = {}) {
    return {Kind::No, std::move(code), std::move(text)};
  }
  static Reply bad(std::string text, std::string code = {}) {
    return {Kind::Bad, std::move(code), std::move(text)};
  }
};

std::string_view to_string(Reply::Kind kind);  // "OK", "NO", "BAD"

// "tag OK [CODE] text\r\n" appended to out.
void write_tagged(std::string& out, std::string_view tag, const Reply& reply);

// A store/auth/ingest error as the client sees it: NO with the matching response code
// (NONEXISTENT, ALREADYEXISTS, NOPERM, OVERQUOTA, TOOBIG, LIMIT, INUSE, UNAVAILABLE,
// CANNOT for bad names, SERVERBUG for our own failures, whose detail stays in the log).
Reply reply_for(const Error& error);

}  // namespace roost::imap
