// STARTTLS (RFC 9051 §6.2.1), LOGIN (§6.2.3), AUTHENTICATE PLAIN (RFC 4616), LOGIN and
// SCRAM-SHA-256 (RFC 5802, RFC 7677) with SASL-IR (RFC 4959). Passwords are only accepted over TLS
// (unless [auth] allow_plaintext): before STARTTLS, LOGIN and AUTHENTICATE answer
// NO [PRIVACYREQUIRED] and CAPABILITY shows LOGINDISABLED.
#include <boost/asio/awaitable.hpp>

#include "auth/sasl_server.h"
#include "base/log.h"
#include "imap/command_table.h"
#include "imap/proto/sasl_response.h"
#include "imap/session.h"
#include "mailbox/pop3_maildrop.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

Reply sent() {
  Reply reply;
  reply.already_sent = true;
  return reply;
}

Reply privacy_required() {
  return Reply::no("Use STARTTLS or the imaps port before sending a password", "PRIVACYREQUIRED");
}

Reply login_failed(Session& session, std::string_view user, const Error& e) {
  log::info("imap.auth_failed", {{"session", session.conn().session_id()},
                                 {"peer", session.conn().peer()},
                                 {"user", std::string(user.substr(0, 64))},
                                 {"error", std::string(to_string(e.kind))}});
  if (e.kind == ErrorKind::NoPerm)
    return Reply::no("Authentication failed", "AUTHENTICATIONFAILED");
  if (e.kind == ErrorKind::Limit) {
    return Reply::no("Too many failed logins; try again later", "UNAVAILABLE");
  }
  if (e.kind == ErrorKind::Syntax)
    return Reply::no("Authentication failed", "AUTHENTICATIONFAILED");
  return reply_for(e);
}

awaitable<Reply> logged_in(Session& session, store::Account account) {
  store::AccountId id = account.id;
  if (!session.logged_in(std::move(account))) {
    co_return Reply::no("Too many sessions for this account; log out of another first", "LIMIT");
  }
  // POP3 policy `auto` keeps mail for accounts that use IMAP (mailbox/pop3_maildrop.h); a
  // failure to record it must not fail the login.
  Status noted = co_await session.blocking().run(
      [&session, id] { return mailbox::note_imap_use(session.store(), id); });
  if (!noted) {
    log::warn("imap.note_imap_use_failed",
              {{"session", session.conn().session_id()}, {"error", noted.error().describe()}});
  }
  // RFC 9051 §6.2.3: the capability list may change at login, so it rides on the OK.
  co_return Reply::ok("Logged in", "CAPABILITY " + session.capability_list());
}

awaitable<Reply> authenticate(Session& session, std::string_view user, std::string_view password) {
  std::string ip = session.conn().peer_address();
  auto account = co_await session.hashing().run(
      [&] { return session.directory().authenticate(user, password, ip); });
  if (!account) co_return login_failed(session, user, account.error());
  co_return co_await logged_in(session, std::move(*account));
}

// One SASL exchange step: "+ challenge", then the client's BASE64 line (or "*" to cancel).
awaitable<Result<std::string>> challenge(Session& session, std::string_view base64) {
  session.out() += "+ ";
  session.out() += base64;
  session.out() += "\r\n";
  auto line = co_await session.read_line();
  if (!line) co_return line.error();
  auto response = parse_sasl_response(*line);
  if (!response) co_return response.error();
  if (response->cancelled) co_return make_error(ErrorKind::Syntax, "AUTHENTICATE cancelled");
  co_return std::move(response->data);
}

Reply exchange_failed(const Error& e) {
  if (e.kind == ErrorKind::Io) return Reply::bad("connection closed");
  return Reply::bad(e.text.empty() ? "Invalid SASL response" : e.text);
}

// The outcome of a SASL exchange (auth/sasl_server.h) in IMAP's words.
Reply sasl_failed(Session& session, const auth::SaslFailure& f) {
  switch (f.step) {
    case auth::SaslStep::Exchange:
      return exchange_failed(f.error);
    case auth::SaslStep::Unsupported:
      return Reply::no(f.error.text, "CANNOT");
    case auth::SaslStep::AuthzRefused:
      return Reply::no(f.error.text, "AUTHORIZATIONFAILED");
    case auth::SaslStep::Login:
      return login_failed(session, f.user, f.error);
    case auth::SaslStep::Malformed:
    case auth::SaslStep::NotEmpty:
      break;
  }
  return Reply::bad(f.error.text);
}

}  // namespace

awaitable<Reply> cmd_starttls(Session& session, Command& command) {
  net::Connection& conn = session.conn();
  if (conn.is_tls()) co_return Reply::bad("TLS is already active");
  if (!conn.tls_available()) co_return Reply::bad("STARTTLS is not available");
  session.finish_command(command.tag, "STARTTLS", Reply::ok("Begin TLS negotiation now"),
                         std::chrono::steady_clock::now());
  if (!(co_await session.send())) co_return sent();
  // RFC 9051 §6.2.1: anything pipelined after STARTTLS is discarded, never interpreted.
  std::string injected = session.parser().take_buffered();
  if (!injected.empty()) {
    log::warn("imap.starttls_discarded",
              {{"session", conn.session_id()}, {"bytes", std::to_string(injected.size())}});
  }
  Status handshake = co_await conn.start_tls();
  if (!handshake) session.mark_closed();
  co_return sent();
}

awaitable<Reply> cmd_login(Session& session, Command& command) {
  if (!session.passwords_allowed()) co_return privacy_required();
  const auto& args = std::get<LoginArgs>(command.args);
  co_return co_await authenticate(session, args.user, args.password);
}

awaitable<Reply> cmd_authenticate(Session& session, Command& command) {
  const auto& args = std::get<AuthenticateArgs>(command.args);
  if (!auth::is_sasl_mechanism(args.mechanism)) {
    co_return Reply::no("Unsupported authentication mechanism", "CANNOT");
  }
  if (!session.passwords_allowed()) co_return privacy_required();
  auth::SaslRequest request{args.mechanism, args.initial_response, session.conn().peer_address()};
  auto outcome = co_await auth::run_sasl(
      request, session.directory(), session.hashing(),
      [&session](std::string_view base64) { return challenge(session, base64); });
  if (!outcome.account) co_return sasl_failed(session, outcome.failure);
  co_return co_await logged_in(session, std::move(*outcome.account));
}

}  // namespace roost::imap
