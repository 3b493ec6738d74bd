// MailboxView: what one session's selected mailbox looks like to that session (RFC 9051 §2.3.1):
// the ordered UID list (sequence number ↔ UID), the flags the client knows, and the highest
// MODSEQ it has caught up with. Other sessions change the mailbox at any time; the view only
// moves when the session asks:
//   1. unloaded(): SELECT builds it from Store::mailbox_summary() (the mailbox row: counts,
//      UIDNEXT, HIGHESTMODSEQ, keywords), at a cost independent of the mailbox's size;
//   2. load_messages(): the first command that needs sequence numbers or flags reads every
//      message's UID and flags (Store::flag_table(), blocking, off the I/O thread) and the view
//      becomes the mailbox as SELECT described it, still at SELECT's MODSEQ: messages expunged
//      since are back in place and messages added since left out, so the next refresh (step 3)
//      announces both, and the flags changed since, as if the view had been read at SELECT;
//   3. Store::changes_since(view.highest_modseq()) on a worker thread, then apply() the delta;
//   4. take_updates(allow_expunge) when the session may talk: EXPUNGE sequence numbers in the
//      order to send them (each relative to the list after the previous one) and the same
//      messages as UIDs (QRESYNC's VANISHED, RFC 7162 §3.2.10), the new EXISTS count, FETCH
//      FLAGS (with the MODSEQ of the change) for changed messages, and the mailbox FLAGS when
//      keywords appeared.
// Until load_messages() only the mailbox-wide accessors (exists, uidnext, MODSEQs, keywords) may
// be used; an unloaded view has no updates (the session loads it before it refreshes).
// RFC 9051 §7.5.1: EXPUNGE must not be sent while a command that uses sequence numbers runs;
// with allow_expunge = false expunged messages keep their sequence numbers until a later call.
// announced_modseq() is the MODSEQ up to which the client has been told everything (it stays
// behind while an expunge is held back), the only safe HIGHESTMODSEQ to report (RFC 7162).
//
// Built for 1,000,000 messages: flat arrays (UID, system flags, an index into interned keyword
// sets), no allocation per message beyond new distinct keyword sets, and no per-message MODSEQ:
// only pending flag changes carry theirs. Not thread-safe: owned by one session; the blocking
// reads only read what load_messages() needs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "store/store.h"

namespace roost::mailbox {

struct FlagUpdate {
  uint32_t seq = 0;  // sequence number after this batch's expunges
  store::Uid uid = 0;
  store::Flags flags;
  store::ModSeq modseq = 0;  // of the latest change (RFC 7162 FETCH MODSEQ)
  bool operator==(const FlagUpdate&) const = default;
};

struct ViewUpdates {
  std::vector<uint32_t> expunged;                 // "* n EXPUNGE" in this order
  std::vector<store::Uid> vanished;               // the same messages, ascending UIDs
  std::optional<uint32_t> exists;                 // "* n EXISTS" when messages arrived
  std::optional<std::vector<std::string>> flags;  // "* FLAGS (...)": keywords appeared
  std::vector<FlagUpdate> fetch_flags;            // "* n FETCH (FLAGS (...))", ascending seq
  bool empty() const { return expunged.empty() && !exists && !flags && fetch_flags.empty(); }
};

// RFC 7162 §3.2.5: what SELECT/EXAMINE (QRESYNC (...)) tells a client that last saw the mailbox
// at MODSEQ `since`.
struct Resync {
  std::vector<store::Uid> vanished;  // "* VANISHED (EARLIER) ...", ascending
  std::vector<FlagUpdate> changed;   // "* n FETCH (UID FLAGS MODSEQ)", ascending seq
};

class MailboxView;

// From a view SELECT just made and Store::changes_since(`since`) read after it. `known` (the
// client's known-uids) limits both lists; nullopt means every UID. UIDs the view still holds are
// never reported as vanished (their VANISHED comes with the view's updates). An unloaded view
// can answer only when `changes` was read at the view's MODSEQ and has no changed message the
// client wants (needs_messages() says when to load first).
Resync resync(const MailboxView& view, const store::ChangesSince& changes, store::ModSeq since,
              const std::optional<store::UidSet>& known);
// Whether resync() needs the view's messages (sequence numbers) for these changes.
bool needs_messages(const MailboxView& view, const store::ChangesSince& changes,
                    store::ModSeq since, const std::optional<store::UidSet>& known);

class MailboxView {
 public:
  MailboxView() = default;

  // What SELECT tells, without the messages (see above).
  static MailboxView unloaded(const store::MailboxSummary& summary);
  // unloaded() then load_messages(): the whole view at once. Blocking.
  static Result<MailboxView> load(store::Store& store, store::MailboxId mailbox);
  // From data already read (tests): the states are the mailbox at info.highest_modseq.
  static MailboxView from_states(const store::MailboxInfo& info,
                                 std::vector<store::MessageState> states);

  bool loaded() const { return loaded_; }
  // Reads the messages (Store::flag_table since the view's MODSEQ) and adopt()s them. Blocking;
  // the view is unchanged when it fails.
  Status load_messages(store::Store& store);
  // Becomes the mailbox as the view described it, from a table read after it (see above); the
  // caller refreshes next (changes_since(highest_modseq())) to hear what happened since. The
  // flags read are the newest, so every message changed since SELECT gets its FETCH at that
  // refresh, even one changed and changed back (its flags as SELECT saw them are not kept).
  void adopt(store::FlagTable table);

  store::MailboxId mailbox() const { return mailbox_; }
  uint32_t uidvalidity() const { return uidvalidity_; }
  store::Uid uidnext() const { return uidnext_; }
  store::ModSeq highest_modseq() const { return highest_modseq_; }
  // Everything up to this MODSEQ has been told to the client (see above).
  store::ModSeq announced_modseq() const { return announced_modseq_; }

  // Messages the client knows (including expunged ones it has not been told about yet).
  uint32_t exists() const { return loaded_ ? static_cast<uint32_t>(uids_.size()) : selected_; }
  // Messages the client has been told about (EXISTS); the rest arrived since.
  uint32_t announced_exists() const { return loaded_ ? announced_exists_ : selected_; }
  store::Uid uid_at(uint32_t seq) const { return uids_[seq - 1]; }  // 1 <= seq <= exists()
  std::optional<uint32_t> seq_of(store::Uid uid) const;
  uint32_t system_flags_at(uint32_t seq) const { return system_[seq - 1]; }
  store::Flags flags_at(uint32_t seq) const;
  // flags_at() without a copy: the keyword set (interned; 0 = none) and its keywords.
  uint32_t keyword_set_at(uint32_t seq) const { return keyword_of_[seq - 1]; }
  const std::vector<std::string>& keyword_set(uint32_t index) const {
    return keyword_sets_[index];
  }
  bool is_expunged(uint32_t seq) const;  // gone from the store, not yet announced

  // Every keyword in use, sorted (for FLAGS and PERMANENTFLAGS).
  std::vector<std::string> keywords() const;
  // Flag names for FLAGS: the five system flags then the keywords.
  std::vector<std::string> flag_names() const;
  // UIDs (ascending) of messages with every bit of `system` set, skipping expunged ones.
  std::vector<store::Uid> uids_with(uint32_t system) const;

  // Folds a Store::changes_since(highest_modseq()) result into the view.
  void apply(const store::ChangesSince& changes);
  // What to tell the client now. Pending expunges stay pending when !allow_expunge.
  ViewUpdates take_updates(bool allow_expunge);
  bool has_pending() const;
  bool has_pending_expunge() const { return !pending_expunge_.empty(); }

 private:
  uint32_t intern(const std::vector<std::string>& keywords);
  void append_message(const store::MessageState& state);

  store::MailboxId mailbox_ = 0;
  uint32_t uidvalidity_ = 0;
  store::Uid uidnext_ = 1;
  store::ModSeq highest_modseq_ = 0;
  store::ModSeq announced_modseq_ = 0;
  bool loaded_ = false;
  uint32_t selected_ = 0;                   // EXISTS as SELECT told it (until loaded)
  std::vector<std::string> base_keywords_;  // in use at SELECT: FLAGS keeps them

  std::vector<store::Uid> uids_;      // ascending; index = seq - 1
  std::vector<uint32_t> system_;      // store::SystemFlag bits
  std::vector<uint32_t> keyword_of_;  // index into keyword_sets_ (0 = none)
  std::vector<std::vector<std::string>> keyword_sets_{{}};
  std::map<std::vector<std::string>, uint32_t> keyword_index_;
  size_t announced_keyword_sets_ = 1;            // sets already looked at for FLAGS
  std::vector<std::string> announced_keywords_;  // keywords in the last FLAGS sent

  std::vector<store::Uid> pending_expunge_;                          // ascending, still in uids_
  std::vector<std::pair<store::Uid, store::ModSeq>> pending_flags_;  // unsorted, may repeat
  // Changed after SELECT but read by load_messages() with their new flags: pending at next apply.
  std::vector<std::pair<store::Uid, store::ModSeq>> deferred_flags_;
  uint32_t announced_exists_ = 0;
};

}  // namespace roost::mailbox
