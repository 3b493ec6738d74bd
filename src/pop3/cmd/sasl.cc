// AUTH (RFC 5034): PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and SCRAM-SHA-256
// (RFC 5802, RFC 7677), with an optional initial response. Challenges are "+ BASE64" lines; the
// client answers one BASE64 line or "*" to cancel (-ERR). SCRAM's server-final message goes out
// as a last challenge the client acknowledges with an empty line (RFC 5034 §4, as in IMAP).
// Like USER/PASS, only once TLS is active unless [auth] allow_plaintext.
#include "auth/scram.h"
#include "pop3/cmd/login.h"
#include "pop3/command_table.h"
#include "pop3/session.h"

namespace roost::pop3 {

using boost::asio::awaitable;

namespace {

constexpr std::string_view kMechanisms[] = {"PLAIN", "LOGIN", "SCRAM-SHA-256"};

// RFC 5034 §4: "=" is an empty initial response; an empty line an empty answer.
Result<std::string> decode_response(std::string_view text) {
  if (text.empty() || text == "=") return std::string();
  auto decoded = auth::base64_decode(text);
  if (!decoded) return make_error(ErrorKind::Syntax, "Invalid BASE64 in the SASL response");
  return std::move(*decoded);
}

// One step: "+ challenge", then the client's line. "*" cancels (Syntax "AUTH cancelled").
awaitable<Result<std::string>> challenge(Session& session, std::string_view base64) {
  session.out() += "+ ";
  session.out() += base64;
  session.out() += "\r\n";
  auto line = co_await session.read_line();
  if (!line) co_return line.error();
  if (*line == "*") co_return make_error(ErrorKind::Syntax, "AUTH cancelled");
  co_return decode_response(*line);
}

Reply exchange_failed(Session& session, const Error& e) {
  if (e.kind == ErrorKind::Io) {
    session.mark_closed();
    return Reply::sent();
  }
  return Reply::failure(e.text);
}

// The first client message: the initial response, or the answer to an empty challenge.
awaitable<Result<std::string>> first_message(Session& session, const Command& command) {
  if (command.initial_response) co_return decode_response(*command.initial_response);
  co_return co_await challenge(session, "");
}

awaitable<Reply> scram(Session& session, const Command& command) {
  auto first = co_await first_message(session, command);
  if (!first) co_return exchange_failed(session, first.error());
  auth::ScramServer server;
  auto identity = server.client_first(*first);
  if (!identity) co_return Reply::failure(identity.error().text);
  if (!identity->authzid.empty() && identity->authzid != identity->authcid) {
    co_return Reply::failure("Acting as another user is not allowed", "AUTH");
  }
  const std::string& user = identity->authcid;
  std::string ip = session.conn().peer_address();
  auth::Directory& directory = session.directory();
  auto lookup = co_await session.blocking().run([&] { return directory.scram_lookup(user, ip); });
  if (!lookup) co_return login_failed(session, user, lookup.error());
  std::string server_first = server.server_first(lookup->credentials, auth::scram_nonce());
  auto final_message = co_await challenge(session, auth::base64_encode(server_first));
  if (!final_message) co_return exchange_failed(session, final_message.error());
  auto server_final = server.client_final(*final_message);
  // A malformed client-final counts as a failed attempt too: the throttle sees every try.
  auto account = co_await session.blocking().run(
      [&] { return directory.scram_outcome(*lookup, ip, server_final.has_value()); });
  if (!server_final && server_final.error().kind == ErrorKind::Syntax) {
    co_return Reply::failure(server_final.error().text);
  }
  if (!account) co_return login_failed(session, user, account.error());
  auto ack = co_await challenge(session, auth::base64_encode(*server_final));
  if (!ack) co_return exchange_failed(session, ack.error());
  if (!ack->empty()) co_return Reply::failure("Expected an empty response after server-final");
  co_return co_await session.open_maildrop(std::move(*account));
}

awaitable<Reply> plain(Session& session, const Command& command) {
  auto message = co_await first_message(session, command);
  if (!message) co_return exchange_failed(session, message.error());
  // RFC 4616: [authzid] NUL authcid NUL passwd
  const std::string& m = *message;
  size_t first = m.find('\0');
  size_t second = first == std::string::npos ? first : m.find('\0', first + 1);
  if (second == std::string::npos || m.find('\0', second + 1) != std::string::npos) {
    co_return Reply::failure("Malformed PLAIN response");
  }
  std::string authzid = m.substr(0, first);
  std::string authcid = m.substr(first + 1, second - first - 1);
  if (!authzid.empty() && authzid != authcid) {
    co_return Reply::failure("Acting as another user is not allowed", "AUTH");
  }
  co_return co_await login_with_password(session, authcid, m.substr(second + 1));
}

awaitable<Reply> login(Session& session, const Command& command) {
  std::string user;
  if (command.initial_response) {
    auto decoded = decode_response(*command.initial_response);
    if (!decoded) co_return Reply::failure(decoded.error().text);
    user = std::move(*decoded);
  } else {
    auto got = co_await challenge(session, "VXNlcm5hbWU6");  // "Username:"
    if (!got) co_return exchange_failed(session, got.error());
    user = std::move(*got);
  }
  auto password = co_await challenge(session, "UGFzc3dvcmQ6");  // "Password:"
  if (!password) co_return exchange_failed(session, password.error());
  co_return co_await login_with_password(session, user, *password);
}

}  // namespace

awaitable<Reply> cmd_auth(Session& session, const Command& command) {
  session.pending_user().reset();
  if (!session.passwords_allowed()) co_return session.plaintext_refused();
  if (command.mechanism.empty()) {
    // "AUTH" alone lists the mechanisms (RFC 1734 practice, which clients still send).
    session.out() += "+OK Mechanisms follow\r\n";
    for (std::string_view m : kMechanisms) {
      session.out() += m;
      session.out() += "\r\n";
    }
    session.out() += ".\r\n";
    co_return Reply::sent();
  }
  if (command.mechanism == "PLAIN") co_return co_await plain(session, command);
  if (command.mechanism == "LOGIN") co_return co_await login(session, command);
  if (command.mechanism == "SCRAM-SHA-256") co_return co_await scram(session, command);
  co_return Reply::failure("Unsupported authentication mechanism");
}

}  // namespace roost::pop3
