// Command: one parsed SMTP/LMTP command (RFC 5321 §4.1, RFC 2033 LHLO, RFC 3030 BDAT, RFC 3207
// STARTTLS, RFC 4954 AUTH) with its ESMTP parameters (RFC 1870 SIZE, RFC 6152 BODY, RFC 6531
// SMTPUTF8, RFC 4954 AUTH=, RFC 3461 RET/ENVID/NOTIFY/ORCPT) as plain data. The CommandParser
// produces it; the session's command table dispatches on `verb`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "smtp/proto/address.h"

namespace roost::smtp {

// clang-format off
enum class Verb {
  Helo, Ehlo, Lhlo, Mail, Rcpt, Data, Bdat, Rset, Noop, Quit, Vrfy, Expn, Help, Starttls, Auth,
};
// clang-format on
std::string_view to_string(Verb verb);  // "HELO", "EHLO", ...

enum class BodyType { Unspecified, SevenBit, EightBitMime, BinaryMime };
enum class DsnReturn { Unspecified, Full, Headers };  // RFC 3461 §4.3 RET

// RFC 3461 §4.1 NOTIFY, as bits.
enum NotifyFlag : uint32_t {
  kNotifyNever = 1u << 0,
  kNotifySuccess = 1u << 1,
  kNotifyFailure = 1u << 2,
  kNotifyDelay = 1u << 3,
};

struct MailParams {
  std::optional<uint64_t> size;     // RFC 1870 SIZE=
  BodyType body = BodyType::Unspecified;
  bool smtputf8 = false;            // RFC 6531 §3.4
  std::optional<std::string> auth;  // RFC 4954 §5 AUTH=, xtext-decoded ("<>" kept as is)
  DsnReturn ret = DsnReturn::Unspecified;
  std::optional<std::string> envid;  // RFC 3461 §4.4, xtext-decoded
  bool operator==(const MailParams&) const = default;
};

struct RcptParams {
  uint32_t notify = 0;               // NotifyFlag bits; 0 = not given
  std::optional<std::string> orcpt;  // RFC 3461 §4.2 "rfc822;addr", xtext-decoded
  bool operator==(const RcptParams&) const = default;
};

struct Command {
  Verb verb = Verb::Noop;
  std::string argument;  // HELO/EHLO/LHLO domain, VRFY/EXPN/HELP/NOOP text, AUTH mechanism (upper)
  std::optional<std::string> initial_response;  // AUTH, BASE64 as sent ("=" = empty)
  Path path;                                    // MAIL (may be null "<>"), RCPT
  MailParams mail;
  RcptParams rcpt;
  uint64_t chunk_size = 0;  // BDAT
  bool last = false;        // BDAT ... LAST
  bool operator==(const Command&) const = default;
};

}  // namespace roost::smtp
