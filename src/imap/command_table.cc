#include "imap/command_table.h"

#include <array>

namespace roost::imap {

// cmd/copy_move.cc: COPY and MOVE, with or without UID.
boost::asio::awaitable<Reply> cmd_copy_move(Session&, Command&);

// cmd/fetch.cc, cmd/store.cc, cmd/search.cc: FETCH, STORE, SEARCH, SORT, THREAD (and UID forms).
boost::asio::awaitable<Reply> cmd_fetch(Session&, Command&);
boost::asio::awaitable<Reply> cmd_store(Session&, Command&);
boost::asio::awaitable<Reply> cmd_search(Session&, Command&);
boost::asio::awaitable<Reply> cmd_sort(Session&, Command&);
boost::asio::awaitable<Reply> cmd_thread(Session&, Command&);

namespace {

constexpr uint32_t kAuth = kAuthenticated;

// clang-format off
const std::array kCommands = {
  CommandSpec{CommandName::Capability,   kAnyState,         cmd_capability},
  CommandSpec{CommandName::Noop,         kAnyState,         cmd_noop},
  CommandSpec{CommandName::Logout,       kAnyState,         cmd_logout},
  CommandSpec{CommandName::Id,           kAnyState,         cmd_id},
  CommandSpec{CommandName::StartTls,     kNotAuthenticated, cmd_starttls},
  CommandSpec{CommandName::Login,        kNotAuthenticated, cmd_login},
  CommandSpec{CommandName::Authenticate, kNotAuthenticated, cmd_authenticate},
  CommandSpec{CommandName::Enable,       kAuth,             cmd_enable},
  CommandSpec{CommandName::Select,       kAuth,             cmd_select},
  CommandSpec{CommandName::Examine,      kAuth,             cmd_select},
  CommandSpec{CommandName::Create,       kAuth,             cmd_create},
  CommandSpec{CommandName::Delete,       kAuth,             cmd_delete},
  CommandSpec{CommandName::Rename,       kAuth,             cmd_rename},
  CommandSpec{CommandName::Subscribe,    kAuth,             cmd_subscribe},
  CommandSpec{CommandName::Unsubscribe,  kAuth,             cmd_subscribe},
  CommandSpec{CommandName::List,         kAuth,             cmd_list},
  CommandSpec{CommandName::Lsub,         kAuth,             cmd_list},
  CommandSpec{CommandName::Namespace,    kAuth,             cmd_namespace},
  CommandSpec{CommandName::Status,       kAuth,             cmd_status},
  CommandSpec{CommandName::Append,       kAuth,             cmd_append},
  CommandSpec{CommandName::Idle,         kAuth,             cmd_idle},
  // RFC 4978 §6: command-auth, so valid once logged in, selected or not.
  CommandSpec{CommandName::Compress,     kAuth,             cmd_compress},
  CommandSpec{CommandName::Check,        kSelected,         cmd_check},
  CommandSpec{CommandName::Close,        kSelected,         cmd_close},
  CommandSpec{CommandName::Unselect,     kSelected,         cmd_unselect},
  CommandSpec{CommandName::Expunge,      kSelected,         cmd_expunge},
  // RFC 9051 §7.5.1: these use sequence numbers, so no EXPUNGE while they run (UID forms may).
  CommandSpec{CommandName::Fetch,        kSelected | kSequenceNumbers, cmd_fetch},
  CommandSpec{CommandName::Store,        kSelected | kSequenceNumbers, cmd_store},
  CommandSpec{CommandName::Search,       kSelected | kSequenceNumbers, cmd_search},
  CommandSpec{CommandName::Sort,         kSelected | kSequenceNumbers, cmd_sort},
  CommandSpec{CommandName::Thread,       kSelected | kSequenceNumbers, cmd_thread},
  CommandSpec{CommandName::Copy,         kSelected,         cmd_copy_move},
  CommandSpec{CommandName::Move,         kSelected,         cmd_copy_move},
};
// clang-format on

}  // namespace

const CommandSpec* find_command(CommandName name) {
  for (const CommandSpec& spec : kCommands) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

}  // namespace roost::imap
