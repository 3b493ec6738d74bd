// Ingest: THE one path by which a new message enters the store (STYLE.md convention
// 3): IMAP APPEND, import, later SMTP/LMTP and JMAP all come through here.
//
// Contract:
// - A message is acknowledged (finish()/ingest()/ingest_batch() return ok) only when
//   its blob and its index entry are durable (DESIGN.md "Durability").
// - Calls block on disk and fsync, like Store: call them from a store worker thread.
// - Thread-safe as far as Store is; one IngestWriter must not be shared by two threads.
// - Errors: TooBig (over max_message_size), OverQuota (account quota), NotFound
//   (mailbox), and whatever Store/BlobStore return (Io, Corrupt, Internal...).
// - Every stored message emits one "message.ingest" event (account, mailbox, uid,
//   size, blob, source): the message trace reads these.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/result.h"
#include "mime/message.h"
#include "store/content_hash.h"
#include "store/store.h"

namespace roost::mailbox {

struct IngestOptions {
  uint64_t max_message_size = 64 * 1024 * 1024;  // 0 = unlimited ([limits] max_message_size)
  uint64_t quota_bytes = 0;                      // per account; 0 = unlimited
  uint64_t quota_messages = 0;                   // per account; 0 = unlimited
  mime::ParseLimits parse_limits;
};

// Where a message goes and who brought it, for the quota and the event.
struct Destination {
  store::MailboxId mailbox = 0;
  std::string source;  // protocol or tool: "imap", "import", "lmtp"... (logged as is)
};

// One message as the caller has it: flags and date as given (RFC 9051 APPEND).
struct Incoming {
  std::string bytes;
  store::Flags flags;
  std::optional<int64_t> internal_date;  // unix seconds; nullopt = now
  int32_t internal_date_tz = 0;          // minutes east of UTC
};

struct Delivered {
  uint32_t uidvalidity = 0;
  store::Uid uid = 0;
  store::ModSeq modseq = 0;
  store::BlobRef blob;
};

struct BatchOptions {
  // Import re-runs: a message whose exact bytes are already in the mailbox (or
  // earlier in the same batch) is skipped, not stored twice.
  bool skip_duplicates = false;
};

struct BatchItem {
  enum class Outcome { Stored, Duplicate, Rejected };
  Outcome outcome = Outcome::Stored;
  store::Uid uid = 0;        // Stored: the new UID; Duplicate: the existing one (0 in-batch)
  store::BlobRef blob;       // Stored and Duplicate
  std::optional<Error> why;  // Rejected: per-message refusal (TooBig); nothing was stored
};

struct BatchResult {
  uint32_t uidvalidity = 0;
  std::vector<BatchItem> items;  // in the order given
};

class Ingest;

// Streams one message (a 2 GiB APPEND literal is never held in memory twice).
// Destroying an unfinished writer drops its temporary blob.
class IngestWriter {
 public:
  IngestWriter(const IngestWriter&) = delete;
  IngestWriter& operator=(const IngestWriter&) = delete;

  // TooBig once the total exceeds max_message_size; the writer is then unusable.
  Status write(std::string_view chunk);
  uint64_t size() const;
  // Commits the blob, parses it and appends it: durable when it returns ok.
  Result<Delivered> finish(const store::Flags& flags, std::optional<int64_t> internal_date,
                           int32_t internal_date_tz = 0);
  // MULTIAPPEND (RFC 3502): commits this message's blob and keeps it pending, then starts the
  // next message (size_hint as in Ingest::begin). Nothing reaches the mailbox before
  // finish_all(); a writer dropped before that stores nothing (its committed blobs are left
  // for repair to collect).
  Status next(const store::Flags& flags, std::optional<int64_t> internal_date,
              int32_t internal_date_tz, uint64_t size_hint = 0);
  // Appends the pending messages and this last one in one Store::append: all or none.
  Result<std::vector<Delivered>> finish_all(const store::Flags& flags,
                                            std::optional<int64_t> internal_date,
                                            int32_t internal_date_tz = 0);
  size_t pending() const { return pending_.size(); }  // messages sealed by next()
  void abort();

 private:
  friend class Ingest;
  IngestWriter(Ingest& ingest, Destination to, std::unique_ptr<store::BlobWriter> blob);

  Ingest& ingest_;
  Destination to_;
  std::unique_ptr<store::BlobWriter> blob_;
  bool failed_ = false;
  std::vector<store::NewMessage> pending_;  // sealed by next(), appended by finish_all()
  uint64_t pending_bytes_ = 0;
};

class Ingest {
 public:
  Ingest(store::Store& store, IngestOptions options, const Clock& clock = Clock::system());

  // size_hint (e.g. the IMAP literal size; 0 = unknown) lets TooBig/OverQuota fail
  // before any byte is received.
  Result<std::unique_ptr<IngestWriter>> begin(const Destination& to, uint64_t size_hint = 0);

  // Convenience: begin + write + finish.
  Result<Delivered> ingest(const Destination& to, Incoming message);

  // Many messages, one Store::append (one durable commit) for all that are stored.
  // Per-message refusals (TooBig) are reported in the items and do not fail the
  // batch; anything else (OverQuota, I/O) fails it and stores nothing.
  Result<BatchResult> ingest_batch(const Destination& to, std::vector<Incoming> messages,
                                   const BatchOptions& options = {});

  const IngestOptions& options() const { return options_; }

 private:
  friend class IngestWriter;
  struct Target;  // the mailbox and account names, looked up once per call

  Result<Target> target_of(store::MailboxId mailbox);
  Status check_size(uint64_t size) const;
  Status check_quota(store::AccountId account, uint64_t bytes, uint64_t messages);
  Result<store::NewMessage> prepare(const store::BlobRef& blob, const store::Flags& flags,
                                    std::optional<int64_t> internal_date, int32_t tz);
  void emit(const Target& target, const Destination& to, store::Uid uid,
            const store::BlobRef& blob);
  Result<store::NewMessage> seal(IngestWriter& writer, const Target& target,
                                 const store::Flags& flags, std::optional<int64_t> internal_date,
                                 int32_t tz);
  Status next(IngestWriter& writer, const store::Flags& flags, std::optional<int64_t> internal_date,
              int32_t tz, uint64_t size_hint);
  Result<std::vector<Delivered>> finish(IngestWriter& writer, const store::Flags& flags,
                                        std::optional<int64_t> internal_date, int32_t tz);

  store::Store& store_;
  IngestOptions options_;
  const Clock& clock_;
};

}  // namespace roost::mailbox
