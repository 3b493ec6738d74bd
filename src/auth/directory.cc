#include "auth/directory.h"

#include "auth/account_name.h"
#include "base/log.h"

namespace roost::auth {
namespace {

Error auth_failed() { return make_error(ErrorKind::NoPerm, "authentication failed"); }

}  // namespace

Directory::Directory(store::Store& store, const Clock& clock, DirectoryOptions options)
    : store_(store),
      clock_(clock),
      options_(options),
      cache_(options.cache),
      throttle_(clock, options.throttle),
      scram_secret_(scram_nonce()) {}

const std::string& Directory::dummy_hash() {
  // Unknown names are verified against this, so they cost as much time as real ones.
  std::call_once(dummy_once_, [this] {
    auto h = hash_password(random_password(), options_.hash);
    if (h) dummy_hash_ = *h;
  });
  return dummy_hash_;
}

Status Directory::check_throttle(const std::string& account, std::string_view client_ip) {
  if (int64_t wait = throttle_.wait_seconds(client_ip, account); wait > 0) {
    log::info("auth", {{"account", account},
                       {"ip", std::string(client_ip)},
                       {"outcome", "throttled"},
                       {"wait", std::to_string(wait)}});
    return make_error(ErrorKind::Limit,
                      "too many failed logins; try again in " + std::to_string(wait) + " seconds");
  }
  return ok();
}

Result<store::Account> Directory::record(const std::string& account, std::string_view client_ip,
                                         Result<store::Account> found, bool verified) {
  if (!verified || !found) {
    int64_t failures = throttle_.record_failure(client_ip, account);
    log::info("auth", {{"account", account},
                       {"ip", std::string(client_ip)},
                       {"outcome", "failed"},
                       {"failures", std::to_string(failures)}});
    return auth_failed();
  }
  throttle_.record_success(client_ip, account);
  log::info("auth", {{"account", account}, {"ip", std::string(client_ip)}, {"outcome", "ok"}});
  return found;
}

Result<store::Account> Directory::authenticate(std::string_view name, std::string_view password,
                                               std::string_view client_ip) {
  auto normalized = normalize_account_name(name);
  // Throttle by what the client typed when it is not even a valid name.
  std::string account = normalized ? *normalized : std::string(name.substr(0, 256));
  ROOST_TRY(check_throttle(account, client_ip));
  bool verified = false;
  Result<store::Account> found = auth_failed();
  if (normalized) found = store_.find_account(*normalized);
  if (found) {
    int64_t now = clock_.now_unix();
    verified = cache_.hit(account, found->password_hash, password, now);
    if (!verified) {
      verified = verify_password(password, found->password_hash);
      if (verified) cache_.remember(account, found->password_hash, password, now);
    }
  } else if (found.error().kind == ErrorKind::NotFound || !normalized) {
    verify_password(password, dummy_hash());
  } else {
    return found.error();  // the store failed: not the client's fault, not counted
  }
  return record(account, client_ip, std::move(found), verified);
}

Result<Directory::ScramLookup> Directory::scram_lookup(std::string_view name,
                                                       std::string_view client_ip) {
  auto normalized = normalize_account_name(name);
  ScramLookup out;
  out.account = normalized ? *normalized : std::string(name.substr(0, 256));
  ROOST_TRY(check_throttle(out.account, client_ip));
  if (normalized) {
    auto found = store_.find_account(*normalized);
    if (!found && found.error().kind != ErrorKind::NotFound) return found.error();
    if (found && !found->scram_credentials.empty()) {
      auto credentials = parse_scram(found->scram_credentials);
      if (!credentials) return credentials.error();
      out.credentials = std::move(*credentials);
      out.found = std::move(*found);
      return out;
    }
  }
  // Made-up: a salt stable per name (a changing one would reveal the name is unknown) and
  // keys nobody can match.
  out.credentials = derive_scram(scram_nonce(), "", kScramIterations);
  out.credentials.salt = derive_scram(out.account, scram_secret_, 1).server_key.substr(0, 16);
  return out;
}

Result<store::Account> Directory::scram_outcome(const ScramLookup& lookup,
                                                std::string_view client_ip, bool proof_ok) {
  Result<store::Account> found = auth_failed();
  if (lookup.found) found = *lookup.found;
  return record(lookup.account, client_ip, std::move(found), proof_ok && lookup.found);
}

Result<std::string> Directory::store_scram(store::AccountId id, std::string_view password) {
  auto credentials = make_scram(password);
  if (!credentials) return credentials.error();
  std::string text = format_scram(*credentials);
  ROOST_TRY(store_.set_scram_credentials(id, text));
  return text;
}

Result<store::Account> Directory::create_account(std::string_view name, std::string_view password) {
  auto normalized = normalize_account_name(name);
  if (!normalized) return normalized.error();
  auto hash = hash_password(password, options_.hash);
  if (!hash) return hash.error();
  auto account = store_.create_account(*normalized, *hash);
  if (!account) return account;
  auto scram = store_scram(account->id, password);
  if (!scram) return scram.error();
  account->scram_credentials = std::move(*scram);
  return account;
}

Status Directory::set_password(std::string_view name, std::string_view password) {
  auto account = find_account(name);
  if (!account) return account.error();
  auto hash = hash_password(password, options_.hash);
  if (!hash) return hash.error();
  ROOST_TRY(store_.set_password_hash(account->id, *hash));
  cache_.forget(account->name);
  auto scram = store_scram(account->id, password);
  if (!scram) return scram.error();
  return ok();
}

Status Directory::delete_account(std::string_view name) {
  auto account = find_account(name);
  if (!account) return account.error();
  cache_.forget(account->name);
  return store_.delete_account(account->id);
}

Result<store::Account> Directory::find_account(std::string_view name) {
  auto normalized = normalize_account_name(name);
  if (!normalized) return normalized.error();
  auto account = store_.find_account(*normalized);
  if (!account && account.error().kind == ErrorKind::NotFound) {
    return make_error(ErrorKind::NotFound, "no account named \"" + *normalized + "\"");
  }
  return account;
}

}  // namespace roost::auth
