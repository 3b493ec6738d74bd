#include "mailbox/expunge.h"

#include <string>

#include "base/log.h"

namespace roost::mailbox {

std::string format_uids(const std::vector<store::Uid>& uids) {
  std::string out;
  for (const store::UidRange& range : store::uid_set_of(uids)) {
    if (!out.empty()) out += ',';
    out += std::to_string(range.first);
    if (range.last != range.first) out += ':' + std::to_string(range.last);
  }
  return out;
}

Result<store::ExpungeResult> expunge(store::Store& store, store::MailboxId mailbox,
                                     const store::UidSet& uids, std::string_view source) {
  auto info = store.get_mailbox(mailbox);
  if (!info) return info.error();
  auto result = store.expunge(mailbox, uids);
  if (!result) return result.error();
  if (result->expunged.empty()) return result;
  // The account name is for the trace only: a lookup failure must not undo the expunge.
  auto account = store.get_account(info->account);
  log::info("message.expunge",
            {{"account", account ? account->name : std::to_string(info->account)},
             {"mailbox", info->name},
             {"uids", format_uids(result->expunged)},
             {"count", std::to_string(result->expunged.size())},
             {"modseq", std::to_string(result->modseq)},
             {"source", std::string(source)}});
  return result;
}

Result<store::CopyResult> move(store::Store& store, store::MailboxId from,
                               const store::UidSet& uids, store::MailboxId to,
                               std::string_view source) {
  auto from_info = store.get_mailbox(from);
  if (!from_info) return from_info.error();
  auto to_info = store.get_mailbox(to);
  if (!to_info) return to_info.error();
  auto result = store.move(from, uids, to);
  if (!result || result->mapping.empty()) return result;
  std::vector<store::Uid> old_uids, new_uids;
  for (const auto& [old_uid, new_uid] : result->mapping) {
    old_uids.push_back(old_uid);
    new_uids.push_back(new_uid);
  }
  auto account = store.get_account(from_info->account);
  log::info("message.move",
            {{"account", account ? account->name : std::to_string(from_info->account)},
             {"mailbox", from_info->name},
             {"uids", format_uids(old_uids)},
             {"to", to_info->name},
             {"new_uids", format_uids(new_uids)},
             {"count", std::to_string(old_uids.size())},
             {"source", std::string(source)}});
  return result;
}

}  // namespace roost::mailbox
