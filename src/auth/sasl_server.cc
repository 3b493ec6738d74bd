#include "auth/sasl_server.h"

#include <algorithm>

#include "auth/scram.h"

namespace roost::auth {

Result<std::string> decode_sasl_response(std::string_view text) {
  if (text.empty() || text == "=") return std::string();
  auto decoded = base64_decode(text);
  if (!decoded) return make_error(ErrorKind::Syntax, "Invalid BASE64 in the SASL response");
  return std::move(*decoded);
}

using boost::asio::awaitable;

namespace {

SaslOutcome failed(SaslStep step, Error error, std::string user = {}) {
  SaslOutcome out;
  out.failure = {step, std::move(error), std::move(user)};
  return out;
}

SaslOutcome malformed(std::string text) {
  return failed(SaslStep::Malformed, make_error(ErrorKind::Syntax, std::move(text)));
}

SaslOutcome authz_refused(std::string user) {
  return failed(SaslStep::AuthzRefused,
                make_error(ErrorKind::NoPerm, "Acting as another user is not allowed"),
                std::move(user));
}

// The first client message: the initial response, or the answer to an empty challenge.
awaitable<Result<std::string>> first_message(const SaslRequest& request,
                                             const SaslChallenge& challenge) {
  if (request.initial_response) co_return *request.initial_response;
  co_return co_await challenge("");
}

awaitable<SaslOutcome> check_password(std::string user, std::string password,
                                      const SaslRequest& request, Directory& directory,
                                      net::BlockingExecutor& blocking) {
  auto account = co_await blocking.run(
      [&] { return directory.authenticate(user, password, request.peer_ip); });
  if (!account) co_return failed(SaslStep::Login, account.error(), std::move(user));
  SaslOutcome out;
  out.account = std::move(*account);
  co_return out;
}

// RFC 4616: [authzid] NUL authcid NUL passwd
awaitable<SaslOutcome> plain(const SaslRequest& request, Directory& directory,
                             net::BlockingExecutor& blocking, const SaslChallenge& challenge) {
  auto message = co_await first_message(request, challenge);
  if (!message) co_return failed(SaslStep::Exchange, message.error());
  const std::string& m = *message;
  size_t first = m.find('\0');
  size_t second = first == std::string::npos ? first : m.find('\0', first + 1);
  if (second == std::string::npos || m.find('\0', second + 1) != std::string::npos) {
    co_return malformed("Malformed PLAIN response");
  }
  std::string authzid = m.substr(0, first);
  std::string authcid = m.substr(first + 1, second - first - 1);
  if (!authzid.empty() && authzid != authcid) co_return authz_refused(std::move(authcid));
  co_return co_await check_password(std::move(authcid), m.substr(second + 1), request, directory,
                                    blocking);
}

// draft-murchison-sasl-login: "Username:", "Password:"; an initial response is the user name.
awaitable<SaslOutcome> login(const SaslRequest& request, Directory& directory,
                             net::BlockingExecutor& blocking, const SaslChallenge& challenge) {
  std::string user;
  if (request.initial_response) {
    user = *request.initial_response;
  } else {
    auto got = co_await challenge("VXNlcm5hbWU6");
    if (!got) co_return failed(SaslStep::Exchange, got.error());
    user = std::move(*got);
  }
  auto password = co_await challenge("UGFzc3dvcmQ6");
  if (!password) co_return failed(SaslStep::Exchange, password.error(), std::move(user));
  co_return co_await check_password(std::move(user), std::move(*password), request, directory,
                                    blocking);
}

// RFC 5802 §5: client-first, server-first, client-final; then server-final as a last challenge
// the client acknowledges with an empty answer (RFC 4422 §5: no additional data on success).
awaitable<SaslOutcome> scram(const SaslRequest& request, Directory& directory,
                             net::BlockingExecutor& blocking, const SaslChallenge& challenge) {
  auto first = co_await first_message(request, challenge);
  if (!first) co_return failed(SaslStep::Exchange, first.error());
  ScramServer server;
  auto identity = server.client_first(*first);
  if (!identity) {
    SaslStep step =
        identity.error().kind == ErrorKind::NoPerm ? SaslStep::Unsupported : SaslStep::Malformed;
    co_return failed(step, identity.error());
  }
  if (!identity->authzid.empty() && identity->authzid != identity->authcid) {
    co_return authz_refused(identity->authcid);
  }
  const std::string& user = identity->authcid;
  const std::string& ip = request.peer_ip;
  auto lookup = co_await blocking.run([&] { return directory.scram_lookup(user, ip); });
  if (!lookup) co_return failed(SaslStep::Login, lookup.error(), user);
  std::string server_first = server.server_first(lookup->credentials, scram_nonce());
  auto final_message = co_await challenge(base64_encode(server_first));
  if (!final_message) co_return failed(SaslStep::Exchange, final_message.error(), user);
  auto server_final = server.client_final(*final_message);
  // A malformed client-final counts as a failed attempt too: the throttle sees every try.
  auto account = co_await blocking.run(
      [&] { return directory.scram_outcome(*lookup, ip, server_final.has_value()); });
  if (!server_final && server_final.error().kind == ErrorKind::Syntax) {
    co_return failed(SaslStep::Malformed, server_final.error(), user);
  }
  if (!account) co_return failed(SaslStep::Login, account.error(), user);
  auto ack = co_await challenge(base64_encode(*server_final));
  if (!ack) co_return failed(SaslStep::Exchange, ack.error(), user);
  if (!ack->empty()) {
    co_return failed(SaslStep::NotEmpty,
                     make_error(ErrorKind::Syntax, "Expected an empty response after server-final"),
                     user);
  }
  SaslOutcome out;
  out.account = std::move(*account);
  co_return out;
}

}  // namespace

bool is_sasl_mechanism(std::string_view name) {
  return std::find(std::begin(kSaslMechanisms), std::end(kSaslMechanisms), name) !=
         std::end(kSaslMechanisms);
}

awaitable<SaslOutcome> run_sasl(const SaslRequest& request, Directory& directory,
                                net::BlockingExecutor& blocking, const SaslChallenge& challenge) {
  if (request.mechanism == "PLAIN") co_return co_await plain(request, directory, blocking, challenge);
  if (request.mechanism == "LOGIN") co_return co_await login(request, directory, blocking, challenge);
  if (request.mechanism == "SCRAM-SHA-256") {
    co_return co_await scram(request, directory, blocking, challenge);
  }
  co_return failed(SaslStep::Unsupported,
                   make_error(ErrorKind::NoPerm, "Unsupported authentication mechanism"));
}

}  // namespace roost::auth
