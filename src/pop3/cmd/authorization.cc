// The AUTHORIZATION state without SASL: USER/PASS (RFC 1939 §7), APOP (not offered), STLS
// (RFC 2595 §4) and UTF8 (RFC 6856 §2). Passwords are accepted only over TLS unless
// [auth] allow_plaintext says otherwise; USER is refused already, so no password is ever sent
// in the clear to be refused afterwards.
#include "base/log.h"
#include "pop3/cmd/login.h"
#include "pop3/command_table.h"
#include "pop3/session.h"

namespace roost::pop3 {

using boost::asio::awaitable;

Reply login_failed(Session& session, std::string_view user, const Error& error) {
  log::info("pop3.auth_failed", {{"session", session.conn().session_id()},
                                 {"peer", session.conn().peer()},
                                 {"user", std::string(user.substr(0, 64))},
                                 {"error", std::string(to_string(error.kind))}});
  switch (error.kind) {
    case ErrorKind::NoPerm:
    case ErrorKind::Syntax:
    case ErrorKind::NotFound:
      return Reply::failure("Authentication failed", "AUTH");
    case ErrorKind::Limit:
      // The throttle (auth/login_throttle.h): the credentials may be right, so not [AUTH].
      return Reply::failure("Too many failed logins; try again in a few minutes", "SYS/TEMP");
    default:
      return reply_for(error);
  }
}

awaitable<Reply> login_with_password(Session& session, std::string_view user,
                                     std::string_view password) {
  std::string ip = session.conn().peer_address();
  auto account = co_await session.hashing().run(
      [&] { return session.directory().authenticate(user, password, ip); });
  if (!account) co_return login_failed(session, user, account.error());
  co_return co_await session.open_maildrop(std::move(*account));
}

awaitable<Reply> cmd_user(Session& session, const Command& command) {
  session.pending_user().reset();
  if (!session.passwords_allowed()) co_return session.plaintext_refused();
  session.pending_user() = command.text;
  // Whether the account exists is not revealed here (RFC 1939 §7 allows either answer).
  co_return Reply::success("Send your password");
}

awaitable<Reply> cmd_pass(Session& session, const Command& command) {
  if (!session.passwords_allowed()) co_return session.plaintext_refused();
  std::optional<std::string> user = std::move(session.pending_user());
  session.pending_user().reset();
  // RFC 1939 §7: PASS is valid only right after a successful USER.
  if (!user) co_return Reply::failure("Send USER first");
  co_return co_await login_with_password(session, *user, command.text);
}

awaitable<Reply> cmd_apop(Session& session, const Command&) {
  session.pending_user().reset();
  // RFC 1939 §7: APOP needs the server to know the plaintext password (MD5 of timestamp +
  // secret). Roost keeps only argon2id hashes and SCRAM keys, so APOP can never succeed: it is
  // not advertised (no timestamp in the greeting) and always refused.
  co_return Reply::failure(
      "APOP is not supported: passwords are stored only as hashes; use USER/PASS or AUTH over "
      "TLS");
}

awaitable<Reply> cmd_stls(Session& session, const Command&) {
  net::Connection& conn = session.conn();
  if (conn.is_tls()) co_return Reply::failure("TLS is already active");  // RFC 2595 §4
  if (!conn.tls_available()) co_return Reply::failure("STLS is not available on this port");
  session.pending_user().reset();
  write_reply(session.out(), Reply::success("Begin TLS negotiation"));
  if (!(co_await session.send())) co_return Reply::sent();
  // RFC 2595 §4 (and RFC 3207 §4.2): anything pipelined after STLS is discarded, never run.
  std::string injected = session.parser().take_buffered();
  if (!injected.empty()) {
    log::warn("pop3.stls_discarded",
              {{"session", conn.session_id()}, {"bytes", std::to_string(injected.size())}});
  }
  if (!(co_await conn.start_tls())) session.mark_closed();
  co_return Reply::sent();
}

awaitable<Reply> cmd_utf8(Session& session, const Command&) {
  // RFC 6856 §2: UTF-8 in PASS and in responses. Roost never downgrades messages (RFC 6857), so
  // this only records the client's consent.
  session.enable_utf8();
  co_return Reply::success("UTF8 enabled");
}

}  // namespace roost::pop3
