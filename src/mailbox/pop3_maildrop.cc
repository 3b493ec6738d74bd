#include "mailbox/pop3_maildrop.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <unordered_map>
#include <utility>

#include "base/log.h"
#include "mailbox/expunge.h"

namespace roost::mailbox {
namespace {

// Account settings (Store::account_setting) this module owns.
constexpr std::string_view kPolicySetting = "pop3.delete_policy";
constexpr std::string_view kImapUsedSetting = "imap.used";
constexpr std::string_view kLastLoginSetting = "pop3.last_login";

// 32 hex digits = 128 bits of the SHA-256: unique in practice, well under RFC 1939's 70.
constexpr size_t kUidlHexDigits = 32;
constexpr int64_t kSecondsPerDay = 86400;

Result<Pop3DeletePolicy> effective_policy(store::Store& store, store::AccountId account,
                                          const Pop3Options& options) {
  auto override_policy = pop3_policy_override(store, account);
  if (!override_policy) return override_policy.error();
  Pop3DeletePolicy policy = override_policy->value_or(options.policy);
  if (policy != Pop3DeletePolicy::Auto) return policy;
  // Auto: a POP3 client must never silently destroy mail that IMAP devices rely on.
  auto used = store.account_setting(account, kImapUsedSetting);
  if (!used) return used.error();
  return used->has_value() ? Pop3DeletePolicy::Keep : Pop3DeletePolicy::Delete;
}

// RFC 1939 §7: the same message keeps its UIDL, so it comes from the bytes (blob id) alone:
// moves and copies share the blob, and the bytes never change. Identical bytes twice in the
// maildrop: the second gets "-2", the third "-3", in UID order.
void assign_uidls(std::vector<Pop3Message>& messages) {
  std::unordered_map<std::string, int> seen;
  for (Pop3Message& m : messages) {
    std::string base = m.blob.id.substr(0, kUidlHexDigits);
    int n = ++seen[base];
    m.uidl = n == 1 ? base : base + "-" + std::to_string(n);
  }
}

// Sizes from the store's per-blob cache; the few never computed are read once and cached.
Status fill_sizes(store::Store& store, std::vector<Pop3Message>& messages) {
  if (messages.empty()) return ok();
  std::vector<std::string> ids;
  ids.reserve(messages.size());
  for (const Pop3Message& m : messages) ids.push_back(m.blob.id);
  auto cached = store.crlf_sizes(ids);
  if (!cached) return cached.error();
  std::vector<std::pair<std::string, uint64_t>> computed;
  for (size_t i = 0; i < messages.size(); ++i) {
    Pop3Message& m = messages[i];
    if ((*cached)[i]) {
      m.size = *(*cached)[i];
      continue;
    }
    auto bytes = store.blobs().read(m.blob.id);
    if (!bytes) {
      // RETR will fail for it too; the login need not.
      log::warn("pop3.size_unknown", {{"blob", m.blob.id}, {"error", bytes.error().describe()}});
      m.size = m.blob.size;
      continue;
    }
    m.size = pop3_size((*bytes)->bytes());
    computed.emplace_back(m.blob.id, m.size);
  }
  if (auto st = store.set_crlf_sizes(computed); !st) {
    log::warn("pop3.size_cache_failed", {{"error", st.error().describe()}});
  }
  return ok();
}

// Retention: hidden messages still in INBOX after `retention_days` are expunged. Failures are
// logged, not returned: housekeeping must not lock the user out.
void apply_retention(store::Store& store, store::MailboxId inbox, store::AccountId account,
                     const Pop3Options& options, int64_t now_unix,
                     const std::unordered_map<std::string, int64_t>& hidden,
                     std::vector<store::MessageEntry>& entries) {
  if (options.retention_days <= 0 || hidden.empty()) return;
  int64_t max_age = options.retention_days * kSecondsPerDay;
  std::vector<store::Uid> expired;
  for (const store::MessageEntry& e : entries) {
    auto it = hidden.find(e.blob.id);
    if (it != hidden.end() && now_unix - it->second >= max_age) expired.push_back(e.uid);
  }
  if (expired.empty()) return;
  auto removed = expunge(store, inbox, store::uid_set_of(expired), "retention");
  if (!removed) {
    log::warn("pop3.retention_failed", {{"error", removed.error().describe()}});
    return;
  }
  std::erase_if(entries, [&](const store::MessageEntry& e) {
    return std::binary_search(removed->expunged.begin(), removed->expunged.end(), e.uid);
  });
  if (auto pruned = store.prune_pop3_hidden(account); !pruned) {
    log::warn("pop3.prune_failed", {{"error", pruned.error().describe()}});
  }
}

// The messages (by maildrop index) that are still in INBOX, ascending UID; bad indexes are
// ignored.
Result<std::vector<const Pop3Message*>> still_present(store::Store& store,
                                                      const Pop3Maildrop& maildrop,
                                                      const std::vector<size_t>& indexes) {
  std::vector<store::Uid> wanted;
  for (size_t i : indexes) {
    if (i < maildrop.messages.size()) wanted.push_back(maildrop.messages[i].uid);
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  std::vector<const Pop3Message*> out;
  if (wanted.empty()) return out;
  auto current = store.list_messages(maildrop.inbox, store::uid_set_of(wanted));
  if (!current) return current.error();
  size_t j = 0;  // both ascending by UID
  for (const store::MessageEntry& e : *current) {
    while (j < maildrop.messages.size() && maildrop.messages[j].uid < e.uid) ++j;
    if (j < maildrop.messages.size() && maildrop.messages[j].uid == e.uid &&
        std::binary_search(wanted.begin(), wanted.end(), e.uid)) {
      out.push_back(&maildrop.messages[j]);
    }
  }
  return out;
}

Result<store::MailboxId> move_target(store::Store& store, store::AccountId account,
                                     const std::string& name) {
  auto found = store.find_mailbox(account, name);
  if (found) return found->id;
  if (found.error().kind != ErrorKind::NotFound) return found.error();
  auto created = store.create_mailbox(account, name);
  if (created) return created->id;
  if (created.error().kind != ErrorKind::Exists) return created.error();
  auto raced = store.find_mailbox(account, name);  // another session created it meanwhile
  if (!raced) return raced.error();
  return raced->id;
}

std::vector<store::Uid> uids_of(const std::vector<const Pop3Message*>& messages) {
  std::vector<store::Uid> uids;
  for (const Pop3Message* m : messages) uids.push_back(m->uid);
  return uids;
}

}  // namespace

std::optional<Pop3DeletePolicy> parse_pop3_policy(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "auto") return Pop3DeletePolicy::Auto;
  if (lower == "keep") return Pop3DeletePolicy::Keep;
  if (lower == "delete") return Pop3DeletePolicy::Delete;
  if (lower == "move") return Pop3DeletePolicy::Move;
  return std::nullopt;
}

std::string_view to_string(Pop3DeletePolicy policy) {
  switch (policy) {
    case Pop3DeletePolicy::Auto:
      return "auto";
    case Pop3DeletePolicy::Keep:
      return "keep";
    case Pop3DeletePolicy::Delete:
      return "delete";
    case Pop3DeletePolicy::Move:
      return "move";
  }
  return "auto";
}

uint64_t pop3_size(std::string_view bytes) {
  uint64_t size = bytes.size();
  const char* begin = bytes.data();
  const char* end = begin + bytes.size();
  for (const char* p = begin; p < end;) {
    const void* lf = std::memchr(p, '\n', static_cast<size_t>(end - p));
    if (lf == nullptr) break;
    const char* at = static_cast<const char*>(lf);
    if (at == begin || at[-1] != '\r') ++size;
    p = at + 1;
  }
  if (!bytes.empty() && bytes.back() != '\n') size += 2;  // RETR ends the last line
  return size;
}

Result<std::optional<Pop3DeletePolicy>> pop3_policy_override(store::Store& store,
                                                             store::AccountId account) {
  using Out = std::optional<Pop3DeletePolicy>;
  auto text = store.account_setting(account, kPolicySetting);
  if (!text) return text.error();
  if (!text->has_value()) return Out();
  Out policy = parse_pop3_policy(**text);
  if (!policy) {  // only set_pop3_policy_override writes it; say so rather than guess
    log::warn("pop3.bad_policy_setting", {{"account", std::to_string(account)}, {"value", **text}});
  }
  return policy;
}

Status set_pop3_policy_override(store::Store& store, store::AccountId account,
                                std::optional<Pop3DeletePolicy> policy) {
  return store.set_account_setting(account, kPolicySetting,
                                   policy ? to_string(*policy) : std::string_view());
}

Result<Pop3Maildrop> load_pop3_maildrop(store::Store& store, store::AccountId account,
                                        const Pop3Options& options, int64_t now_unix) {
  auto inbox = store.find_mailbox(account, "INBOX");
  if (!inbox) return inbox.error();
  Pop3Maildrop maildrop;
  maildrop.account = account;
  maildrop.inbox = inbox->id;
  auto policy = effective_policy(store, account, options);
  if (!policy) return policy.error();
  maildrop.effective_policy = *policy;

  auto marks = store.pop3_hidden(account);
  if (!marks) return marks.error();
  std::unordered_map<std::string, int64_t> hidden;
  for (store::Pop3Hidden& h : *marks) hidden.emplace(std::move(h.blob_id), h.hidden_unix);

  auto entries = store.list_messages(inbox->id, store::all_uids());
  if (!entries) return entries.error();
  apply_retention(store, inbox->id, account, options, now_unix, hidden, *entries);

  maildrop.messages.reserve(entries->size());
  for (store::MessageEntry& e : *entries) {
    if (hidden.count(e.blob.id) != 0) continue;
    Pop3Message& m = maildrop.messages.emplace_back();
    m.uid = e.uid;
    m.blob = std::move(e.blob);
  }
  assign_uidls(maildrop.messages);
  ROOST_TRY(fill_sizes(store, maildrop.messages));
  return maildrop;
}

Result<size_t> commit_pop3_deletions(store::Store& store, const Pop3Maildrop& maildrop,
                                     const std::vector<size_t>& deleted, const Pop3Options& options,
                                     int64_t now_unix) {
  // Expunged or moved away by IMAP during the session: nothing left for the policy to do.
  auto present = still_present(store, maildrop, deleted);
  if (!present) return present.error();
  if (present->empty()) return size_t{0};
  size_t removed = 0;
  switch (maildrop.effective_policy) {
    case Pop3DeletePolicy::Auto:  // load_pop3_maildrop resolves it; never kept as Auto
    case Pop3DeletePolicy::Keep: {
      std::vector<std::string> blobs;
      for (const Pop3Message* m : *present) blobs.push_back(m->blob.id);
      ROOST_TRY(store.hide_from_pop3(maildrop.account, blobs, now_unix));
      removed = present->size();
      break;
    }
    case Pop3DeletePolicy::Delete: {
      auto result = expunge(store, maildrop.inbox, store::uid_set_of(uids_of(*present)), "pop3");
      if (!result) return result.error();
      removed = result->expunged.size();
      break;
    }
    case Pop3DeletePolicy::Move: {
      auto target = move_target(store, maildrop.account, options.move_to);
      if (!target) return target.error();
      if (*target == maildrop.inbox) {
        return make_error(ErrorKind::Syntax, "[pop3] move_to must not be INBOX");
      }
      auto result =
          move(store, maildrop.inbox, store::uid_set_of(uids_of(*present)), *target, "pop3");
      if (!result) return result.error();
      removed = result->mapping.size();
      break;
    }
  }
  // Marks of mail that is gone everywhere would otherwise pile up forever.
  if (auto pruned = store.prune_pop3_hidden(maildrop.account); !pruned) {
    log::warn("pop3.prune_failed", {{"error", pruned.error().describe()}});
  }
  return removed;
}

Status mark_pop3_seen(store::Store& store, const Pop3Maildrop& maildrop,
                      const std::vector<size_t>& retrieved, const Pop3Options& options) {
  if (!options.mark_seen_on_retr) return ok();
  std::vector<store::Uid> uids;
  for (size_t i : retrieved) {
    if (i < maildrop.messages.size()) uids.push_back(maildrop.messages[i].uid);
  }
  if (uids.empty()) return ok();
  store::FlagUpdate update;
  update.op = store::FlagOp::Add;
  update.flags.system = store::kSeen;
  auto result = store.store_flags(maildrop.inbox, store::uid_set_of(uids), update);
  if (!result) return result.error();
  return ok();
}

Status check_pop3_login_delay(store::Store& store, store::AccountId account, int64_t delay_seconds,
                              int64_t now_unix) {
  if (delay_seconds > 0) {
    auto last = store.account_setting(account, kLastLoginSetting);
    if (!last) return last.error();
    if (last->has_value()) {
      int64_t last_unix = std::strtoll((*last)->c_str(), nullptr, 10);
      int64_t wait = last_unix + delay_seconds - now_unix;
      // A refused login is not recorded, or a client retrying too early would never get in.
      if (wait > 0 && now_unix >= last_unix) {
        return make_error(ErrorKind::Limit,
                          "Logged in too recently; try again in " + std::to_string(wait) + " s");
      }
    }
  }
  return store.set_account_setting(account, kLastLoginSetting, std::to_string(now_unix));
}

Status note_imap_use(store::Store& store, store::AccountId account) {
  // Once per account and process: later IMAP logins cost neither a read nor a write. Keyed by
  // the store too, so two stores in one process (tests) do not share marks.
  static std::mutex mu;
  static std::set<std::pair<const store::Store*, store::AccountId>> noted;
  const std::pair<const store::Store*, store::AccountId> key{&store, account};
  {
    std::lock_guard lock(mu);
    if (noted.count(key) != 0) return ok();
  }
  auto used = store.account_setting(account, kImapUsedSetting);
  if (!used) return used.error();
  if (!used->has_value()) ROOST_TRY(store.set_account_setting(account, kImapUsedSetting, "1"));
  std::lock_guard lock(mu);
  noted.insert(key);
  return ok();
}

}  // namespace roost::mailbox
