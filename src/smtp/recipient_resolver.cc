#include "smtp/recipient_resolver.h"

#include <algorithm>

namespace roost::smtp {

namespace {

constexpr int kMaxAliasDepth = 8;

Error bad_entry(std::string_view entry, std::string why) {
  return make_error(ErrorKind::Syntax, "alias \"" + std::string(entry) + "\": " + why);
}

bool valid_domain(std::string_view domain) {
  return parse_mailbox("x@" + std::string(domain)).has_value();
}

}  // namespace

Result<RecipientRules> parse_recipient_rules(const std::vector<std::string>& local_domains,
                                             const std::vector<std::string>& aliases) {
  RecipientRules rules;
  for (const std::string& d : local_domains) {
    if (!valid_domain(d)) {
      return make_error(ErrorKind::Syntax, "local domain \"" + d + "\" is not a domain name");
    }
    rules.local_domains.push_back(ascii_lower(d));
  }
  for (const std::string& entry : aliases) {
    size_t eq = entry.find('=');
    if (eq == std::string::npos) return bad_entry(entry, "must look like address=target");
    std::string from = ascii_lower(entry.substr(0, eq));
    std::string to = entry.substr(eq + 1);
    if (from.empty() || to.empty()) return bad_entry(entry, "must look like address=target");
    if (from.front() == '@') {
      std::string domain = from.substr(1);
      if (!valid_domain(domain)) return bad_entry(entry, "bad domain");
      if (to.front() == '@') {
        if (!valid_domain(to.substr(1))) return bad_entry(entry, "bad target domain");
        rules.domain_aliases[domain] = ascii_lower(to.substr(1));
      } else {
        rules.catch_all[domain] = to;
      }
      continue;
    }
    auto address = parse_mailbox(from);
    if (!address) return bad_entry(entry, address.error().text);
    if (to.front() == '@') return bad_entry(entry, "an address cannot alias a domain");
    rules.address_aliases[from] = to;
  }
  return rules;
}

bool RecipientResolver::is_local_domain(std::string_view domain) const {
  std::string d = ascii_lower(domain);
  auto alias = rules_.domain_aliases.find(d);
  if (alias != rules_.domain_aliases.end()) return true;
  return std::find(rules_.local_domains.begin(), rules_.local_domains.end(), d) !=
         rules_.local_domains.end();
}

Result<Resolution> RecipientResolver::resolve(const Path& recipient,
                                              const AccountLookup& lookup) const {
  std::string domain = recipient.domain;
  if (domain.empty()) {  // <postmaster>
    if (rules_.local_domains.empty()) return Resolution{};
    domain = rules_.local_domains.front();
  }
  return resolve_address(recipient.local, domain, 0, true, lookup);
}

Result<bool> RecipientResolver::may_send_as(const store::Account& account, const Path& address,
                                            const AccountLookup& lookup) const {
  if (address.is_null() || address.domain.empty()) return false;
  auto r = resolve_address(address.local, address.domain, 0, false, lookup);
  if (!r) return r.error();
  return r->kind == RecipientKind::Local && r->account && r->account->id == account.id;
}

Result<Resolution> RecipientResolver::resolve_target(const std::string& target, int depth,
                                                     bool catch_all,
                                                     const AccountLookup& lookup) const {
  size_t at = target.rfind('@');
  if (at != std::string::npos) {
    return resolve_address(target.substr(0, at), target.substr(at + 1), depth + 1, catch_all,
                           lookup);
  }
  auto account = lookup(target);
  if (!account) {
    if (account.error().kind == ErrorKind::NotFound || account.error().kind == ErrorKind::Syntax) {
      return Resolution{};
    }
    return account.error();
  }
  return Resolution{RecipientKind::Local, std::move(*account), {}};
}

Result<Resolution> RecipientResolver::resolve_address(std::string local, std::string domain,
                                                      int depth, bool catch_all,
                                                      const AccountLookup& lookup) const {
  if (depth > kMaxAliasDepth) return Resolution{};  // an alias loop resolves to nothing
  domain = ascii_lower(domain);
  if (auto alias = rules_.domain_aliases.find(domain); alias != rules_.domain_aliases.end()) {
    domain = alias->second;
  }
  if (std::find(rules_.local_domains.begin(), rules_.local_domains.end(), domain) ==
      rules_.local_domains.end()) {
    return Resolution{RecipientKind::Remote, std::nullopt, {}};
  }
  std::string lower = ascii_lower(local);
  std::string key = lower + "@" + domain;
  if (auto alias = rules_.address_aliases.find(key); alias != rules_.address_aliases.end()) {
    return resolve_target(alias->second, depth, catch_all, lookup);
  }
  for (const std::string& name : {key, lower}) {
    auto account = lookup(name);
    if (account) return Resolution{RecipientKind::Local, std::move(*account), {}};
    if (account.error().kind != ErrorKind::NotFound && account.error().kind != ErrorKind::Syntax) {
      return account.error();
    }
  }
  // Plus-addressing: "user+tag" reaches "user" (and its folder "tag" when it has one).
  size_t plus = local.find('+');
  if (plus != std::string::npos && plus > 0) {
    auto base = resolve_address(local.substr(0, plus), domain, depth + 1, false, lookup);
    if (!base) return base;
    if (base->kind == RecipientKind::Local) {
      if (base->tag.empty()) base->tag = local.substr(plus + 1);
      return base;
    }
  }
  if (catch_all) {
    if (auto all = rules_.catch_all.find(domain); all != rules_.catch_all.end()) {
      return resolve_target(all->second, depth, false, lookup);
    }
  }
  return Resolution{};
}

}  // namespace roost::smtp
