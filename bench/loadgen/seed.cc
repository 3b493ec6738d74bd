// seed: APPENDs the same messages to every account (untimed set-up for imap-mixed and
// idle-fleet), so both servers start from identical mailboxes.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>

#include "imap_client.h"
#include "messages.h"
#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {
namespace {

struct SeedRun {
  explicit SeedRun(const SeedOptions& o)
      : options(o),
        accounts(expand_accounts(o.common.accounts)),
        pool(o.common.corpus.empty() ? MessagePool::generated(64, 1000, 60000, o.common.seed)
                                     : MessagePool::from_dir(o.common.corpus)),
        target(o.common.host, o.common.port, !o.common.plain, o.common.sources) {}

  const SeedOptions& options;
  std::vector<std::string> accounts;
  MessagePool pool;
  Target target;
  std::atomic<size_t> next{0};
  std::atomic<uint64_t> appended{0}, refused{0}, bytes{0};
  std::mutex mutex;
  std::map<std::string, uint64_t> errors;

  Task<void> worker(size_t w) {
    auto ex = co_await asio::this_coro::executor;
    for (size_t i; (i = next++) < accounts.size();) {
      try {
        auto c = co_await open_imap(target, ex, w, accounts[i], options.common.password, nullptr);
        for (const auto& name : options.create) co_await c->command("CREATE " + imap_quote(name));
        for (uint64_t m = 0; m < options.messages; ++m) {
          // A different slice of the pool per account, the same for every server.
          const std::string& msg = pool.at(i * 7919 + m);
          ImapReply r = co_await c->append(options.mailbox, "", msg);
          if (r.ok()) {
            ++appended;
            bytes += msg.size();
          } else {
            ++refused;
          }
        }
        co_await c->command("LOGOUT");
      } catch (const std::exception& e) {
        std::lock_guard lock(mutex);
        ++errors[e.what()];
      }
    }
  }
};

}  // namespace

Json run_seed(const SeedOptions& o) {
  const CommonOptions& c = o.common;
  SeedRun run(o);
  Runtime rt(c.threads);
  auto t0 = SteadyClock::now();
  for (unsigned w = 0; w < std::max(1u, o.connections); ++w) rt.spawn(w, run.worker(w));
  bool in_time = rt.run(c.hard_limit());
  double seconds = seconds_between(t0, SteadyClock::now());

  Json out = Json::object();
  out.set("scenario", "seed");
  out.set("accounts", static_cast<uint64_t>(run.accounts.size()));
  out.set("appended", run.appended.load());
  out.set("refused", run.refused.load());
  out.set("bytes", run.bytes.load());
  out.set("seconds", seconds);
  out.set("timed_out", !in_time);
  Json errors = Json::object();
  for (const auto& [what, n] : run.errors) errors.set(what, n);
  out.set("errors", std::move(errors));
  return out;
}

}  // namespace roost::bench
