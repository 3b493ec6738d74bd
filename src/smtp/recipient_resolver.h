// RecipientResolver: which local account (and folder) an address reaches — local domains,
// domain aliases, address aliases, plus-addressing and catch-all — and which addresses an
// account may send as. The rules come from [smtp] local_domains and aliases:
//   "sales@example.org=alice"             address alias to an account (or to another address)
//   "@example.net=@example.org"           domain alias: example.net is local and maps over
//   "@example.org=postmaster@example.org" catch-all for a domain (after everything else)
// Resolution of local@domain (domain after its alias): the address alias; the account named
// "local@domain", then the account "local"; for "user+tag" the same for "user", remembering the
// tag (delivery puts the message into the folder named tag when the account has one, else
// INBOX); then the domain's catch-all; otherwise unknown (550 5.1.1).
// Thread-safe (immutable after construction). resolve() and may_send_as() call `lookup`, which
// usually blocks on the store: call them on a worker thread.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "smtp/proto/address.h"
#include "store/types.h"

namespace roost::smtp {

struct RecipientRules {
  std::vector<std::string> local_domains;              // lower case
  std::map<std::string, std::string> address_aliases;  // "sales@example.org" -> target
  std::map<std::string, std::string> domain_aliases;   // "example.net" -> "example.org"
  std::map<std::string, std::string> catch_all;        // "example.org" -> target
};

// Builds the rules from the config lists; Syntax naming the bad entry.
Result<RecipientRules> parse_recipient_rules(const std::vector<std::string>& local_domains,
                                             const std::vector<std::string>& aliases);

enum class RecipientKind { Local, Remote, Unknown };

struct Resolution {
  RecipientKind kind = RecipientKind::Unknown;
  std::optional<store::Account> account;  // Local
  std::string tag;                        // Local via "user+tag": the folder to try
};

class RecipientResolver {
 public:
  // An account by name: NotFound when there is none; other errors are store failures.
  using AccountLookup = std::function<Result<store::Account>(std::string_view name)>;

  explicit RecipientResolver(RecipientRules rules) : rules_(std::move(rules)) {}

  bool is_local_domain(std::string_view domain) const;  // after domain aliases
  // RCPT TO:<postmaster> (no domain) is postmaster at the first local domain.
  Result<Resolution> resolve(const Path& recipient, const AccountLookup& lookup) const;
  // May `account` use `address` as envelope sender or From:? True when the address resolves to
  // the account without the catch-all (its own name, its aliases, its plus-addresses).
  Result<bool> may_send_as(const store::Account& account, const Path& address,
                           const AccountLookup& lookup) const;
  const RecipientRules& rules() const { return rules_; }

 private:
  Result<Resolution> resolve_address(std::string local, std::string domain, int depth,
                                     bool catch_all, const AccountLookup& lookup) const;
  Result<Resolution> resolve_target(const std::string& target, int depth, bool catch_all,
                                    const AccountLookup& lookup) const;

  RecipientRules rules_;
};

}  // namespace roost::smtp
