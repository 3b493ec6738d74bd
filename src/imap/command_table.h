// The one command table (STYLE.md convention 2): name → handler + the state and pipelining rules.
// Handlers (cmd/*.cc) write untagged data into Session::out() and return the tagged Reply; the
// session checks the state first, then sends pending mailbox updates the rules allow, then the
// reply. A command missing from the table answers BAD "not implemented".
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>

#include "imap/proto/command.h"
#include "imap/session_reply.h"

namespace roost::imap {

class Session;

enum CommandFlag : uint32_t {
  kAnyState = 0,
  kNotAuthenticated = 1u << 0,  // only before login (LOGIN, AUTHENTICATE, STARTTLS)
  kAuthenticated = 1u << 1,     // after login, selected or not
  kSelected = 1u << 2,          // needs a selected mailbox
  // RFC 9051 §7.5.1: the command uses message sequence numbers, so no EXPUNGE may be sent
  // while it runs unless it is the UID form (FETCH, STORE, SEARCH; wired in a later step).
  kSequenceNumbers = 1u << 3,
};

using CommandHandler = boost::asio::awaitable<Reply> (*)(Session&, Command&);

struct CommandSpec {
  CommandName name;
  uint32_t flags;
  CommandHandler handler;
};

// nullptr when this build does not implement the command.
const CommandSpec* find_command(CommandName name);

// RFC 9051 §7.5.1, for the session: may EXPUNGE responses go out after this command?
inline bool allows_expunge(const CommandSpec& spec, const Command& command) {
  return !(spec.flags & kSequenceNumbers) || command.uid;
}

// --- handlers, one file per family ---
// cmd/any_state.cc
boost::asio::awaitable<Reply> cmd_capability(Session&, Command&);
boost::asio::awaitable<Reply> cmd_noop(Session&, Command&);
boost::asio::awaitable<Reply> cmd_logout(Session&, Command&);
boost::asio::awaitable<Reply> cmd_id(Session&, Command&);
boost::asio::awaitable<Reply> cmd_enable(Session&, Command&);
// cmd/login.cc
boost::asio::awaitable<Reply> cmd_starttls(Session&, Command&);
boost::asio::awaitable<Reply> cmd_login(Session&, Command&);
boost::asio::awaitable<Reply> cmd_authenticate(Session&, Command&);
// cmd/select.cc
boost::asio::awaitable<Reply> cmd_select(Session&, Command&);  // SELECT and EXAMINE
boost::asio::awaitable<Reply> cmd_close(Session&, Command&);
boost::asio::awaitable<Reply> cmd_unselect(Session&, Command&);
boost::asio::awaitable<Reply> cmd_check(Session&, Command&);
boost::asio::awaitable<Reply> cmd_expunge(Session&, Command&);
// cmd/mailbox.cc
boost::asio::awaitable<Reply> cmd_create(Session&, Command&);
boost::asio::awaitable<Reply> cmd_delete(Session&, Command&);
boost::asio::awaitable<Reply> cmd_rename(Session&, Command&);
boost::asio::awaitable<Reply> cmd_subscribe(Session&, Command&);  // and UNSUBSCRIBE
boost::asio::awaitable<Reply> cmd_namespace(Session&, Command&);
boost::asio::awaitable<Reply> cmd_status(Session&, Command&);
// cmd/list.cc
boost::asio::awaitable<Reply> cmd_list(Session&, Command&);  // and LSUB
// cmd/append.cc (the message literals are streamed before this runs)
boost::asio::awaitable<Reply> cmd_append(Session&, Command&);
// cmd/idle.cc
boost::asio::awaitable<Reply> cmd_idle(Session&, Command&);
// cmd/compress.cc
boost::asio::awaitable<Reply> cmd_compress(Session&, Command&);

}  // namespace roost::imap
