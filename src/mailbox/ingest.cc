#include "mailbox/ingest.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "base/log.h"

namespace roost::mailbox {

struct Ingest::Target {
  store::MailboxInfo mailbox;
  std::string account_name;
};

// --- IngestWriter ---

IngestWriter::IngestWriter(Ingest& ingest, Destination to, std::unique_ptr<store::BlobWriter> blob)
    : ingest_(ingest), to_(std::move(to)), blob_(std::move(blob)) {}

Status IngestWriter::write(std::string_view chunk) {
  if (failed_ || !blob_) return make_error(ErrorKind::Internal, "message already finished");
  auto size_ok = ingest_.check_size(blob_->size() + chunk.size());
  if (!size_ok) {
    abort();
    failed_ = true;
    return size_ok;
  }
  auto written = blob_->write(chunk);
  if (!written) {
    abort();
    failed_ = true;
  }
  return written;
}

uint64_t IngestWriter::size() const { return blob_ ? blob_->size() : 0; }

Result<Delivered> IngestWriter::finish(const store::Flags& flags,
                                       std::optional<int64_t> internal_date,
                                       int32_t internal_date_tz) {
  if (!pending_.empty()) return make_error(ErrorKind::Internal, "use finish_all after next");
  auto all = finish_all(flags, internal_date, internal_date_tz);
  if (!all) return all.error();
  return all->front();
}

Status IngestWriter::next(const store::Flags& flags, std::optional<int64_t> internal_date,
                          int32_t internal_date_tz, uint64_t size_hint) {
  if (failed_ || !blob_) return make_error(ErrorKind::Internal, "message already finished");
  Status st = ingest_.next(*this, flags, internal_date, internal_date_tz, size_hint);
  if (!st) {
    abort();
    failed_ = true;
  }
  return st;
}

Result<std::vector<Delivered>> IngestWriter::finish_all(const store::Flags& flags,
                                                        std::optional<int64_t> internal_date,
                                                        int32_t internal_date_tz) {
  if (failed_ || !blob_) return make_error(ErrorKind::Internal, "message already finished");
  return ingest_.finish(*this, flags, internal_date, internal_date_tz);
}

void IngestWriter::abort() {
  if (blob_) blob_->abort();
  blob_.reset();
}

// --- Ingest ---

Ingest::Ingest(store::Store& store, IngestOptions options, const Clock& clock)
    : store_(store), options_(std::move(options)), clock_(clock) {}

Result<Ingest::Target> Ingest::target_of(store::MailboxId mailbox) {
  auto info = store_.get_mailbox(mailbox);
  if (!info) return info.error();
  auto account = store_.get_account(info->account);
  if (!account) return account.error();
  return Target{std::move(*info), account->name};
}

Status Ingest::check_size(uint64_t size) const {
  if (options_.max_message_size != 0 && size > options_.max_message_size) {
    return make_error(ErrorKind::TooBig, "message exceeds the maximum message size",
                      std::to_string(size) + " > " + std::to_string(options_.max_message_size));
  }
  return ok();
}

Status Ingest::check_quota(store::AccountId account, uint64_t bytes, uint64_t messages) {
  if (options_.quota_bytes == 0 && options_.quota_messages == 0) return ok();
  auto usage = store_.usage(account);
  if (!usage) return usage.error();
  if (options_.quota_bytes != 0 && usage->bytes + bytes > options_.quota_bytes) {
    return make_error(ErrorKind::OverQuota, "mailbox storage quota exceeded",
                      std::to_string(usage->bytes) + " + " + std::to_string(bytes) + " > " +
                          std::to_string(options_.quota_bytes));
  }
  if (options_.quota_messages != 0 && usage->messages + messages > options_.quota_messages) {
    return make_error(ErrorKind::OverQuota, "mailbox message quota exceeded",
                      std::to_string(usage->messages) + " + " + std::to_string(messages) + " > " +
                          std::to_string(options_.quota_messages));
  }
  return ok();
}

namespace {

// Bigger header blocks (rare: thousands of Received lines) are not copied into the index.
constexpr uint64_t kMaxKeptHeader = 64 * 1024;

// What the store keeps of a parsed message: the serialized structure, and for SORT and SEARCH
// HEADER the sent date and the top-level header block (unless huge: those read the blob).
void describe(store::NewMessage& message, std::string_view bytes, const mime::ParsedMessage& p) {
  message.parsed = mime::serialize(p);
  message.sent_date = p.date_unix;
  if (!p.parts.empty() && p.parts[0].header_offset == 0 &&
      p.parts[0].header_size <= std::min<uint64_t>(kMaxKeptHeader, bytes.size())) {
    message.header = std::string(bytes.substr(0, p.parts[0].header_size));
  }
}

}  // namespace

Result<store::NewMessage> Ingest::prepare(const store::BlobRef& blob, const store::Flags& flags,
                                          std::optional<int64_t> internal_date, int32_t tz) {
  // Parse from the stored bytes (mmap), so a streamed message is never held twice; pages the
  // parser has read through are dropped, so a 2 GiB message is never resident whole either.
  auto mapped = store_.blobs().read(blob.id);
  if (!mapped) return mapped.error();
  const MappedFile& file = **mapped;
  store::NewMessage message;
  message.blob = blob;
  describe(
      message, file.bytes(),
      mime::parse(file.bytes(), options_.parse_limits,
                  [&file](uint64_t offset, uint64_t length) { file.release(offset, length); }));
  message.flags = flags;
  store::normalize(message.flags);
  message.internal_date = internal_date.value_or(clock_.now_unix());
  message.internal_date_tz = tz;
  return message;
}

void Ingest::emit(const Target& target, const Destination& to, store::Uid uid,
                  const store::BlobRef& blob) {
  log::info("message.ingest", {{"account", target.account_name},
                               {"mailbox", target.mailbox.name},
                               {"uid", std::to_string(uid)},
                               {"size", std::to_string(blob.size)},
                               {"blob", blob.id},
                               {"source", to.source}});
}

Result<std::unique_ptr<IngestWriter>> Ingest::begin(const Destination& to, uint64_t size_hint) {
  ROOST_TRY(check_size(size_hint));
  auto target = target_of(to.mailbox);
  if (!target) return target.error();
  ROOST_TRY(check_quota(target->mailbox.account, size_hint, 1));
  auto blob = store_.blobs().begin();
  if (!blob) return blob.error();
  return std::unique_ptr<IngestWriter>(new IngestWriter(*this, to, std::move(*blob)));
}

Result<store::NewMessage> Ingest::seal(IngestWriter& writer, const Target& target,
                                       const store::Flags& flags,
                                       std::optional<int64_t> internal_date, int32_t tz) {
  // The quota is checked again with the real sizes: the hints may have been 0.
  uint64_t size = writer.blob_->size();
  ROOST_TRY(check_quota(target.mailbox.account, writer.pending_bytes_ + size,
                        writer.pending_.size() + 1));
  auto blob = writer.blob_->commit();
  writer.blob_.reset();
  writer.failed_ = true;  // until next() gives the writer a fresh blob
  if (!blob) return blob.error();
  writer.pending_bytes_ += size;
  return prepare(*blob, flags, internal_date, tz);
}

Status Ingest::next(IngestWriter& writer, const store::Flags& flags,
                    std::optional<int64_t> internal_date, int32_t tz, uint64_t size_hint) {
  auto target = target_of(writer.to_.mailbox);
  if (!target) return target.error();
  auto message = seal(writer, *target, flags, internal_date, tz);
  if (!message) return message.error();
  writer.pending_.push_back(std::move(*message));
  ROOST_TRY(check_size(size_hint));
  ROOST_TRY(check_quota(target->mailbox.account, writer.pending_bytes_ + size_hint,
                        writer.pending_.size() + 1));
  auto blob = store_.blobs().begin();
  if (!blob) return blob.error();
  writer.blob_ = std::move(*blob);
  writer.failed_ = false;
  return ok();
}

Result<std::vector<Delivered>> Ingest::finish(IngestWriter& writer, const store::Flags& flags,
                                              std::optional<int64_t> internal_date, int32_t tz) {
  auto target = target_of(writer.to_.mailbox);
  if (!target) return target.error();
  auto message = seal(writer, *target, flags, internal_date, tz);
  if (!message) return message.error();
  std::vector<store::NewMessage> messages = std::move(writer.pending_);
  writer.pending_.clear();
  messages.push_back(std::move(*message));
  std::vector<store::BlobRef> blobs;
  for (const store::NewMessage& m : messages) blobs.push_back(m.blob);
  auto appended = store_.append(writer.to_.mailbox, std::move(messages));
  if (!appended) return appended.error();
  if (appended->messages.size() != blobs.size()) {
    return make_error(ErrorKind::Internal, "store appended an unexpected number of messages");
  }
  std::vector<Delivered> out;
  for (size_t i = 0; i < blobs.size(); ++i) {
    const store::Appended& a = appended->messages[i];
    emit(*target, writer.to_, a.uid, blobs[i]);
    out.push_back({appended->uidvalidity, a.uid, a.modseq, blobs[i]});
  }
  return out;
}

Result<Delivered> Ingest::ingest(const Destination& to, Incoming message) {
  auto writer = begin(to, message.bytes.size());
  if (!writer) return writer.error();
  ROOST_TRY((*writer)->write(message.bytes));
  return (*writer)->finish(message.flags, message.internal_date, message.internal_date_tz);
}

Result<BatchResult> Ingest::ingest_batch(const Destination& to, std::vector<Incoming> messages,
                                         const BatchOptions& options) {
  auto target = target_of(to.mailbox);
  if (!target) return target.error();

  BatchResult result;
  result.uidvalidity = target->mailbox.uidvalidity;
  result.items.resize(messages.size());

  // Pass 1: decide which messages are stored, before any blob is written.
  std::unordered_map<std::string, size_t> in_batch;  // blob id -> first index
  uint64_t new_bytes = 0, new_count = 0;
  for (size_t i = 0; i < messages.size(); ++i) {
    BatchItem& item = result.items[i];
    auto size_ok = check_size(messages[i].bytes.size());
    if (!size_ok) {
      item.outcome = BatchItem::Outcome::Rejected;
      item.why = size_ok.error();
      continue;
    }
    if (options.skip_duplicates) {
      item.blob = {store::content_id(messages[i].bytes), messages[i].bytes.size()};
      if (!in_batch.emplace(item.blob.id, i).second) {
        item.outcome = BatchItem::Outcome::Duplicate;
        continue;
      }
      auto existing = store_.find_by_blob(to.mailbox, item.blob.id);
      if (!existing) return existing.error();
      if (*existing) {
        item.outcome = BatchItem::Outcome::Duplicate;
        item.uid = **existing;
        continue;
      }
    }
    new_bytes += messages[i].bytes.size();
    ++new_count;
  }
  if (new_count == 0) return result;
  ROOST_TRY(check_quota(target->mailbox.account, new_bytes, new_count));

  // Pass 2: write the blobs, make them durable together, then one append commits the batch.
  auto blobs = store_.blobs().begin_batch();
  if (!blobs) return blobs.error();
  std::vector<store::NewMessage> to_append;
  std::vector<size_t> appended_index;
  to_append.reserve(new_count);
  for (size_t i = 0; i < messages.size(); ++i) {
    BatchItem& item = result.items[i];
    if (item.outcome != BatchItem::Outcome::Stored) continue;
    Incoming& in = messages[i];
    auto blob = (*blobs)->add(in.bytes);
    if (!blob) return blob.error();
    item.blob = *blob;
    store::NewMessage message;
    message.blob = *blob;
    describe(message, in.bytes, mime::parse(in.bytes, options_.parse_limits));
    message.flags = std::move(in.flags);
    store::normalize(message.flags);
    message.internal_date = in.internal_date.value_or(clock_.now_unix());
    message.internal_date_tz = in.internal_date_tz;
    std::string().swap(in.bytes);  // the blob has them now; keep peak memory at one batch
    to_append.push_back(std::move(message));
    appended_index.push_back(i);
  }
  ROOST_TRY((*blobs)->sync());
  auto appended = store_.append(to.mailbox, std::move(to_append));
  if (!appended) return appended.error();
  if (appended->messages.size() != appended_index.size()) {
    return make_error(ErrorKind::Internal, "store appended an unexpected number of messages");
  }
  result.uidvalidity = appended->uidvalidity;
  for (size_t k = 0; k < appended_index.size(); ++k) {
    BatchItem& item = result.items[appended_index[k]];
    item.uid = appended->messages[k].uid;
    emit(*target, to, item.uid, item.blob);
  }
  return result;
}

}  // namespace roost::mailbox
