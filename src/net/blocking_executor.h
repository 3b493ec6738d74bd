// BlockingExecutor: a small thread pool for the blocking calls a session must make (Store,
// auth::Directory, mailbox::Ingest), so no I/O thread ever waits on disk, fsync or argon2
// (DESIGN.md "Nothing blocks an I/O thread").
//
//   auto r = co_await blocking.run([&] { return store.list_mailboxes(id); });
//
// run() executes fn on a pool thread and resumes the awaiting coroutine on its own executor
// (the connection strand), never on the pool. Capturing the coroutine's locals by reference is
// safe: the coroutine stays suspended until fn has returned. fn must return a value (use
// Status/Result); an exception escaping fn becomes ErrorKind::Internal when the result type can
// hold an Error, else it is rethrown on the session executor.
// Thread-safe. The destructor waits for running calls; destroy it after the server stopped and
// before the objects the calls use.
#pragma once

#include <cstddef>
#include <exception>
#include <type_traits>
#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/result.h"

namespace roost::net {

class BlockingExecutor {
 public:
  // threads = 0 picks twice the hardware concurrency, clamped to [4, 16].
  explicit BlockingExecutor(size_t threads = 0);
  ~BlockingExecutor();
  BlockingExecutor(const BlockingExecutor&) = delete;
  BlockingExecutor& operator=(const BlockingExecutor&) = delete;

  size_t threads() const { return threads_; }

  template <class Fn>
  boost::asio::awaitable<std::invoke_result_t<Fn&>> run(Fn fn) {
    using R = std::invoke_result_t<Fn&>;
    static_assert(!std::is_void_v<R>, "return a Status instead of void");
    return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>, void(R)>(
        [this](auto handler, Fn work) {
          auto home = boost::asio::prefer(boost::asio::get_associated_executor(handler),
                                          boost::asio::execution::outstanding_work.tracked);
          boost::asio::post(pool_, [work = std::move(work), handler = std::move(handler),
                                    home = std::move(home)]() mutable {
            R result = call(work);
            boost::asio::post(home, [handler = std::move(handler),
                                     result = std::move(result)]() mutable {
              std::move(handler)(std::move(result));
            });
          });
        },
        boost::asio::use_awaitable, std::move(fn));
  }

 private:
  template <class Fn>
  static std::invoke_result_t<Fn&> call(Fn& fn) {
    using R = std::invoke_result_t<Fn&>;
    if constexpr (std::is_constructible_v<R, Error>) {
      try {
        return fn();
      } catch (const std::exception& e) {
        return R(make_error(ErrorKind::Internal, "internal error", e.what()));
      } catch (...) {
        return R(make_error(ErrorKind::Internal, "internal error", "unknown exception"));
      }
    } else {
      return fn();
    }
  }

  size_t threads_;
  boost::asio::thread_pool pool_;
};

}  // namespace roost::net
