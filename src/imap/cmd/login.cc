// STARTTLS (RFC 9051 §6.2.1), LOGIN (§6.2.3), AUTHENTICATE PLAIN (RFC 4616), LOGIN and
// SCRAM-SHA-256 (RFC 5802, RFC 7677) with SASL-IR (RFC 4959). Passwords are only accepted over TLS
// (unless [auth] allow_plaintext): before STARTTLS, LOGIN and AUTHENTICATE answer
// NO [PRIVACYREQUIRED] and CAPABILITY shows LOGINDISABLED.
#include <boost/asio/awaitable.hpp>

#include "auth/scram.h"
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

// RFC 5802 §5: client-first (the SASL-IR or the answer to an empty "+"), server-first,
// client-final; then server-final as a last "+" the client acknowledges with an empty line
// (RFC 4422 §5, RFC 9051 §6.2.2: no additional data in the OK).
awaitable<Reply> scram(Session& session, const AuthenticateArgs& args) {
  std::string first;
  if (args.initial_response) {
    first = *args.initial_response;
  } else {
    auto got = co_await challenge(session, "");
    if (!got) co_return exchange_failed(got.error());
    first = std::move(*got);
  }
  auth::ScramServer server;
  auto identity = server.client_first(first);
  if (!identity) {
    if (identity.error().kind == ErrorKind::NoPerm)
      co_return Reply::no(identity.error().text, "CANNOT");
    co_return Reply::bad(identity.error().text);
  }
  if (!identity->authzid.empty() && identity->authzid != identity->authcid) {
    co_return Reply::no("Acting as another user is not allowed", "AUTHORIZATIONFAILED");
  }
  const std::string& user = identity->authcid;
  std::string ip = session.conn().peer_address();
  auth::Directory& directory = session.directory();
  auto lookup = co_await session.blocking().run([&] { return directory.scram_lookup(user, ip); });
  if (!lookup) co_return login_failed(session, user, lookup.error());
  std::string server_first = server.server_first(lookup->credentials, auth::scram_nonce());
  auto final_message = co_await challenge(session, auth::base64_encode(server_first));
  if (!final_message) co_return exchange_failed(final_message.error());
  auto server_final = server.client_final(*final_message);
  // A malformed client-final counts as a failed attempt too: the throttle sees every try.
  auto account = co_await session.blocking().run(
      [&] { return directory.scram_outcome(*lookup, ip, server_final.has_value()); });
  if (!server_final && server_final.error().kind == ErrorKind::Syntax) {
    co_return Reply::bad(server_final.error().text);
  }
  if (!account) co_return login_failed(session, user, account.error());
  auto ack = co_await challenge(session, auth::base64_encode(*server_final));
  if (!ack) co_return exchange_failed(ack.error());
  if (!ack->empty()) co_return Reply::bad("Expected an empty response after server-final");
  co_return co_await logged_in(session, std::move(*account));
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
  if (args.mechanism != "PLAIN" && args.mechanism != "LOGIN" && args.mechanism != "SCRAM-SHA-256") {
    co_return Reply::no("Unsupported authentication mechanism", "CANNOT");
  }
  if (!session.passwords_allowed()) co_return privacy_required();
  if (args.mechanism == "SCRAM-SHA-256") co_return co_await scram(session, args);

  if (args.mechanism == "LOGIN") {  // draft-murchison-sasl-login: "Username:", "Password:"
    std::string user;
    if (args.initial_response) {
      user = *args.initial_response;
    } else {
      auto got = co_await challenge(session, "VXNlcm5hbWU6");
      if (!got) co_return exchange_failed(got.error());
      user = std::move(*got);
    }
    auto password = co_await challenge(session, "UGFzc3dvcmQ6");
    if (!password) co_return exchange_failed(password.error());
    co_return co_await authenticate(session, user, *password);
  }

  // RFC 4616: [authzid] NUL authcid NUL passwd
  std::string message;
  if (args.initial_response) {
    message = *args.initial_response;
  } else {
    auto got = co_await challenge(session, "");
    if (!got) co_return exchange_failed(got.error());
    message = std::move(*got);
  }
  size_t first = message.find('\0');
  size_t second = first == std::string::npos ? first : message.find('\0', first + 1);
  if (second == std::string::npos || message.find('\0', second + 1) != std::string::npos) {
    co_return Reply::bad("Malformed PLAIN response");
  }
  std::string authzid = message.substr(0, first);
  std::string authcid = message.substr(first + 1, second - first - 1);
  std::string password = message.substr(second + 1);
  if (!authzid.empty() && authzid != authcid) {
    co_return Reply::no("Acting as another user is not allowed", "AUTHORIZATIONFAILED");
  }
  co_return co_await authenticate(session, authcid, password);
}

}  // namespace roost::imap
