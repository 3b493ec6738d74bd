#include "mailbox/mailbox_view.h"

#include <algorithm>

namespace roost::mailbox {
MailboxView MailboxView::unloaded(const store::MailboxSummary& summary) {
  MailboxView view;
  view.mailbox_ = summary.info.id;
  view.uidvalidity_ = summary.info.uidvalidity;
  view.uidnext_ = summary.info.uidnext;
  view.highest_modseq_ = summary.info.highest_modseq;
  view.announced_modseq_ = summary.info.highest_modseq;
  view.selected_ = summary.info.messages;
  view.base_keywords_ = summary.keywords;
  view.announced_keywords_ = summary.keywords;
  return view;
}

Result<MailboxView> MailboxView::load(store::Store& store, store::MailboxId mailbox) {
  auto summary = store.mailbox_summary(mailbox, false);
  if (!summary) return summary.error();
  MailboxView view = unloaded(*summary);
  ROOST_TRY(view.load_messages(store));
  return view;
}

MailboxView MailboxView::from_states(const store::MailboxInfo& info,
                                     std::vector<store::MessageState> states) {
  store::MailboxSummary summary{info, {}, std::nullopt};
  summary.info.messages = static_cast<uint32_t>(states.size());
  MailboxView view = unloaded(summary);
  store::FlagTable table;
  table.highest_modseq = info.highest_modseq;
  table.uids.reserve(states.size());
  table.system.reserve(states.size());
  table.keyword_set.reserve(states.size());
  for (const store::MessageState& state : states) {
    table.uids.push_back(state.uid);
    table.system.push_back(state.flags.system);
    table.keyword_set.push_back(view.intern(state.flags.keywords));
  }
  table.keyword_sets = view.keyword_sets_;
  view.uidnext_ = std::max<store::Uid>(info.uidnext, states.empty() ? 1 : states.back().uid + 1);
  view.adopt(std::move(table));
  return view;
}

Status MailboxView::load_messages(store::Store& store) {
  if (loaded_) return ok();
  auto table = store.flag_table(mailbox_, highest_modseq_);
  if (!table) return table.error();
  adopt(std::move(*table));
  return ok();
}

void MailboxView::adopt(store::FlagTable table) {
  // The view stays at SELECT's MODSEQ, so the next changes_since() announces what happened since
  // as a refresh would have: only the messages SELECT counted (those below its UIDNEXT; later
  // ones come back as new), and those expunged since back in their place (tombstones are kept
  // as long as the mailbox), with no flags: they are expunged before anyone looks.
  size_t counted = static_cast<size_t>(
      std::lower_bound(table.uids.begin(), table.uids.end(), uidnext_) - table.uids.begin());
  table.uids.resize(counted);
  table.system.resize(counted);
  table.keyword_set.resize(counted);
  std::vector<store::Uid> gone;
  for (store::Uid uid : table.expunged) {
    if (uid < uidnext_ && !std::binary_search(table.uids.begin(), table.uids.end(), uid)) {
      gone.push_back(uid);
    }
  }
  if (gone.empty()) {
    uids_ = std::move(table.uids);
    system_ = std::move(table.system);
    keyword_of_ = std::move(table.keyword_set);
  } else {
    size_t total = table.uids.size() + gone.size();
    uids_.clear();
    system_.clear();
    keyword_of_.clear();
    uids_.reserve(total);
    system_.reserve(total);
    keyword_of_.reserve(total);
    size_t g = 0;
    for (size_t i = 0; i <= table.uids.size(); ++i) {
      store::Uid next = i < table.uids.size() ? table.uids[i] : UINT32_MAX;
      for (; g < gone.size() && gone[g] < next; ++g) {
        uids_.push_back(gone[g]);
        system_.push_back(0);
        keyword_of_.push_back(0);
      }
      if (i == table.uids.size()) break;
      uids_.push_back(table.uids[i]);
      system_.push_back(table.system[i]);
      keyword_of_.push_back(table.keyword_set[i]);
    }
  }
  keyword_sets_ = std::move(table.keyword_sets);
  if (keyword_sets_.empty()) keyword_sets_.push_back({});
  keyword_index_.clear();
  for (uint32_t i = 1; i < keyword_sets_.size(); ++i) keyword_index_.emplace(keyword_sets_[i], i);
  for (const auto& [uid, modseq] : table.changed) {
    if (uid < uidnext_) deferred_flags_.emplace_back(uid, modseq);
  }
  announced_exists_ = static_cast<uint32_t>(uids_.size());
  announced_keyword_sets_ = 1;  // compare the keywords once: FLAGS goes out if some are new
  selected_ = 0;
  loaded_ = true;
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
  std::vector<std::string> out = base_keywords_;
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

void MailboxView::apply(const store::ChangesSince& changes) {
  for (const auto& [uid, modseq] : deferred_flags_) {
    if (seq_of(uid)) pending_flags_.emplace_back(uid, modseq);
  }
  deferred_flags_.clear();
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
  if (!loaded_) return false;
  return !pending_expunge_.empty() || !pending_flags_.empty() || exists() != announced_exists_ ||
         keyword_sets_.size() != announced_keyword_sets_;
}

ViewUpdates MailboxView::take_updates(bool allow_expunge) {
  ViewUpdates out;
  if (!loaded_) return out;  // frozen as SELECT told it until load_messages()
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

namespace {

bool wanted(const std::optional<store::UidSet>& known, store::Uid uid) {
  return !known || store::contains(*known, uid);
}

}  // namespace

bool needs_messages(const MailboxView& view, const store::ChangesSince& changes,
                    store::ModSeq since, const std::optional<store::UidSet>& known) {
  if (view.loaded()) return false;
  if (changes.highest_modseq != view.highest_modseq()) return true;  // not SELECT's snapshot
  return std::any_of(
      changes.changed.begin(), changes.changed.end(),
      [&](const store::MessageState& s) { return s.modseq > since && wanted(known, s.uid); });
}

Resync resync(const MailboxView& view, const store::ChangesSince& changes, store::ModSeq since,
              const std::optional<store::UidSet>& known) {
  Resync out;
  if (view.loaded()) {
    for (const store::MessageState& s : changes.changed) {
      if (s.modseq <= since || !wanted(known, s.uid)) continue;
      auto seq = view.seq_of(s.uid);
      // Arrived after SELECT (EXISTS tells it) or expunged since (VANISHED will): no FETCH.
      if (!seq || *seq > view.announced_exists() || view.is_expunged(*seq)) continue;
      out.changed.push_back({*seq, s.uid, s.flags, s.modseq});
    }
  }
  for (store::Uid uid : changes.expunged) {
    // Expunged after SELECT's snapshot: the view still has it and announces it later.
    if (wanted(known, uid) && !(view.loaded() && view.seq_of(uid))) out.vanished.push_back(uid);
  }
  std::sort(out.vanished.begin(), out.vanished.end());
  out.vanished.erase(std::unique(out.vanished.begin(), out.vanished.end()), out.vanished.end());
  return out;
}

}  // namespace roost::mailbox
