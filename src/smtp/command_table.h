// The one SMTP/LMTP command table (STYLE.md convention 2): verb → handler + where it is valid.
// State rules of the mail transaction (RFC 5321 §4.1.4: MAIL, RCPT, DATA/BDAT order) live in the
// handlers of cmd/envelope.cc and cmd/message.cc, which know the transaction.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "smtp/proto/command.h"
#include "smtp/reply.h"

namespace roost::smtp {

class Session;

enum CommandFlag : uint32_t {
  kNeedsGreeting = 1u << 0,  // only after HELO/EHLO/LHLO
  kSmtpOnly = 1u << 1,       // not on LMTP (HELO, EHLO)
  kLmtpOnly = 1u << 2,       // only on LMTP (LHLO)
};

using CommandHandler = boost::asio::awaitable<Reply> (*)(Session&, const Command&);

struct CommandSpec {
  Verb verb;
  uint32_t flags;
  CommandHandler handler;
};

const CommandSpec& find_command(Verb verb);

// --- handlers, one file per family ---
// cmd/session_control.cc
boost::asio::awaitable<Reply> cmd_helo(Session&, const Command&);  // HELO, EHLO, LHLO
boost::asio::awaitable<Reply> cmd_rset(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_noop(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_quit(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_vrfy(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_expn(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_help(Session&, const Command&);
// cmd/tls_auth.cc
boost::asio::awaitable<Reply> cmd_starttls(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_auth(Session&, const Command&);
// cmd/envelope.cc
boost::asio::awaitable<Reply> cmd_mail(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_rcpt(Session&, const Command&);
// cmd/message.cc
boost::asio::awaitable<Reply> cmd_data(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_bdat(Session&, const Command&);

}  // namespace roost::smtp
