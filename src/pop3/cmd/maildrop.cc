// The TRANSACTION state's bookkeeping commands (RFC 1939 §5, §7): STAT, LIST, UIDL, DELE, RSET,
// NOOP. They answer from the login snapshot: deleted messages are left out of STAT and of LIST
// and UIDL without an argument, and DELE only marks until QUIT (cmd/any_state.cc).
#include "pop3/command_table.h"
#include "pop3/session.h"

namespace roost::pop3 {

using boost::asio::awaitable;

namespace {

std::string summary(const Session& session) {
  return std::to_string(session.live_messages()) + " messages (" +
         std::to_string(session.live_octets()) + " octets)";
}

// LIST and UIDL share their shape: one message with "+OK n value", or all live ones as
// "n value" lines between "+OK" and ".".
template <class Value>
Reply scan_listing(Session& session, const Command& command, std::string_view header, Value value) {
  const auto& messages = session.maildrop().messages;
  if (command.message) {
    auto index = session.message_index(*command.message);
    if (!index) return Reply::failure(index.error().text);
    return Reply::success(std::to_string(*command.message) + " " + value(messages[*index]));
  }
  std::string& out = session.out();
  out += "+OK ";
  out += header;
  out += "\r\n";
  for (size_t i = 0; i < messages.size(); ++i) {
    if (session.deleted(i)) continue;
    out += std::to_string(i + 1);
    out += ' ';
    out += value(messages[i]);
    out += "\r\n";
  }
  out += ".\r\n";
  return Reply::sent();
}

}  // namespace

awaitable<Reply> cmd_stat(Session& session, const Command&) {
  // RFC 1939 §5: "+OK nn mm", nothing else before the CRLF is required; Roost adds nothing.
  co_return Reply::success(std::to_string(session.live_messages()) + " " +
                           std::to_string(session.live_octets()));
}

awaitable<Reply> cmd_list(Session& session, const Command& command) {
  co_return scan_listing(session, command, summary(session),
                         [](const mailbox::Pop3Message& m) { return std::to_string(m.size); });
}

awaitable<Reply> cmd_uidl(Session& session, const Command& command) {
  co_return scan_listing(session, command, "Unique-ID listing follows",
                         [](const mailbox::Pop3Message& m) { return m.uidl; });
}

awaitable<Reply> cmd_dele(Session& session, const Command& command) {
  auto index = session.message_index(*command.message);
  if (!index) co_return Reply::failure(index.error().text);
  session.mark_deleted(*index);
  co_return Reply::success("Message " + std::to_string(*command.message) + " deleted");
}

awaitable<Reply> cmd_rset(Session& session, const Command&) {
  session.undelete_all();
  co_return Reply::success("Maildrop has " + summary(session));
}

awaitable<Reply> cmd_noop(Session&, const Command&) { co_return Reply::success(""); }

}  // namespace roost::pop3
