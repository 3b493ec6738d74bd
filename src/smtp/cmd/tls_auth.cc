// STARTTLS (RFC 3207) and AUTH (RFC 4954): PLAIN, LOGIN and SCRAM-SHA-256 through
// auth::run_sasl, the same exchange and login throttle as IMAP and POP3. AUTH exists only on the
// submission ports, and only over TLS unless [auth] allow_plaintext.
#include "auth/sasl_server.h"
#include "base/log.h"
#include "smtp/command_table.h"
#include "smtp/session.h"

namespace roost::smtp {

using boost::asio::awaitable;

namespace {

// One step: "334 challenge", then the client's line; "*" cancels (RFC 4954 §4).
awaitable<Result<std::string>> challenge(Session& session, std::string_view base64) {
  session.out() += "334 ";
  session.out() += base64;
  session.out() += "\r\n";
  auto line = co_await session.read_line();
  if (!line) co_return line.error();
  if (*line == "*") co_return make_error(ErrorKind::Syntax, "AUTH cancelled");
  co_return auth::decode_sasl_response(*line);
}

Reply login_failed(Session& session, const auth::SaslFailure& f) {
  log::info("smtp.auth_failed", {{"session", session.conn().session_id()},
                                 {"peer", session.conn().peer()},
                                 {"user", f.user.substr(0, 64)},
                                 {"error", std::string(to_string(f.error.kind))}});
  if (f.error.kind == ErrorKind::Limit) {
    return Reply::make(454, "4.7.0", "Too many failed logins; try again in a few minutes");
  }
  if (f.error.kind == ErrorKind::NoPerm || f.error.kind == ErrorKind::NotFound ||
      f.error.kind == ErrorKind::Syntax) {
    return Reply::make(535, "5.7.8", "Authentication credentials invalid");  // RFC 4954 §6
  }
  return reply_for(f.error);
}

Reply sasl_failed(Session& session, const auth::SaslFailure& f) {
  switch (f.step) {
    case auth::SaslStep::Exchange:
      if (f.error.kind == ErrorKind::Io) {
        session.mark_closed();
        return Reply::sent();
      }
      if (f.error.kind == ErrorKind::Limit) {
        return Reply::make(500, "5.5.6", "Authentication exchange line is too long");
      }
      return Reply::make(501, "5.0.0", f.error.text);  // RFC 4954 §4: cancelled / bad BASE64
    case auth::SaslStep::Login:
    case auth::SaslStep::AuthzRefused:
      return login_failed(session, f);
    case auth::SaslStep::Unsupported:
    case auth::SaslStep::Malformed:
    case auth::SaslStep::NotEmpty:
      break;
  }
  return Reply::make(535, "5.7.8", f.error.text);
}

}  // namespace

awaitable<Reply> cmd_starttls(Session& session, const Command&) {
  net::Connection& conn = session.conn();
  if (conn.is_tls()) co_return Reply::make(503, "5.5.1", "TLS is already active");
  if (!conn.tls_available()) co_return Reply::make(502, "5.5.1", "STARTTLS is not available");
  write_reply(session.out(), Reply::make(220, "2.0.0", "Ready to start TLS"));
  if (!(co_await session.send())) co_return Reply::sent();
  // RFC 3207 §4.2: anything pipelined after STARTTLS is discarded, and the session starts over.
  std::string injected = session.parser().take_buffered();
  if (!injected.empty()) {
    log::warn("smtp.starttls_discarded",
              {{"session", conn.session_id()}, {"bytes", std::to_string(injected.size())}});
  }
  co_await session.reset_transaction();
  session.forget_greeting();
  if (!(co_await conn.start_tls())) session.mark_closed();
  co_return Reply::sent();
}

awaitable<Reply> cmd_auth(Session& session, const Command& command) {
  if (session.port() != PortKind::Submission) {
    co_return Reply::make(502, "5.5.1", "AUTH is only offered on the submission ports");
  }
  if (!session.passwords_allowed()) {
    co_return Reply::make(538, "5.7.11",
                          "Encryption required for authentication: issue STARTTLS first");
  }
  if (session.account()) co_return Reply::make(503, "5.5.1", "Already authenticated");
  if (session.mail()) co_return Reply::make(503, "5.5.1", "AUTH is not allowed during a mail transaction");
  if (!auth::is_sasl_mechanism(command.argument)) {
    co_return Reply::make(504, "5.5.4", "Unrecognized authentication mechanism");
  }
  auth::SaslRequest request{command.argument, std::nullopt, session.conn().peer_address()};
  if (command.initial_response) {
    auto decoded = auth::decode_sasl_response(*command.initial_response);
    if (!decoded) co_return Reply::make(501, "5.5.2", decoded.error().text);
    request.initial_response = std::move(*decoded);
  }
  auto outcome = co_await auth::run_sasl(
      request, session.directory(), session.hashing(),
      [&session](std::string_view base64) { return challenge(session, base64); });
  if (!outcome.account) co_return sasl_failed(session, outcome.failure);
  log::info("smtp.login", {{"session", session.conn().session_id()},
                           {"account", outcome.account->name}});
  session.logged_in(std::move(*outcome.account));
  co_return Reply::make(235, "2.7.0", "Authentication successful");
}

}  // namespace roost::smtp
