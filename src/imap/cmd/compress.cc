// COMPRESS DEFLATE (RFC 4978): after the tagged OK, both directions run raw DEFLATE for the rest
// of the connection (net::Connection::start_compression, above TLS when TLS is active). Valid in
// the authenticated and selected states (RFC 4978 §6: command-auth). An unknown mechanism is BAD,
// a second COMPRESS is NO [COMPRESSIONACTIVE] (§3).
#include <boost/asio/awaitable.hpp>

#include "base/log.h"
#include "imap/command_table.h"
#include "imap/session.h"

namespace roost::imap {

using boost::asio::awaitable;

awaitable<Reply> cmd_compress(Session& session, Command& command) {
  const auto& args = std::get<CompressArgs>(command.args);
  net::Connection& conn = session.conn();
  if (args.mechanism != "DEFLATE") co_return Reply::bad("Unknown compression mechanism");
  if (conn.is_compressed()) {
    co_return Reply::no("DEFLATE is already active on this connection", "COMPRESSIONACTIVE");
  }
  auto started = std::chrono::steady_clock::now();
  session.finish_command(command.tag, "COMPRESS", Reply::ok("DEFLATE active"), started);
  Reply sent;
  sent.already_sent = true;
  // RFC 4978 §3: compression starts right after the CRLF of the tagged OK, which goes out as is.
  if (!(co_await session.send())) co_return sent;
  // The client compresses from the first byte after its command: whatever it pipelined behind
  // COMPRESS is already deflated and is inflated before anything read later.
  std::string pipelined = session.parser().take_buffered();
  Status st = co_await conn.start_compression(std::move(pipelined));
  if (!st) {
    log::info("imap.compress_failed",
              {{"session", conn.session_id()}, {"error", st.error().describe()}});
    session.mark_closed();
  }
  co_return sent;
}

}  // namespace roost::imap
