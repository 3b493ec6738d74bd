// APPEND (RFC 9051 §6.3.12) and MULTIAPPEND (RFC 3502): each message literal is streamed into
// mailbox::Ingest chunk by chunk (never buffered whole); IngestWriter::next() seals a message when
// the next literal starts and finish_all() commits them all in one Store::append when the command
// ends, so either every message is stored or none is. The OK carries APPENDUID with the UID set
// (RFC 4315 §3). A missing mailbox is NO [TRYCREATE], a message over the limit NO [TOOBIG]
// (RFC 7889 §4), both answered before that message's bytes are invited.
#include <boost/asio/awaitable.hpp>

#include "imap/command_table.h"
#include "imap/proto/sequence_set.h"
#include "imap/session.h"
#include "imap/session_append.h"

namespace roost::imap {

using boost::asio::awaitable;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct Stamp {
  std::optional<int64_t> date;  // nullopt = now
  int32_t zone = 0;
};

Stamp stamp_of(const AppendMessage& message) {
  if (!message.internal_date) return {};
  return {message.internal_date->unix_seconds, message.internal_date->zone_minutes};
}

}  // namespace

awaitable<void> append_literal_start(Session& session, ParseEvent& event) {
  auto started = SteadyClock::now();
  auto refuse = [&](Reply reply) {
    session.append().reset();  // an unfinished writer drops its temporary blob
    session.parser().reject_literal();
    session.finish_command(event.tag, "APPEND", reply, started);
  };
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
  if (auto& pending = session.append()) {  // RFC 3502: the next message of a MULTIAPPEND
    if (pending->tag != event.tag || !pending->complete) {
      refuse(Reply::bad("APPEND literal out of order"));
      co_return;
    }
    if (pending->failed) {
      refuse(reply_for(*pending->failed));
      co_return;
    }
    mailbox::IngestWriter& writer = *pending->writer;
    Stamp stamp = stamp_of(pending->message);
    const store::Flags& previous = pending->flags;
    std::string rest = std::move(pending->buffered);
    pending->buffered.clear();
    Status sealed = co_await session.committing().run([&]() -> Status {
      if (!rest.empty()) ROOST_TRY(writer.write(rest));
      return writer.next(previous, stamp.date, stamp.zone, event.literal_size);
    });
    if (!sealed) {
      refuse(reply_for(sealed.error()));
      co_return;
    }
    pending->message = event.message;
    pending->flags = std::move(*flags);
    pending->complete = false;
    if (event.synchronizing) session.out() += "+ Ready for literal data\r\n";
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
  append->buffered += chunk;
  if (append->buffered.size() < kAppendBufferBytes) co_return;
  mailbox::IngestWriter& writer = *append->writer;
  std::string bytes = std::move(append->buffered);
  append->buffered.clear();
  Status wrote = co_await session.blocking().run([&] { return writer.write(bytes); });
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
  Stamp stamp = stamp_of(append.message);
  mailbox::IngestWriter& writer = *append.writer;
  size_t count = writer.pending() + 1;
  // The last bytes, the fsyncs and the index commit in one hop.
  auto delivered = co_await session.committing().run(
      [&]() -> Result<std::vector<mailbox::Delivered>> {
        if (!append.buffered.empty()) ROOST_TRY(writer.write(append.buffered));
        return writer.finish_all(append.flags, stamp.date, stamp.zone);
      });
  if (!delivered) co_return reply_for(delivered.error());
  if (session.selected() && session.selected()->view.mailbox() == append.mailbox) {
    session.notice().mark_dirty();  // the EXISTS goes out before our OK
  }
  std::vector<uint32_t> uids;
  for (const mailbox::Delivered& d : *delivered) uids.push_back(d.uid);
  uint32_t uidvalidity = delivered->empty() ? 0 : delivered->front().uidvalidity;
  co_return Reply::ok(count > 1 ? "MULTIAPPEND completed" : "APPEND completed",
                      "APPENDUID " + std::to_string(uidvalidity) + " " + format_numbers(uids));
}

}  // namespace roost::imap
