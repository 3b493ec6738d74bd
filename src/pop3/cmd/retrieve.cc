// RETR and TOP (RFC 1939 §5, §7): the stored bytes streamed in the wire form MessageEncoder makes
// (CRLF line ends, byte-stuffing, terminator). The blob is mapped and encoded on the blocking pool
// a slice at a time, so neither a big message nor a slow disk ever sits on the I/O thread, and
// only one slice is in memory. RETR reads the next few small messages in the same blocking call
// (MessageReadAhead); the RETRs that follow encode them from memory without leaving the strand. RETR marks the message for \Seen at the end of the session; TOP
// only when it sent the whole message (else it is a peek).
#include <memory>

#include "base/env.h"
#include "base/log.h"
#include "pop3/command_table.h"
#include "pop3/proto/message_encoder.h"
#include "pop3/session.h"

namespace roost::pop3 {

using boost::asio::awaitable;

namespace {

constexpr size_t kSliceBytes = 256 * 1024;

struct Stream {
  explicit Stream(std::optional<uint32_t> lines) : encoder(lines) {}

  std::shared_ptr<const MappedFile> file;
  size_t at = 0;
  MessageEncoder encoder;
  std::string slice;  // the wire bytes of the next slice (the first starts with the +OK line)
  bool finished = false;

  // On the blocking pool: the next slice of the message appended to `slice`.
  void encode_next() {
    std::string_view bytes = file->bytes();
    size_t n = std::min(kSliceBytes, bytes.size() - at);
    encoder.feed(bytes.substr(at, n), slice);
    at += n;
    if (at >= bytes.size() || encoder.done()) {
      encoder.finish(slice);
      finished = true;
    }
  }
};

awaitable<Reply> send_message(Session& session, const Command& command,
                              std::optional<uint32_t> lines) {
  auto index = session.message_index(*command.message);
  if (!index) co_return Reply::failure(index.error().text);
  const mailbox::Pop3Message& message = session.maildrop().messages[*index];
  Stream stream(lines);
  // The +OK line goes ahead of the first slice, so that the slice can become the output buffer
  // as it is; a failed read drops it.
  write_reply(stream.slice, Reply::success(lines ? "Top of message follows"
                                                 : std::to_string(message.size) + " octets"));
  store::Store& store = session.store();
  MessageReadAhead& ahead = session.read_ahead();
  Status opened = ok();
  if (auto cached = ahead.take(*index)) {
    // Read ahead by the previous RETR: small and in memory, encoded here without a hop.
    stream.file = std::move(cached);
    stream.encode_next();
  } else {
    const std::vector<bool>& deleted = session.deleted_marks();
    opened = co_await session.blocking().run([&]() -> Status {
      // RETR reads the next messages too (clients go in order); TOP only its own.
      auto file = lines ? store.blobs().read(message.blob.id)
                        : ahead.read(store.blobs(), session.maildrop(), deleted, *index);
      if (!file) return file.error();
      stream.file = std::move(*file);
      stream.encode_next();
      return ok();
    });
  }
  if (!opened) {
    log::warn("pop3.message_unreadable", {{"session", session.conn().session_id()},
                                          {"blob", message.blob.id},
                                          {"error", opened.error().describe()}});
    co_return Reply::failure("Message " + std::to_string(*command.message) + " cannot be read now",
                             "SYS/TEMP");
  }
  while (true) {
    net::append_taking(session.out(), stream.slice);
    if (!(co_await session.send())) co_return Reply::sent();
    if (stream.finished) break;
    co_await session.blocking().run([&] {  // append_taking() left the slice empty
      stream.encode_next();
      return true;
    });
  }
  // fetchmail downloads with "TOP n 99999999": a TOP that sent the whole message is a retrieval.
  if (stream.encoder.consumed() == stream.file->bytes().size()) session.mark_retrieved(*index);
  if (!lines) {
    if (stream.encoder.content_octets() != message.size) {
      log::warn("pop3.size_mismatch", {{"session", session.conn().session_id()},
                                       {"blob", message.blob.id},
                                       {"listed", std::to_string(message.size)},
                                       {"sent", std::to_string(stream.encoder.content_octets())}});
    }
  }
  co_return Reply::sent();
}

}  // namespace

awaitable<Reply> cmd_retr(Session& session, const Command& command) {
  co_return co_await send_message(session, command, std::nullopt);
}

awaitable<Reply> cmd_top(Session& session, const Command& command) {
  co_return co_await send_message(session, command, command.lines);
}

}  // namespace roost::pop3
