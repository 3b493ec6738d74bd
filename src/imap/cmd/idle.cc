// IDLE (RFC 2177, RFC 9051 §6.3.13): "+ idling", then changes of the selected mailbox made by
// other sessions are pushed as they happen (EXISTS, EXPUNGE, FETCH FLAGS) until the client sends
// DONE. The session coroutine waits for DONE; a second coroutine on the same strand waits for
// Store events (ChangeNotice) and writes the updates. Session::push() keeps the two from ever
// writing and reading-with-flush at the same time.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>

#include "imap/command_table.h"
#include "imap/proto/sasl_response.h"
#include "imap/session.h"

namespace roost::imap {

namespace asio = boost::asio;
using asio::awaitable;
using SteadyClock = std::chrono::steady_clock;

namespace {

struct IdleRun {
  explicit IdleRun(asio::any_io_executor executor) : finished(std::move(executor)) {}
  bool stop = false;
  bool done = false;
  Signal finished;
};

awaitable<void> push_changes(Session& session, IdleRun& run, SteadyClock::time_point deadline) {
  ChangeNotice& notice = session.notice();
  while (!run.stop) {
    if (!notice.dirty) {
      bool woke = co_await notice.wake.wait(deadline);
      if (run.stop) break;
      if (!woke) {  // RFC 2177 §3: the server may log out clients idling past its timeout
        session.out() += "* BYE Autologout; idle for too long\r\n";
        co_await session.push();
        session.conn().close_soon();
        break;
      }
      if (!notice.dirty) continue;
    }
    co_await session.refresh();
    session.write_updates(true);
    if (!session.out().empty() && !(co_await session.push())) break;
    if (session.state() == SessionState::Logout) {  // the selected mailbox was deleted
      session.conn().close_soon();
      break;
    }
  }
}

}  // namespace

awaitable<Reply> cmd_idle(Session& session, Command&) {
  co_await session.refresh();
  session.write_updates(true);
  session.out() += "+ idling\r\n";
  if (!(co_await session.send())) co_return Reply::bad("connection closed");

  IdleRun run(session.executor());
  auto deadline = SteadyClock::now() + session.conn().idle_timeout();
  asio::co_spawn(session.executor(), push_changes(session, run, deadline),
                 [&run](std::exception_ptr) {
                   run.done = true;
                   run.finished.notify();
                 });
  auto line = co_await session.read_line();
  run.stop = true;
  session.notice().wake.notify();
  while (!run.done) co_await run.finished.wait();

  if (!line) {
    if (line.error().kind == ErrorKind::Limit) co_return Reply::bad(line.error().text);
    co_return Reply::bad("connection closed");
  }
  if (!is_idle_done(*line)) co_return Reply::bad("Expected DONE");
  co_return Reply::ok("IDLE terminated");
}

}  // namespace roost::imap
