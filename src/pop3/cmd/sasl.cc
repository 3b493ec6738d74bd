// AUTH (RFC 5034): PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and SCRAM-SHA-256
// (RFC 5802, RFC 7677), with an optional initial response. Challenges are "+ BASE64" lines; the
// client answers one BASE64 line or "*" to cancel (-ERR). SCRAM's server-final message goes out
// as a last challenge the client acknowledges with an empty line (RFC 5034 §4, as in IMAP).
// Like USER/PASS, only once TLS is active unless [auth] allow_plaintext.
#include "auth/sasl_server.h"
#include "pop3/cmd/login.h"
#include "pop3/command_table.h"
#include "pop3/session.h"

namespace roost::pop3 {

using boost::asio::awaitable;

namespace {

// One step: "+ challenge", then the client's line. "*" cancels (Syntax "AUTH cancelled").
awaitable<Result<std::string>> challenge(Session& session, std::string_view base64) {
  session.out() += "+ ";
  session.out() += base64;
  session.out() += "\r\n";
  auto line = co_await session.read_line();
  if (!line) co_return line.error();
  if (*line == "*") co_return make_error(ErrorKind::Syntax, "AUTH cancelled");
  co_return auth::decode_sasl_response(*line);
}

Reply exchange_failed(Session& session, const Error& e) {
  if (e.kind == ErrorKind::Io) {
    session.mark_closed();
    return Reply::sent();
  }
  return Reply::failure(e.text);
}

// The outcome of a SASL exchange (auth/sasl_server.h) in POP3's words.
Reply sasl_failed(Session& session, const auth::SaslFailure& f) {
  switch (f.step) {
    case auth::SaslStep::Exchange:
      return exchange_failed(session, f.error);
    case auth::SaslStep::AuthzRefused:
      return Reply::failure(f.error.text, "AUTH");
    case auth::SaslStep::Login:
      return login_failed(session, f.user, f.error);
    case auth::SaslStep::Unsupported:
    case auth::SaslStep::Malformed:
    case auth::SaslStep::NotEmpty:
      break;
  }
  return Reply::failure(f.error.text);
}

}  // namespace

awaitable<Reply> cmd_auth(Session& session, const Command& command) {
  session.pending_user().reset();
  if (!session.passwords_allowed()) co_return session.plaintext_refused();
  if (command.mechanism.empty()) {
    // "AUTH" alone lists the mechanisms (RFC 1734 practice, which clients still send).
    session.out() += "+OK Mechanisms follow\r\n";
    for (std::string_view m : auth::kSaslMechanisms) {
      session.out() += m;
      session.out() += "\r\n";
    }
    session.out() += ".\r\n";
    co_return Reply::sent();
  }
  if (!auth::is_sasl_mechanism(command.mechanism)) {
    co_return Reply::failure("Unsupported authentication mechanism");
  }
  auth::SaslRequest request{command.mechanism, std::nullopt, session.conn().peer_address()};
  if (command.initial_response) {
    auto decoded = auth::decode_sasl_response(*command.initial_response);
    if (!decoded) co_return Reply::failure(decoded.error().text);
    request.initial_response = std::move(*decoded);
  }
  auto outcome = co_await auth::run_sasl(
      request, session.directory(), session.hashing(),
      [&session](std::string_view base64) { return challenge(session, base64); });
  if (!outcome.account) co_return sasl_failed(session, outcome.failure);
  co_return co_await session.open_maildrop(std::move(*outcome.account));
}

}  // namespace roost::pop3
