// Names every part of roost-bench shares: Asio aliases, the clock, a one-shot event.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>

namespace roost::bench {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
template <class T = void>
using Task = asio::awaitable<T>;
using SteadyClock = std::chrono::steady_clock;

inline double seconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Sleeps on the calling coroutine's executor.
Task<void> sleep_for(SteadyClock::duration d);

// A one-shot event that coroutines on one executor can await; set() from that executor only.
class Event {
 public:
  explicit Event(asio::any_io_executor ex) : timer_(ex, SteadyClock::time_point::max()) {}
  void set() {
    fired_ = true;
    timer_.cancel();
  }
  bool fired() const { return fired_; }
  Task<void> wait() {
    while (!fired_) co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

 private:
  bool fired_ = false;
  asio::steady_timer timer_;
};

}  // namespace roost::bench
