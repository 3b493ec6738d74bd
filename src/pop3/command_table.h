// The one POP3 command table (STYLE.md convention 2): verb → handler + the states it is valid in
// (RFC 1939 §9, RFC 2449, RFC 2595, RFC 5034, RFC 6856). Handlers write multi-line responses into
// Session::out() themselves (Reply::sent()) or return the status line.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "pop3/proto/command.h"
#include "pop3/reply.h"

namespace roost::pop3 {

class Session;

enum StateFlag : uint32_t {
  kAuthorization = 1u << 0,
  kTransaction = 1u << 1,
  kAnyState = kAuthorization | kTransaction,
};

using CommandHandler = boost::asio::awaitable<Reply> (*)(Session&, const Command&);

struct CommandSpec {
  Verb verb;
  uint32_t states;
  CommandHandler handler;
};

const CommandSpec& find_command(Verb verb);

// --- handlers, one file per family ---
// cmd/any_state.cc
boost::asio::awaitable<Reply> cmd_capa(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_quit(Session&, const Command&);
// cmd/authorization.cc
boost::asio::awaitable<Reply> cmd_user(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_pass(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_apop(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_stls(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_utf8(Session&, const Command&);
// cmd/sasl.cc
boost::asio::awaitable<Reply> cmd_auth(Session&, const Command&);
// cmd/maildrop.cc
boost::asio::awaitable<Reply> cmd_stat(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_list(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_uidl(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_dele(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_rset(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_noop(Session&, const Command&);
// cmd/retrieve.cc
boost::asio::awaitable<Reply> cmd_retr(Session&, const Command&);
boost::asio::awaitable<Reply> cmd_top(Session&, const Command&);

}  // namespace roost::pop3
