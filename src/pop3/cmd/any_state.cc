// CAPA (RFC 2449 §5) and QUIT (RFC 1939 §4 in AUTHORIZATION, §6 in TRANSACTION: UPDATE).
#include "pop3/capabilities.h"
#include "pop3/command_table.h"
#include "pop3/session.h"

namespace roost::pop3 {

using boost::asio::awaitable;

awaitable<Reply> cmd_capa(Session& session, const Command&) {
  session.out() += capability_response(
      {.authorization = session.state() == State::Authorization,
       .passwords_allowed = session.passwords_allowed(),
       .stls_available = !session.conn().is_tls() && session.conn().tls_available(),
       .login_delay_seconds = session.options().login_delay_seconds});
  co_return Reply::sent();
}

awaitable<Reply> cmd_quit(Session& session, const Command&) {
  if (session.state() == State::Transaction) co_return co_await session.update();
  session.quit();
  co_return Reply::success("Roost POP3 server signing off");
}

}  // namespace roost::pop3
