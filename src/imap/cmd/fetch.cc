// FETCH and UID FETCH (RFC 9051 §6.4.5, §6.4.9; RFC 3516 BINARY; RFC 8970 PREVIEW; RFC 8514
// SAVEDATE; RFC 8474 EMAILID/THREADID). The set is resolved against the session's view, \Seen is
// stored first when a non-PEEK body item asks for it, then messages are loaded and rendered in
// bounded batches on the blocking executor and each batch is written before the next is read, so
// "FETCH 1:* BODY[]" never holds more than one batch in memory.
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/engine/fetch_renderer.h"
#include "imap/message_loader.h"
#include "imap/session.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

constexpr size_t kBatchMessages = 200;
constexpr size_t kBatchBytes = 1 << 20;  // rendered text per batch before it is written

struct RenderedBatch {
  std::vector<std::string> responses;
  size_t next = 0;  // index of the first target not rendered yet
};

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
  if (args.changed_since || args.vanished)
    co_return Reply::bad("CONDSTORE/QRESYNC are not enabled");
  SelectedMailbox& selected = *session.selected();
  // Pending updates go out first, so the ones our \Seen causes are the only ones taken later.
  session.write_updates(allows_expunge(*find_command(command.name), command));

  auto targets = resolve_targets(selected.view, args.set, command.uid, selected.saved_uids);
  if (!targets) co_return Reply::bad(targets.error().text);
  std::vector<FetchItem> items = args.items;
  if (command.uid && std::none_of(items.begin(), items.end(), [](const FetchItem& i) {
        return i.type == FetchItemType::Uid;
      })) {
    FetchItem uid_item;
    uid_item.type = FetchItemType::Uid;
    items.insert(items.begin(), uid_item);  // RFC 9051 §6.4.9
  }

  std::vector<store::Uid> seen_now;
  if (sets_seen(items) && !selected.read_only) {
    auto marked = co_await mark_seen(session, *targets);
    if (!marked) co_return reply_for(marked.error());
    seen_now = std::move(*marked);
  }

  FetchNeeds needs = fetch_needs(items);
  FetchOptions options;
  options.style.utf8_quoted = session.rev2() || session.utf8();
  store::Store& store = session.store();
  store::MailboxId id = selected.view.mailbox();
  size_t start = 0;
  while (start < targets->size()) {
    auto batch = co_await session.blocking().run([&]() -> Result<RenderedBatch> {
      size_t end = std::min(targets->size(), start + kBatchMessages);
      std::vector<MessageTarget> slice(targets->begin() + start, targets->begin() + end);
      MessageLoader loader(store, id);
      auto entries = loader.entries(slice);
      if (!entries) return entries.error();
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
        FetchInput input{slice[i].seq, &*entry, nullptr, {}};
        if (needs.parsed) {
          auto parsed = loader.parsed(*entry);
          if (!parsed) return parsed.error();
          input.parsed = *parsed;
        }
        if (needs.bytes) {
          auto data = loader.bytes(*entry);
          if (!data) return data.error();
          input.bytes = *data;
        }
        FetchOptions these = options;
        these.add_flags = std::binary_search(seen_now.begin(), seen_now.end(), entry->uid);
        auto text = render_fetch(input, items, these);
        if (!text) return text.error();
        bytes += text->size();
        out.responses.push_back(std::move(*text));
      }
      return out;
    });
    if (!batch) {
      if (is_unknown_cte(batch.error())) {  // RFC 3516 §4.3
        co_return Reply::no("Unknown Content-Transfer-Encoding", "UNKNOWN-CTE");
      }
      co_return reply_for(batch.error());
    }
    for (std::string& response : batch->responses) {
      session.out() += response;
      std::string().swap(response);
    }
    start = batch->next;
    if (start < targets->size()) {
      Status sent = co_await session.send();
      if (!sent) co_return Reply::bad("connection closed");
    }
  }
  co_return Reply::ok(command.uid ? "UID FETCH completed" : "FETCH completed");
}

}  // namespace roost::imap
