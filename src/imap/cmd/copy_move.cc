// COPY / UID COPY (RFC 9051 §6.4.7) and MOVE / UID MOVE (RFC 6851) through Store::copy and
// Store::move (one transaction each, so a MOVE is never half done). The OK carries
// [COPYUID uidvalidity source-uids destination-uids] (RFC 4315 §3); MOVE sends it in an untagged
// OK before its EXPUNGE responses (RFC 6851 §4.3), which are one VANISHED once QRESYNC is on
// (RFC 7162 §3.2.10, through Session::write_updates). A missing target is NO [TRYCREATE].
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/message_loader.h"
#include "imap/proto/sequence_set.h"
#include "imap/session.h"
#include "mailbox/expunge.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

// The store UIDs a COPY/MOVE set names: the same resolution as FETCH and STORE, '$' included.
Result<store::UidSet> uids_of(const SelectedMailbox& selected, const Command& command,
                              const SequenceSet& set) {
  auto targets = resolve_targets(selected.view, set, command.uid, selected.saved_uids);
  if (!targets) return targets.error();
  std::vector<store::Uid> uids;
  uids.reserve(targets->size());
  for (const MessageTarget& t : *targets) uids.push_back(t.uid);
  return store::uid_set_of(uids);
}

std::string copyuid_code(const store::CopyResult& result) {
  std::vector<uint32_t> from, to;
  for (const auto& [source, dest] : result.mapping) {
    from.push_back(source);
    to.push_back(dest);
  }
  return "COPYUID " + std::to_string(result.dest_uidvalidity) + " " + format_numbers(from) + " " +
         format_numbers(to);
}

}  // namespace

awaitable<Reply> cmd_copy_move(Session& session, Command& command) {
  const auto& args = std::get<CopyArgs>(command.args);
  bool move = command.name == CommandName::Move;
  SelectedMailbox& selected = *session.selected();
  // RFC 6851 §3.3: MOVE expunges, which a read-only mailbox does not allow.
  if (move && selected.read_only) co_return Reply::no("Mailbox is read-only", "READ-ONLY");
  auto uids = uids_of(selected, command, args.set);
  if (!uids) co_return Reply::bad(uids.error().text);
  store::MailboxId from = selected.view.mailbox();
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  struct Done {
    store::MailboxId to = 0;
    store::CopyResult result;
  };
  auto done = co_await session.blocking().run([&]() -> Result<Done> {
    auto target = store.find_mailbox(account, args.mailbox);
    if (!target) return target.error();
    if (uids->empty()) return Done{target->id, {target->uidvalidity, {}}};
    auto result = move ? mailbox::move(store, from, *uids, target->id, "imap")
                       : store.copy(from, *uids, target->id);
    if (!result) return result.error();
    return Done{target->id, std::move(*result)};
  });
  std::string_view verb = move ? "MOVE" : "COPY";
  if (!done) {
    if (done.error().kind == ErrorKind::NotFound) {
      co_return Reply::no("Target mailbox does not exist", "TRYCREATE");  // RFC 9051 §6.4.7
    }
    co_return reply_for(done.error());
  }
  if (done->result.mapping.empty()) co_return Reply::ok(std::string(verb) + " completed");
  std::string code = copyuid_code(done->result);
  if (!move) {
    if (done->to == from) session.notice().mark_dirty();  // the EXISTS goes out before our OK
    co_return Reply::ok("COPY completed", std::move(code));
  }
  // RFC 6851 §4.3: COPYUID in an untagged OK, then the EXPUNGEs (or VANISHED), then the tagged OK.
  session.out() += "* OK [" + code + "] Moved\r\n";
  Status refreshed = co_await session.refresh(true);
  if (refreshed) session.write_updates(true);
  co_return Reply::ok("MOVE completed");
}

}  // namespace roost::imap
