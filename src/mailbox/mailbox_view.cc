#include "mailbox/mailbox_view.h"

#include <algorithm>

namespace roost::mailbox {
Result<MailboxView> MailboxView::load(store::Store& store, store::MailboxId mailbox) {
  // Info before states: changes between the two reads come back in the first changes_since.
  auto info = store.get_mailbox(mailbox);
  if (!info) return info.error();
  auto states = store.message_states(mailbox);
  if (!states) return states.error();
  return from_states(*info, std::move(*states));
}

MailboxView MailboxView::from_states(const store::MailboxInfo& info,
                                     std::vector<store::MessageState> states) {
  MailboxView view;
  view.mailbox_ = info.id;
  view.uidvalidity_ = info.uidvalidity;
  view.uidnext_ = info.uidnext;
  view.highest_modseq_ = info.highest_modseq;
  view.announced_modseq_ = info.highest_modseq;
  view.uids_.reserve(states.size());
  view.system_.reserve(states.size());
  view.keyword_of_.reserve(states.size());
  for (const store::MessageState& state : states) view.append_message(state);
  view.announced_exists_ = view.exists();
  view.announced_keyword_sets_ = view.keyword_sets_.size();
  view.announced_keywords_ = view.keywords();
  return view;
}

uint32_t MailboxView::intern(const std::vector<std::string>& keywords) {
  if (keywords.empty()) return 0;
  auto [it, inserted] =
      keyword_index_.try_emplace(keywords, static_cast<uint32_t>(keyword_sets_.size()));
  if (inserted) keyword_sets_.push_back(keywords);
  return it->second;
}

void MailboxView::append_message(const store::MessageState& state) {
  uids_.push_back(state.uid);
  system_.push_back(state.flags.system);
  keyword_of_.push_back(intern(state.flags.keywords));
  if (state.uid >= uidnext_) uidnext_ = state.uid + 1;
}

std::optional<uint32_t> MailboxView::seq_of(store::Uid uid) const {
  auto it = std::lower_bound(uids_.begin(), uids_.end(), uid);
  if (it == uids_.end() || *it != uid) return std::nullopt;
  return static_cast<uint32_t>(it - uids_.begin()) + 1;
}

store::Flags MailboxView::flags_at(uint32_t seq) const {
  return store::Flags{system_[seq - 1], keyword_sets_[keyword_of_[seq - 1]]};
}

bool MailboxView::is_expunged(uint32_t seq) const {
  return std::binary_search(pending_expunge_.begin(), pending_expunge_.end(), uids_[seq - 1]);
}

std::vector<std::string> MailboxView::keywords() const {
  std::vector<std::string> out;
  for (const auto& set : keyword_sets_) out.insert(out.end(), set.begin(), set.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> MailboxView::flag_names() const {
  std::vector<std::string> out = {"\\Answered", "\\Flagged", "\\Deleted", "\\Seen", "\\Draft"};
  for (std::string& k : keywords()) out.push_back(std::move(k));
  return out;
}

std::vector<store::Uid> MailboxView::uids_with(uint32_t system) const {
  std::vector<store::Uid> out;
  for (size_t i = 0; i < uids_.size(); ++i) {
    if ((system_[i] & system) != system) continue;
    if (std::binary_search(pending_expunge_.begin(), pending_expunge_.end(), uids_[i])) continue;
    out.push_back(uids_[i]);
  }
  return out;
}

std::optional<uint32_t> MailboxView::first_unseen() const {
  for (size_t i = 0; i < system_.size(); ++i) {
    if (!(system_[i] & store::kSeen)) return static_cast<uint32_t>(i) + 1;
  }
  return std::nullopt;
}

void MailboxView::apply(const store::ChangesSince& changes) {
  for (const store::MessageState& state : changes.changed) {
    if (uids_.empty() || state.uid > uids_.back()) {
      append_message(state);  // new since we last looked: announced as EXISTS, not FETCH
      continue;
    }
    auto seq = seq_of(state.uid);
    if (!seq || is_expunged(*seq)) continue;
    size_t i = *seq - 1;
    uint32_t kw = intern(state.flags.keywords);
    if (system_[i] == state.flags.system && keyword_of_[i] == kw) continue;
    system_[i] = state.flags.system;
    keyword_of_[i] = kw;
    pending_flags_.emplace_back(state.uid, state.modseq);
  }
  std::vector<store::Uid> gone;
  for (store::Uid uid : changes.expunged) {
    if (!seq_of(uid)) continue;  // appended and expunged before we ever saw it
    if (std::binary_search(pending_expunge_.begin(), pending_expunge_.end(), uid)) continue;
    gone.push_back(uid);
  }
  if (!gone.empty()) {
    std::sort(gone.begin(), gone.end());
    std::vector<store::Uid> merged;
    merged.reserve(pending_expunge_.size() + gone.size());
    std::merge(pending_expunge_.begin(), pending_expunge_.end(), gone.begin(), gone.end(),
               std::back_inserter(merged));
    pending_expunge_ = std::move(merged);
  }
  highest_modseq_ = std::max(highest_modseq_, changes.highest_modseq);
}

bool MailboxView::has_pending() const {
  return !pending_expunge_.empty() || !pending_flags_.empty() || exists() != announced_exists_ ||
         keyword_sets_.size() != announced_keyword_sets_;
}

ViewUpdates MailboxView::take_updates(bool allow_expunge) {
  ViewUpdates out;
  if (allow_expunge && !pending_expunge_.empty()) {
    // RFC 9051 §7.5.2: each EXPUNGE renumbers the messages after it, so ascending UIDs are
    // announced at (index - already removed); one compaction pass keeps this O(n).
    // A message that arrived and went before its EXISTS was sent is dropped without a word.
    size_t write = 0, next_gone = 0;
    for (size_t read = 0; read < uids_.size(); ++read) {
      if (next_gone < pending_expunge_.size() && uids_[read] == pending_expunge_[next_gone]) {
        if (read < announced_exists_) {
          out.expunged.push_back(static_cast<uint32_t>(write) + 1);
          out.vanished.push_back(uids_[read]);
        }
        ++next_gone;
        continue;
      }
      uids_[write] = uids_[read];
      system_[write] = system_[read];
      keyword_of_[write] = keyword_of_[read];
      ++write;
    }
    uids_.resize(write);
    system_.resize(write);
    keyword_of_.resize(write);
    announced_exists_ -= static_cast<uint32_t>(out.expunged.size());
    pending_expunge_.clear();
  }
  if (exists() > announced_exists_) out.exists = exists();
  announced_exists_ = exists();
  if (keyword_sets_.size() != announced_keyword_sets_) {
    announced_keyword_sets_ = keyword_sets_.size();
    std::vector<std::string> now = keywords();
    if (now != announced_keywords_) {
      announced_keywords_ = now;
      out.flags = flag_names();
    }
  }
  if (!pending_flags_.empty()) {
    // Ascending UID, and for each UID its latest change (the highest MODSEQ) last.
    std::sort(pending_flags_.begin(), pending_flags_.end());
    for (size_t i = 0; i < pending_flags_.size(); ++i) {
      auto [uid, modseq] = pending_flags_[i];
      if (i + 1 < pending_flags_.size() && pending_flags_[i + 1].first == uid) continue;
      auto seq = seq_of(uid);
      if (!seq) continue;
      if (is_expunged(*seq)) continue;  // its EXPUNGE comes later; no flags needed
      out.fetch_flags.push_back({*seq, uid, flags_at(*seq), modseq});
    }
    pending_flags_.clear();
  }
  if (pending_expunge_.empty()) announced_modseq_ = highest_modseq_;
  return out;
}

Resync resync(const std::vector<store::MessageState>& states,
              const std::vector<store::Uid>& expunged, store::ModSeq since,
              const std::optional<store::UidSet>& known) {
  auto wanted = [&](store::Uid uid) { return !known || store::contains(*known, uid); };
  Resync out;
  for (size_t i = 0; i < states.size(); ++i) {
    const store::MessageState& s = states[i];
    if (s.modseq > since && wanted(s.uid)) {
      out.changed.push_back({static_cast<uint32_t>(i) + 1, s.uid, s.flags, s.modseq});
    }
  }
  auto present = [&](store::Uid uid) {
    auto it =
        std::lower_bound(states.begin(), states.end(), uid,
                         [](const store::MessageState& s, store::Uid u) { return s.uid < u; });
    return it != states.end() && it->uid == uid;
  };
  for (store::Uid uid : expunged) {
    // Expunged after the states were read: the view still has it and announces it later.
    if (wanted(uid) && !present(uid)) out.vanished.push_back(uid);
  }
  std::sort(out.vanished.begin(), out.vanished.end());
  out.vanished.erase(std::unique(out.vanished.begin(), out.vanished.end()), out.vanished.end());
  return out;
}

}  // namespace roost::mailbox
