// Command: one parsed POP3 command (RFC 1939 §9, RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH,
// RFC 6856 UTF8) as plain data. The CommandParser produces it; the session's command table
// dispatches on `verb`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace roost::pop3 {

// clang-format off
enum class Verb {
  User, Pass, Apop, Auth, Stat, List, Retr, Dele, Noop, Rset, Quit, Top, Uidl, Capa, Stls, Utf8,
};
// clang-format on
std::string_view to_string(Verb verb);  // "USER", "PASS", ...

// RFC 1939 §3: message numbers start at 1; Roost keeps them in a signed 32-bit range.
inline constexpr uint32_t kMaxMessageNumber = 2147483647;

struct Command {
  Verb verb = Verb::Noop;
  std::optional<uint32_t> message;              // LIST/UIDL (optional), RETR, DELE, TOP (required)
  uint32_t lines = 0;                           // TOP: body lines wanted (0 = headers only)
  std::string text;                             // USER name, PASS password (spaces kept), APOP name
  std::string digest;                           // APOP digest
  std::string mechanism;                        // AUTH, upper-cased; empty = list the mechanisms
  std::optional<std::string> initial_response;  // AUTH, BASE64 as sent ("=" = empty)
  bool operator==(const Command&) const = default;
};

}  // namespace roost::pop3
