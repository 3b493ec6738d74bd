// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3516 BINARY; RFC 8970 PREVIEW; RFC 8514
// SAVEDATE; RFC 8474 EMAILID/THREADID; RFC 7162 MODSEQ, CHANGEDSINCE and VANISHED). The set is
// resolved against the session's view (and narrowed to the messages changed since CHANGEDSINCE
// with one Store::changes_since), \Seen is stored first when a non-PEEK body item asks for it,
// then messages are loaded and rendered in bounded batches on the blocking executor and each
// batch is written before the next is read, so "FETCH 1:* BODY[]" never holds more than one batch
// in memory. A literal of kStreamMin bytes or more is rendered as slices of the mapped message and
// sent kStreamChunk at a time, so FETCH BODY[] of a 2 GiB message holds one chunk, not the body.
#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <memory>

#include "imap/command_table.h"
#include "imap/engine/fetch_renderer.h"
#include "imap/flag_fetch_writer.h"
#include "imap/message_loader.h"
#include "imap/session.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

constexpr size_t kBatchMessages = 200;
constexpr size_t kBatchBytes = 1 << 20;       // rendered text per batch before it is written
constexpr size_t kBatchSlack = 64 << 10;      // room for the response that crosses kBatchBytes
constexpr size_t kBytesWindow = 32;           // messages whose bytes are read together
// FETCH answered from the view sends this much at a time: the client reads and parses a batch
// while the next is rendered (with 1 MiB batches FETCH 1:* FLAGS of 20,000 messages was one batch
// and the client started only when the server had finished).
constexpr size_t kViewBatchBytes = 256 << 10;
constexpr uint64_t kStreamMin = 1 << 20;      // literals this large are streamed (min_slice)
constexpr uint64_t kStreamChunk = 256 << 10;  // bytes copied, written and flushed at a time
constexpr uint64_t kDropEvery = 8 << 20;      // mapped pages sent are dropped this often

struct Response {
  RenderedFetch fetch;
  std::shared_ptr<const MappedFile> message;  // set when the response has slices of it
};

struct RenderedBatch {
  std::vector<Response> responses;
  size_t next = 0;               // index of the first target not rendered yet
  store::ModSeq max_modseq = 0;  // highest MODSEQ the responses show
};

bool has_item(const std::vector<FetchItem>& items, FetchItemType type) {
  return std::any_of(items.begin(), items.end(),
                     [type](const FetchItem& i) { return i.type == type; });
}

// RFC 7162 §3.1.4.1: only the targets whose MODSEQ is above CHANGEDSINCE.
void keep_changed(std::vector<MessageTarget>& targets, const store::ChangesSince& changes) {
  std::vector<store::Uid> changed;
  changed.reserve(changes.changed.size());
  for (const store::MessageState& s : changes.changed) changed.push_back(s.uid);
  std::sort(changed.begin(), changed.end());
  std::erase_if(targets, [&](const MessageTarget& t) {
    return !std::binary_search(changed.begin(), changed.end(), t.uid);
  });
}

// RFC 7162 §3.2.6: "* VANISHED (EARLIER)" for the UIDs of the set expunged since CHANGEDSINCE.
// "*" reaches the highest UID the view ever knew, so expunged messages past the last one count;
// UIDs the view still holds (their expunge not told yet) are left to the plain VANISHED later.
void write_vanished_earlier(Session& session, const SequenceSet& set,
                            const std::vector<store::Uid>& expunged) {
  const SelectedMailbox& selected = *session.selected();
  std::vector<SeqRange> ranges =
      set.is_saved_result() ? selected.saved_uids : set.resolve(selected.view.uidnext() - 1);
  std::vector<store::Uid> gone;
  for (store::Uid uid : expunged) {
    auto after = std::upper_bound(ranges.begin(), ranges.end(), uid,
                                  [](store::Uid u, const SeqRange& r) { return u < r.first; });
    bool in_set = after != ranges.begin() && uid <= std::prev(after)->last;
    if (in_set && !selected.view.seq_of(uid)) gone.push_back(uid);
  }
  if (gone.empty()) return;
  session.out() += "* VANISHED (EARLIER) " + format_numbers(gone) + "\r\n";
}

// Sends out() and then `piece` (a slice of `message`, or a large owned text) kStreamChunk at a
// time: each chunk is copied into out() on the blocking executor (reading the mapping may wait
// on the disk) and sent and flushed before the next, and the mapped pages sent are dropped every
// kDropEvery bytes, as ingest does (MappedFile::release), so neither the heap nor the resident
// mapping grows with the size of the message.
awaitable<Status> send_piece(Session& session, const MappedFile* message, const FetchPiece& piece) {
  Status sent = co_await session.send();
  std::string_view source = piece.slice ? message->bytes() : std::string_view(piece.text);
  uint64_t pos = piece.slice ? piece.offset : 0;
  uint64_t end = pos + piece.size();
  uint64_t dropped = pos;
  while (sent && pos < end) {
    uint64_t next = std::min(end, (pos / kStreamChunk + 1) * kStreamChunk);
    sent = co_await session.blocking().run([&]() -> Status {
      std::string& out = session.out();
      size_t start = out.size();
      out.append(source.substr(pos, next - pos));
      if (piece.nul_to_0x80) std::replace(out.begin() + start, out.end(), '\0', '\x80');
      if (piece.slice && (next - dropped >= kDropEvery || next == end)) {
        message->release(dropped, next - dropped);
        dropped = next;
      }
      return ok();
    });
    pos = next;
    if (sent) sent = co_await session.send();
  }
  co_return sent;
}

// Writes a rendered response: text into out(), large pieces streamed by send_piece().
awaitable<Status> write_response(Session& session, Response& response) {
  for (FetchPiece& piece : response.fetch.pieces) {
    if (!piece.slice && piece.text.size() < kStreamChunk) {
      session.out() += piece.text;
    } else {
      Status sent = co_await send_piece(session, response.message.get(), piece);
      if (!sent) co_return sent;
    }
    std::string().swap(piece.text);
  }
  response.message.reset();
  co_return ok();
}

// UID and FLAGS are all the view needs to answer (FETCH 1:* (UID FLAGS), the usual resync of a
// client): no store read per message.
bool view_answers(const std::vector<FetchItem>& items) {
  return std::all_of(items.begin(), items.end(), [](const FetchItem& i) {
    return i.type == FetchItemType::Uid || i.type == FetchItemType::Flags;
  });
}

// Renders from the view after a refresh, so the flags are the store's as the entries read would
// have shown them; messages already expunged by others are skipped, as their missing entries are.
awaitable<Reply> fetch_from_view(Session& session, const Command& command,
                                 const std::vector<MessageTarget>& targets,
                                 const std::vector<FetchItem>& items) {
  Status refreshed = co_await session.refresh();
  if (!refreshed) co_return reply_for(refreshed.error());
  // No EXPUNGE now: it would renumber the targets. Expunges wait for the end of the command.
  session.write_updates(false);
  const mailbox::MailboxView& view = session.selected()->view;
  // One buffer for every batch: growing it by doubling from empty cost FETCH 1:* FLAGS of 200,000
  // messages a fifth of its time in copies and page faults, and a fresh one per batch (send()
  // lets it go) a page fault per 4 KiB written.
  session.out().reserve(session.out().size() + kViewBatchBytes + kBatchSlack);
  auto writer = std::make_unique<FlagFetchWriter>(view, items);  // too big for a frame
  bool pending_expunge = view.has_pending_expunge();
  for (const MessageTarget& t : targets) {
    if (pending_expunge && view.is_expunged(t.seq)) continue;
    writer->write(session.out(), t);
    if (session.out().size() + writer->buffered() >= kViewBatchBytes) {
      writer->flush(session.out());
      Status sent = co_await session.send(/*keep_buffer=*/true);
      if (!sent) co_return Reply::bad("connection closed");
    }
  }
  writer->flush(session.out());
  co_return Reply::ok(command.uid ? "UID FETCH completed" : "FETCH completed");
}

// Stores \Seen on the targets that lack it (RFC 9051 §6.4.5); returns the UIDs it changed.
awaitable<Result<std::vector<store::Uid>>> mark_seen(Session& session,
                                                     const std::vector<MessageTarget>& targets) {
  SelectedMailbox& selected = *session.selected();
  std::vector<store::Uid> unseen;
  for (const MessageTarget& t : targets) {
    if (!(selected.view.system_flags_at(t.seq) & store::kSeen)) unseen.push_back(t.uid);
  }
  std::vector<store::Uid> changed_uids;
  if (unseen.empty()) co_return changed_uids;
  store::MailboxId id = selected.view.mailbox();
  store::FlagUpdate update{store::FlagOp::Add, store::Flags{store::kSeen, {}}, std::nullopt};
  store::UidSet set = store::uid_set_of(unseen);
  store::Store& store = session.store();
  auto stored = co_await session.blocking().run([&] { return store.store_flags(id, set, update); });
  if (!stored) co_return stored.error();
  // The FETCH responses carry the new FLAGS; the view's FETCH FLAGS for them are dropped.
  mailbox::ViewUpdates own = take_own_flag_changes(session, stored->changed);
  write_flags_update(session.out(), own);
  for (const store::FlagChange& c : stored->changed) changed_uids.push_back(c.uid);
  std::sort(changed_uids.begin(), changed_uids.end());
  co_return changed_uids;
}

}  // namespace

awaitable<Reply> cmd_fetch(Session& session, Command& command) {
  auto& args = std::get<FetchArgs>(command.args);
  // RFC 7162 §3.2.6: VANISHED only once QRESYNC is enabled.
  if (args.vanished && !session.qresync()) co_return Reply::bad("QRESYNC is not enabled");
  bool modseq_item = has_item(args.items, FetchItemType::ModSeq);
  // RFC 7162 §3.1: FETCH MODSEQ and CHANGEDSINCE are CONDSTORE enabling commands.
  if (modseq_item || args.changed_since) session.enable_condstore();
  SelectedMailbox& selected = *session.selected();
  // Pending updates go out first, so the ones our \Seen causes are the only ones taken later.
  session.write_updates(allows_expunge(*find_command(command.name), command));

  auto targets = resolve_targets(selected.view, args.set, command.uid, selected.saved_uids);
  if (!targets) co_return Reply::bad(targets.error().text);
  std::vector<FetchItem> items = args.items;
  if (command.uid && !has_item(items, FetchItemType::Uid)) {
    FetchItem uid_item;
    uid_item.type = FetchItemType::Uid;
    items.insert(items.begin(), uid_item);  // RFC 9051 §6.4.9
  }
  if (args.changed_since) {
    if (!modseq_item) {
      FetchItem modseq;
      modseq.type = FetchItemType::ModSeq;
      items.push_back(modseq);  // RFC 7162 §3.1.4.1: CHANGEDSINCE implies MODSEQ
      modseq_item = true;
    }
    store::MailboxId mailbox = selected.view.mailbox();
    store::ModSeq since = *args.changed_since;
    auto changes = co_await session.blocking().run(
        [&] { return session.store().changes_since(mailbox, since); });
    if (!changes) co_return reply_for(changes.error());
    if (args.vanished) write_vanished_earlier(session, args.set, changes->expunged);
    keep_changed(*targets, *changes);
  }

  FetchOptions options;
  options.style.utf8_quoted = session.rev2() || session.utf8();
  if (!args.changed_since && view_answers(items)) {
    Reply reply = co_await fetch_from_view(session, command, *targets, items);
    co_return reply;
  }

  std::vector<store::Uid> seen_now;
  if (sets_seen(items) && !selected.read_only) {
    auto marked = co_await mark_seen(session, *targets);
    if (!marked) co_return reply_for(marked.error());
    seen_now = std::move(*marked);
  }

  FetchNeeds needs = fetch_needs(items);
  options.min_slice = kStreamMin;  // big literals are streamed from the mapping
  bool aware = session.condstore();
  store::Store& store = session.store();
  store::MailboxId id = selected.view.mailbox();
  ParsedCache* cache = session.parsed_cache();
  size_t start = 0;
  while (start < targets->size()) {
    auto batch = co_await session.blocking().run([&]() -> Result<RenderedBatch> {
      size_t end = std::min(targets->size(), start + kBatchMessages);
      std::vector<MessageTarget> slice(targets->begin() + start, targets->begin() + end);
      MessageLoader loader(store, id, cache);
      auto entries = loader.entries(slice);
      if (!entries) return entries.error();
      if (needs.parsed) ROOST_TRY(loader.load_parsed(*entries));
      RenderedBatch out;
      size_t bytes = 0;
      out.next = end;
      for (size_t i = 0; i < slice.size(); ++i) {
        if (bytes >= kBatchBytes) {
          out.next = start + i;
          break;
        }
        const auto& entry = (*entries)[i];
        if (!entry) continue;  // expunged by another session meanwhile: nothing to say
        FetchInput input{slice[i].seq, &*entry, nullptr, {}, {}};
        std::shared_ptr<const MappedFile> mapping;
        if (needs.parsed) {
          auto parsed = loader.parsed(*entry);
          if (!parsed) return parsed.error();
          input.parsed = *parsed;
        }
        if (needs.bytes) {
          if (i % kBytesWindow == 0) ROOST_TRY(loader.load_bytes(*entries, i, kBytesWindow));
          auto mapped = loader.mapping(*entry);
          if (!mapped) return mapped.error();
          mapping = std::move(*mapped);
          input.bytes = mapping->bytes();
          // A large literal's NUL scan drops the pages behind it, as ingest's parse does.
          input.scanned = [file = mapping.get()](uint64_t offset, uint64_t length) {
            file->release(offset, length);
          };
        }
        FetchOptions these = options;
        these.add_flags = std::binary_search(seen_now.begin(), seen_now.end(), entry->uid);
        // RFC 7162 §3.2.4: a FETCH that set \Seen tells a CONDSTORE client UID and MODSEQ too.
        these.add_uid = these.add_modseq = these.add_flags && aware;
        auto rendered = render_fetch_pieces(input, items, these);
        if (!rendered) return rendered.error();
        if (modseq_item || these.add_modseq)
          out.max_modseq = std::max(out.max_modseq, entry->modseq);
        bytes += rendered->size();  // a streamed body ends the batch: it is sent before the next
        if (!rendered->has_slices()) mapping.reset();
        out.responses.push_back(Response{std::move(*rendered), std::move(mapping)});
      }
      return out;
    });
    if (!batch) {
      if (is_unknown_cte(batch.error())) {  // RFC 3516 §4.3
        co_return Reply::no("Unknown Content-Transfer-Encoding", "UNKNOWN-CTE");
      }
      co_return reply_for(batch.error());
    }
    for (Response& response : batch->responses) {
      Status sent = co_await write_response(session, response);
      if (!sent) co_return Reply::bad("connection closed");
    }
    session.note_fetch_modseq(batch->max_modseq);
    start = batch->next;
    if (start < targets->size()) {
      Status sent = co_await session.send();
      if (!sent) co_return Reply::bad("connection closed");
    }
  }
  co_return Reply::ok(command.uid ? "UID FETCH completed" : "FETCH completed");
}

}  // namespace roost::imap
