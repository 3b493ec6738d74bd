#include "imap/message_loader.h"

#include <algorithm>

#include "imap/parsed_cache.h"
#include "imap/proto/response_writer.h"
#include "imap/session.h"

namespace roost::imap {

namespace {

// First sequence number whose UID is >= uid (exists() + 1 when none).
uint32_t lower_seq(const mailbox::MailboxView& view, store::Uid uid) {
  uint32_t lo = 1, hi = view.exists() + 1;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (view.uid_at(mid) < uid) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
}

void add_uid_ranges(const mailbox::MailboxView& view, const std::vector<SeqRange>& ranges,
                    std::vector<MessageTarget>& out) {
  for (const SeqRange& r : ranges) {
    for (uint32_t seq = lower_seq(view, r.first);
         seq <= view.exists() && view.uid_at(seq) <= r.last; ++seq) {
      out.push_back({seq, view.uid_at(seq)});
    }
  }
}

}  // namespace

Result<std::vector<MessageTarget>> resolve_targets(const mailbox::MailboxView& view,
                                                   const SequenceSet& set, bool uids,
                                                   const std::vector<SeqRange>& saved) {
  std::vector<MessageTarget> out;
  if (set.is_saved_result()) {
    add_uid_ranges(view, saved, out);  // RFC 5182 §2.1: '$' holds UIDs in both forms
    return out;
  }
  uint32_t exists = view.exists();
  if (uids) {
    uint32_t max_uid = exists == 0 ? 0 : view.uid_at(exists);
    if (exists == 0) return out;
    add_uid_ranges(view, set.resolve(max_uid), out);
    return out;
  }
  if (exists == 0) return make_error(ErrorKind::Syntax, "No messages in the mailbox");
  std::vector<SeqRange> ranges = set.resolve(exists);
  size_t count = 0;
  for (const SeqRange& r : ranges) {
    if (r.first == 0 || r.last > exists) {
      return make_error(ErrorKind::Syntax, "Message sequence number out of range");
    }
    count += r.last - r.first + 1;
  }
  out.reserve(std::min<size_t>(count, exists));  // 1:* of 200,000: no growth by doubling
  for_each_number(ranges, [&](uint32_t seq) { out.push_back({seq, view.uid_at(seq)}); });
  return out;
}

std::vector<MessageTarget> all_targets(const mailbox::MailboxView& view) {
  std::vector<MessageTarget> out;
  out.reserve(view.exists());
  for (uint32_t seq = 1; seq <= view.exists(); ++seq) out.push_back({seq, view.uid_at(seq)});
  return out;
}

Result<std::vector<std::optional<store::MessageEntry>>> MessageLoader::entries(
    const std::vector<MessageTarget>& targets) {
  std::vector<store::Uid> uids;
  uids.reserve(targets.size());
  for (const MessageTarget& t : targets) uids.push_back(t.uid);
  std::sort(uids.begin(), uids.end());
  auto listed = store_.list_messages(mailbox_, store::uid_set_of(uids));
  if (!listed) return listed.error();
  std::sort(
      listed->begin(), listed->end(),
      [](const store::MessageEntry& a, const store::MessageEntry& b) { return a.uid < b.uid; });
  std::vector<std::optional<store::MessageEntry>> out;
  out.reserve(targets.size());
  for (const MessageTarget& t : targets) {
    auto it =
        std::lower_bound(listed->begin(), listed->end(), t.uid,
                         [](const store::MessageEntry& e, store::Uid uid) { return e.uid < uid; });
    if (it != listed->end() && it->uid == t.uid) {
      out.emplace_back(*it);
    } else {
      out.emplace_back(std::nullopt);
    }
  }
  return out;
}

Result<const mime::ParsedMessage*> MessageLoader::parsed(const store::MessageEntry& entry) {
  auto it = parsed_.find(entry.blob.id);
  if (it != parsed_.end()) return it->second.get();
  if (cache_ != nullptr) {
    if (auto shared = cache_->find(entry.blob.id)) {
      const mime::ParsedMessage* raw = shared.get();
      parsed_.emplace(entry.blob.id, std::move(shared));
      return raw;
    }
  }
  std::string serialized;
  if (auto read = serialized_.find(entry.blob.id); read != serialized_.end()) {
    serialized = std::move(read->second);
    serialized_.erase(read);
  } else {
    auto stored = store_.parsed_of(entry.blob.id);
    if (!stored) return stored.error();
    serialized = std::move(*stored);
  }
  auto message = mime::deserialize(serialized);
  if (!message) return message.error();
  auto owned = std::make_shared<const mime::ParsedMessage>(std::move(*message));
  const mime::ParsedMessage* raw = owned.get();
  if (cache_ != nullptr) cache_->add(entry.blob.id, owned, serialized.size());
  parsed_.emplace(entry.blob.id, std::move(owned));
  return raw;
}

Status MessageLoader::load_parsed(const std::vector<std::optional<store::MessageEntry>>& entries) {
  std::vector<std::string> ids;
  for (const auto& entry : entries) {
    if (!entry) continue;
    const std::string& id = entry->blob.id;
    if (parsed_.contains(id) || serialized_.contains(id)) continue;
    if (cache_ != nullptr) {
      if (auto shared = cache_->find(id)) {  // held for this batch even if evicted meanwhile
        parsed_.emplace(id, std::move(shared));
        continue;
      }
    }
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return ok();
  auto serialized = store_.parsed_of_many(ids);
  if (!serialized) return serialized.error();
  for (size_t i = 0; i < ids.size(); ++i) serialized_.emplace(ids[i], std::move((*serialized)[i]));
  return ok();
}

Status MessageLoader::load_headers(const std::vector<std::optional<store::MessageEntry>>& entries) {
  std::vector<store::Uid> uids;
  for (const auto& entry : entries) {
    if (entry) uids.push_back(entry->uid);
  }
  std::sort(uids.begin(), uids.end());
  auto headers = store_.headers(mailbox_, store::uid_set_of(uids));
  if (!headers) return headers.error();
  headers_ = std::move(*headers);
  return ok();
}

std::optional<std::string_view> MessageLoader::header(const store::MessageEntry& entry) const {
  auto it = std::lower_bound(
      headers_.begin(), headers_.end(), entry.uid,
      [](const std::pair<store::Uid, std::string>& h, store::Uid uid) { return h.first < uid; });
  if (it == headers_.end() || it->first != entry.uid) return std::nullopt;
  return std::string_view(it->second);
}

Status MessageLoader::load_bytes(const std::vector<std::optional<store::MessageEntry>>& entries,
                                 size_t from, size_t count) {
  std::vector<std::string> ids;
  for (size_t i = from; i < entries.size() && i - from < count; ++i) {
    if (entries[i] && !bytes_.contains(entries[i]->blob.id)) ids.push_back(entries[i]->blob.id);
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return ok();
  auto read = store_.blobs().read_many(ids);
  for (size_t i = 0; i < ids.size(); ++i) {
    if (read[i]) bytes_.emplace(ids[i], std::move(*read[i]));
  }
  return ok();
}

Result<std::string_view> MessageLoader::bytes(const store::MessageEntry& entry) {
  auto mapped = mapping(entry);
  if (!mapped) return mapped.error();
  return (*mapped)->bytes();
}

Result<std::shared_ptr<const MappedFile>> MessageLoader::mapping(const store::MessageEntry& entry) {
  auto it = bytes_.find(entry.blob.id);
  if (it != bytes_.end()) return it->second;
  auto mapped = store_.blobs().read(entry.blob.id);
  if (!mapped) return mapped.error();
  bytes_.emplace(entry.blob.id, *mapped);
  return *mapped;
}

mailbox::ViewUpdates take_own_flag_changes(Session& session,
                                           const std::vector<store::FlagChange>& changes) {
  SelectedMailbox* selected = session.selected();
  if (!selected || changes.empty()) return {};
  store::ChangesSince own;
  own.changed.reserve(changes.size());
  for (const store::FlagChange& c : changes) own.changed.push_back({c.uid, c.modseq, c.flags});
  own.highest_modseq = 0;  // keeps the view's own: others' changes still come in at refresh()
  selected->view.apply(own);
  return selected->view.take_updates(false);
}

void write_flags_update(std::string& out, const mailbox::ViewUpdates& updates) {
  if (!updates.flags) return;
  out += "* FLAGS ";
  write_flag_list(out, *updates.flags);
  out += "\r\n";
}

}  // namespace roost::imap
