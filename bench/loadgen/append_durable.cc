// append-durable: N clients APPEND messages of 10 KiB to 1 MiB (log-uniform) to their own
// INBOX as fast as the server acknowledges them; every acknowledgement is durable on both
// servers, so this measures the cost of durable saves (fsync, group commit).
#include <atomic>
#include <map>
#include <mutex>
#include <random>

#include "imap_client.h"
#include "latency.h"
#include "messages.h"
#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {
namespace {

struct AppendRun {
  explicit AppendRun(const AppendOptions& o)
      : options(o),
        accounts(expand_accounts(o.common.accounts)),
        pool(MessagePool::generated(64, o.min_size, o.max_size, o.common.seed)),
        target(o.common.host, o.common.port, !o.common.plain, o.common.sources) {}

  const AppendOptions& options;
  std::vector<std::string> accounts;
  MessagePool pool;
  Target target;
  SteadyClock::time_point end;
  std::atomic<uint64_t> messages{0}, bytes{0}, refused{0};
  std::mutex mutex;
  LatencySet latency;
  std::map<std::string, uint64_t> errors;

  Task<void> client(size_t i) {
    auto ex = co_await asio::this_coro::executor;
    std::mt19937_64 rng(options.common.seed * 7 + i);
    LatencySet lat;
    std::unique_ptr<ImapClient> c;
    while (SteadyClock::now() < end) {
      bool failed = false;
      try {
        if (!c) {
          c = co_await open_imap(target, ex, i, accounts[i % accounts.size()],
                                 options.common.password, &lat);
        }
        const std::string& msg = pool.pick(rng);
        auto t0 = SteadyClock::now();
        ImapReply r = co_await c->append("INBOX", "", msg);
        lat.add("APPEND", SteadyClock::now() - t0);
        if (r.ok()) {
          ++messages;
          bytes += msg.size();
        } else {
          ++refused;
          std::lock_guard lock(mutex);
          ++errors["APPEND " + r.status + " " + r.text.substr(0, 100)];
        }
      } catch (const std::exception& e) {
        {
          std::lock_guard lock(mutex);
          ++errors[e.what()];
        }
        c.reset();
        failed = true;
      }
      if (failed) co_await sleep_for(std::chrono::milliseconds(100));  // then reconnect
    }
    if (c) {
      try {
        co_await c->command("LOGOUT");
      } catch (const std::exception&) {
      }
    }
    std::lock_guard lock(mutex);
    latency.merge(lat);
  }
};

}  // namespace

Json run_append_durable(const AppendOptions& o) {
  const CommonOptions& c = o.common;
  AppendRun run(o);
  if (run.accounts.empty()) throw std::invalid_argument("append needs --accounts");
  Runtime rt(c.threads);
  auto t0 = SteadyClock::now();
  run.end = t0 + std::chrono::duration_cast<SteadyClock::duration>(
                     std::chrono::duration<double>(c.duration));
  for (unsigned i = 0; i < o.clients; ++i) rt.spawn(i, run.client(i));
  bool in_time = rt.run(c.hard_limit());
  double seconds = seconds_between(t0, SteadyClock::now());

  Json out = Json::object();
  out.set("scenario", "append-durable");
  out.set("clients", o.clients);
  out.set("seconds", seconds);
  out.set("timed_out", !in_time);
  out.set("messages", run.messages.load());
  out.set("bytes", run.bytes.load());
  out.set("refused", run.refused.load());
  out.set("messages_per_second", run.messages / seconds);
  out.set("mb_per_second", run.bytes / seconds / 1e6);
  out.set("mean_message_bytes", static_cast<double>(run.pool.total_bytes()) / run.pool.size());
  out.set("latency", run.latency.summary());
  Json errors = Json::object();
  for (const auto& [k, v] : run.errors) errors.set(k, v);
  out.set("errors", std::move(errors));
  out.set("loadgen", loadgen_usage());
  return out;
}

}  // namespace roost::bench
