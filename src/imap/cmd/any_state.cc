// CAPABILITY, NOOP, LOGOUT (RFC 9051 §6.1), ID (RFC 2971), ENABLE (RFC 5161, RFC 9051 §6.3.1,
// RFC 7162 §3.1 and §3.2.3).
#include <boost/asio/awaitable.hpp>

#include "base/log.h"
#include "imap/command_table.h"
#include "imap/proto/response_writer.h"
#include "imap/session.h"

namespace roost::imap {

using boost::asio::awaitable;

awaitable<Reply> cmd_capability(Session& session, Command&) {
  session.out() += "* CAPABILITY " + session.capability_list() + "\r\n";
  co_return Reply::ok("CAPABILITY completed");
}

awaitable<Reply> cmd_noop(Session&, Command&) {
  // The session sends pending mailbox updates after every command (refreshing when a change
  // event arrived), so NOOP needs no store round trip of its own.
  co_return Reply::ok("NOOP completed");
}

awaitable<Reply> cmd_logout(Session& session, Command&) {
  session.out() += "* BYE Roost logging out\r\n";
  session.set_logout();
  co_return Reply::ok("LOGOUT completed");
}

awaitable<Reply> cmd_id(Session& session, Command& command) {
  const auto& args = std::get<IdArgs>(command.args);
  std::string client;
  if (args.params) {
    for (const auto& [key, value] : *args.params) {
      std::string lower = key;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "name" && value) client = value->substr(0, 64);
      if (lower == "version" && value && !client.empty()) client += "/" + value->substr(0, 32);
    }
  }
  if (!client.empty()) {
    log::info("imap.client_id", {{"session", session.conn().session_id()}, {"client", client}});
    session.set_client_name(client);
  }
  std::string& out = session.out();
  out += "* ID (\"name\" \"Roost\" \"version\" ";
  write_string(out, ROOST_VERSION);
  out += ")\r\n";
  co_return Reply::ok("ID completed");
}

awaitable<Reply> cmd_enable(Session& session, Command& command) {
  // RFC 5161 §3.1: only before SELECT; unknown or unsupported names are ignored.
  if (session.state() == SessionState::Selected) {
    co_return Reply::bad("ENABLE is not allowed while a mailbox is selected");
  }
  const auto& args = std::get<EnableArgs>(command.args);
  std::string enabled;
  for (const std::string& name : args.capabilities) {
    if (name == "IMAP4REV2" && !session.rev2()) {
      session.enable_rev2();
      enabled += " IMAP4rev2";
    } else if (name == "UTF8=ACCEPT" && !session.utf8()) {
      session.enable_utf8();
      enabled += " UTF8=ACCEPT";
    } else if (name == "CONDSTORE" && !session.condstore()) {  // RFC 7162 §3.1
      session.enable_condstore();
      enabled += " CONDSTORE";
    } else if (name == "QRESYNC" && !session.qresync()) {  // RFC 7162 §3.2.3: implies CONDSTORE
      session.enable_qresync();
      enabled += " QRESYNC";
    }
  }
  session.out() += "* ENABLED" + enabled + "\r\n";
  co_return Reply::ok("ENABLE completed");
}

}  // namespace roost::imap
