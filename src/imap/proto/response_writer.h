// Wire-text helpers for server responses (RFC 9051 §7, §9): strings as atom, quoted string or
// literal; NIL; flag lists; mailbox names; date-times. All append to `out` and never fail.
// ENVELOPE and BODYSTRUCTURE live in body_structure.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imap/proto/date_time.h"

namespace roost::imap {

struct StringStyle {
  // RFC 9051 §9 admits UTF-8 in quoted strings; IMAP4rev1 clients without UTF8=ACCEPT do not.
  bool utf8_quoted = false;
  size_t max_quoted = 1024;  // longer strings go out as literals to keep lines short
};

// string: quoted when every octet is allowed in a quoted string, else a literal {n}\r\n...
void write_string(std::string& out, std::string_view value, const StringStyle& style = {});
// nstring: NIL when absent.
void write_nstring(std::string& out, const std::optional<std::string>& value,
                   const StringStyle& style = {});
// astring: a bare atom when safe (and not "NIL"), else as write_string.
void write_astring(std::string& out, std::string_view value, const StringStyle& style = {});
// mailbox: modified UTF-7 unless the client enabled UTF8=ACCEPT / IMAP4rev2 (RFC 9051 §5.1);
// "INBOX" goes out as an atom.
void write_mailbox(std::string& out, std::string_view utf8_name, bool utf8_names);
// "(\Seen $Forwarded)"; flags are atoms by construction.
void write_flag_list(std::string& out, const std::vector<std::string>& flags);
// "\"05-Feb-2024 13:04:05 +0100\"" (INTERNALDATE, SAVEDATE).
void write_date_time(std::string& out, const DateTime& value);

// True when `value` can be sent as an atom (1*ATOM-CHAR).
bool is_atom(std::string_view value);

}  // namespace roost::imap
