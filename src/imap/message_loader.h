// Session-side helpers shared by FETCH, STORE, SEARCH, SORT and THREAD: turning a client's
// sequence set into (seq, UID) targets of the selected MailboxView, loading the store data of a
// batch of messages (entries, parsed structure, bytes) on a BlockingExecutor thread, and folding
// the session's own flag changes into its view so they are not echoed a second time.
// MessageLoader is blocking: use it only inside BlockingExecutor::run, one thread at a time.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/env.h"
#include "base/result.h"
#include "imap/proto/sequence_set.h"
#include "mailbox/mailbox_view.h"
#include "mime/message.h"
#include "store/store.h"

namespace roost::imap {

class ParsedCache;
class Session;

struct MessageTarget {
  uint32_t seq = 0;
  store::Uid uid = 0;
};

// Ascending targets of `set` in `view`. Sequence numbers outside 1..exists() fail with Syntax
// (the client answers BAD); UIDs not in the view are silently ignored (RFC 9051 §6.4.9).
// '$' (RFC 5182) uses `saved` (UIDs), empty when nothing was saved.
Result<std::vector<MessageTarget>> resolve_targets(const mailbox::MailboxView& view,
                                                   const SequenceSet& set, bool uids,
                                                   const std::vector<SeqRange>& saved);

// All messages of the view as targets (SEARCH, SORT, THREAD).
std::vector<MessageTarget> all_targets(const mailbox::MailboxView& view);

// Blocking reads of one mailbox's messages. Parsed messages and byte mappings are cached per
// blob for the lifetime of the loader (one batch); entries are read one batch at a time.
class MessageLoader {
 public:
  // `cache`: decoded structures shared with other loaders (nullptr = this loader's own only).
  MessageLoader(store::Store& store, store::MailboxId mailbox, ParsedCache* cache = nullptr)
      : store_(store), mailbox_(mailbox), cache_(cache) {}

  // Entries of `targets` by UID, in the order given; missing (expunged) ones are nullopt.
  Result<std::vector<std::optional<store::MessageEntry>>> entries(
      const std::vector<MessageTarget>& targets);
  Result<const mime::ParsedMessage*> parsed(const store::MessageEntry& entry);
  // Reads the parsed messages of these entries (nullopt ones skipped) in one store call, so
  // parsed() finds them cached: one read per batch, not one per message. Each is decoded only
  // when parsed() asks for it.
  Status load_parsed(const std::vector<std::optional<store::MessageEntry>>& entries);
  // Reads the header blocks the index kept for these entries in one store call (HEADER keys).
  Status load_headers(const std::vector<std::optional<store::MessageEntry>>& entries);
  // The kept header block of a loaded entry; nullopt when not kept or not loaded (read the blob).
  // Valid until the next load_headers().
  std::optional<std::string_view> header(const store::MessageEntry& entry) const;
  Result<std::string_view> bytes(const store::MessageEntry& entry);
  // Reads the bytes of entries[from, from + count) (nullopt ones skipped) in one store call, so
  // bytes() and mapping() find them cached. A blob that cannot be read is left for bytes() to
  // report.
  Status load_bytes(const std::vector<std::optional<store::MessageEntry>>& entries, size_t from = 0,
                    size_t count = SIZE_MAX);
  // The mapping bytes() views, for a caller that uses the bytes after the loader is gone.
  Result<std::shared_ptr<const MappedFile>> mapping(const store::MessageEntry& entry);

 private:
  store::Store& store_;
  store::MailboxId mailbox_;
  ParsedCache* cache_;
  std::map<std::string, std::shared_ptr<const mime::ParsedMessage>> parsed_;
  std::map<std::string, std::string> serialized_;  // read by load_parsed(), not yet decoded
  std::map<std::string, std::shared_ptr<const MappedFile>> bytes_;
  std::vector<std::pair<store::Uid, std::string>> headers_;  // by UID, from load_headers()
};

// Folds flag changes this session just made into its view, then takes the updates they cause
// (the caller writes them, or drops the FETCH FLAGS it reports itself). Call
// Session::write_updates() first so no one else's pending update is taken here.
mailbox::ViewUpdates take_own_flag_changes(Session& session,
                                           const std::vector<store::FlagChange>& changes);

// "* FLAGS (...)" when keywords appeared (RFC 9051 §7.3.5).
void write_flags_update(std::string& out, const mailbox::ViewUpdates& updates);

}  // namespace roost::imap
