#include "pop3/command_table.h"

#include <array>

namespace roost::pop3 {

namespace {

// clang-format off
constexpr std::array<CommandSpec, 16> kCommands = {{
    {Verb::Capa, kAnyState,      cmd_capa},  // RFC 2449 §5
    {Verb::Quit, kAnyState,      cmd_quit},  // RFC 1939 §4, §6
    {Verb::User, kAuthorization, cmd_user},  // RFC 1939 §7
    {Verb::Pass, kAuthorization, cmd_pass},
    {Verb::Apop, kAuthorization, cmd_apop},
    {Verb::Auth, kAuthorization, cmd_auth},  // RFC 5034 §4
    {Verb::Stls, kAuthorization, cmd_stls},  // RFC 2595 §4
    {Verb::Utf8, kAuthorization, cmd_utf8},  // RFC 6856 §2
    {Verb::Stat, kTransaction,   cmd_stat},  // RFC 1939 §5
    {Verb::List, kTransaction,   cmd_list},
    {Verb::Uidl, kTransaction,   cmd_uidl},  // RFC 1939 §7
    {Verb::Retr, kTransaction,   cmd_retr},
    {Verb::Top,  kTransaction,   cmd_top},   // RFC 1939 §7
    {Verb::Dele, kTransaction,   cmd_dele},
    {Verb::Rset, kTransaction,   cmd_rset},
    {Verb::Noop, kTransaction,   cmd_noop},
}};
// clang-format on

}  // namespace

const CommandSpec& find_command(Verb verb) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.verb == verb) return spec;
  }
  return kCommands[0];  // unreachable: every Verb has a row
}

}  // namespace roost::pop3
