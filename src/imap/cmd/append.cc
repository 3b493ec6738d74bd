// APPEND (RFC 9051 §6.3.12): the message literal is streamed into mailbox::Ingest chunk by chunk
// (never buffered whole) and committed when the command ends; the OK carries APPENDUID
// (RFC 4315 §3). A missing mailbox is NO [TRYCREATE], a message over the limit NO [TOOBIG]
// (RFC 7889 §4), both answered before any byte is invited. MULTIAPPEND (RFC 3502) is not offered:
// a second message literal aborts the whole command and nothing is stored.
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/session.h"
#include "imap/session_append.h"

namespace roost::imap {

using boost::asio::awaitable;
using SteadyClock = std::chrono::steady_clock;

awaitable<void> append_literal_start(Session& session, ParseEvent& event) {
  auto started = SteadyClock::now();
  auto refuse = [&](Reply reply) {
    session.append().reset();  // an unfinished writer drops its temporary blob
    session.parser().reject_literal();
    session.finish_command(event.tag, "APPEND", reply, started);
  };
  if (session.append()) {
    refuse(Reply::bad("MULTIAPPEND is not supported"));
    co_return;
  }
  if (session.state() == SessionState::NotAuthenticated) {
    refuse(Reply::bad("Command not valid in this state"));
    co_return;
  }
  uint64_t limit = session.ingest().options().max_message_size;
  if (limit > 0 && event.literal_size > limit) {
    refuse(Reply::no("Message is larger than " + std::to_string(limit) + " bytes", "TOOBIG"));
    co_return;
  }
  auto flags = parse_flags(event.message.flags);
  if (!flags) {
    refuse(Reply::bad(flags.error().text));
    co_return;
  }
  store::AccountId account = session.account()->id;
  store::Store& store = session.store();
  mailbox::Ingest& ingest = session.ingest();
  struct Begun {
    store::MailboxId mailbox = 0;
    std::unique_ptr<mailbox::IngestWriter> writer;
  };
  auto begun = co_await session.blocking().run([&]() -> Result<Begun> {
    auto info = store.find_mailbox(account, event.mailbox);
    if (!info) return info.error();
    auto writer = ingest.begin({info->id, "imap"}, event.literal_size);
    if (!writer) return writer.error();
    return Begun{info->id, std::move(*writer)};
  });
  if (!begun) {
    if (begun.error().kind == ErrorKind::NotFound) {
      refuse(Reply::no("Mailbox does not exist", "TRYCREATE"));  // RFC 9051 §6.3.12
    } else {
      refuse(reply_for(begun.error()));
    }
    co_return;
  }
  AppendInProgress append;
  append.tag = event.tag;
  append.started = started;
  append.mailbox = begun->mailbox;
  append.mailbox_name = event.mailbox;
  append.writer = std::move(begun->writer);
  append.message = event.message;
  append.flags = std::move(*flags);
  session.append() = std::move(append);
  if (event.synchronizing) session.out() += "+ Ready for literal data\r\n";
}

awaitable<void> append_literal_chunk(Session& session, std::string_view chunk) {
  auto& append = session.append();
  if (!append || append->failed || !append->writer) co_return;  // drained and answered later
  mailbox::IngestWriter& writer = *append->writer;
  Status wrote = co_await session.blocking().run([&] { return writer.write(chunk); });
  if (!wrote) {
    append->failed = wrote.error();
    append->writer.reset();
  }
}

awaitable<Reply> cmd_append(Session& session, Command& command) {
  auto& pending = session.append();
  if (!pending || pending->tag != command.tag || !pending->complete) {
    pending.reset();
    co_return Reply::bad("APPEND without a message");
  }
  AppendInProgress append = std::move(*pending);
  pending.reset();
  if (append.failed) co_return reply_for(*append.failed);
  std::optional<int64_t> date;
  int32_t zone = 0;
  if (append.message.internal_date) {
    date = append.message.internal_date->unix_seconds;
    zone = append.message.internal_date->zone_minutes;
  }
  mailbox::IngestWriter& writer = *append.writer;
  auto delivered = co_await session.blocking().run(
      [&] { return writer.finish(append.flags, date, zone); });
  if (!delivered) co_return reply_for(delivered.error());
  if (session.selected() && session.selected()->view.mailbox() == append.mailbox) {
    session.notice().dirty = true;  // the EXISTS goes out before our OK
  }
  co_return Reply::ok("APPEND completed", "APPENDUID " + std::to_string(delivered->uidvalidity) +
                                              " " + std::to_string(delivered->uid));
}

}  // namespace roost::imap
