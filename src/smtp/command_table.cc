#include "smtp/command_table.h"

#include <array>

namespace roost::smtp {

namespace {

// clang-format off
constexpr std::array<CommandSpec, 15> kCommands = {{
    {Verb::Helo,     kSmtpOnly,      cmd_helo},      // RFC 5321 §4.1.1.1
    {Verb::Ehlo,     kSmtpOnly,      cmd_helo},
    {Verb::Lhlo,     kLmtpOnly,      cmd_helo},      // RFC 2033 §4.1
    {Verb::Mail,     kNeedsGreeting, cmd_mail},      // RFC 5321 §4.1.1.2
    {Verb::Rcpt,     kNeedsGreeting, cmd_rcpt},      // RFC 5321 §4.1.1.3
    {Verb::Data,     kNeedsGreeting, cmd_data},      // RFC 5321 §4.1.1.4
    {Verb::Bdat,     kNeedsGreeting, cmd_bdat},      // RFC 3030 §2
    {Verb::Rset,     0,              cmd_rset},      // RFC 5321 §4.1.1.5
    {Verb::Noop,     0,              cmd_noop},      // RFC 5321 §4.1.1.9
    {Verb::Quit,     0,              cmd_quit},      // RFC 5321 §4.1.1.10
    {Verb::Vrfy,     0,              cmd_vrfy},      // RFC 5321 §3.5.3
    {Verb::Expn,     0,              cmd_expn},      // RFC 5321 §3.5.2
    {Verb::Help,     0,              cmd_help},      // RFC 5321 §4.1.1.8
    {Verb::Starttls, kNeedsGreeting, cmd_starttls},  // RFC 3207 §4
    {Verb::Auth,     kNeedsGreeting, cmd_auth},      // RFC 4954 §4
}};
// clang-format on

}  // namespace

const CommandSpec& find_command(Verb verb) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.verb == verb) return spec;
  }
  return kCommands[0];  // unreachable: every Verb has a row
}

}  // namespace roost::smtp
