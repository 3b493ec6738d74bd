// idle-fleet: opens many TLS sessions (LOGIN, SELECT INBOX, IDLE), reports "ready" so the
// runner can measure the server's memory, then delivers one message (APPEND from a separate
// session) to each of the first N accounts and measures how long each idling session of
// those accounts takes to see its EXISTS.
#include <atomic>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "imap_client.h"
#include "latency.h"
#include "messages.h"
#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {
namespace {

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(SteadyClock::now().time_since_epoch())
      .count();
}

struct Idler {
  size_t account = 0;
  std::unique_ptr<ImapClient> client;
  int64_t exists_at_select = -1;
  std::atomic<int64_t> seen_ns{0};  // when the first EXISTS above exists_at_select arrived
  std::atomic<bool> ready{false};
  std::atomic<bool> lost{false};
};

struct Delivery {
  std::unique_ptr<ImapClient> client;
  std::atomic<int64_t> sent_ns{0};
  std::atomic<int64_t> ok_ns{0};
  std::atomic<bool> ok{false};
};

struct FleetRun {
  FleetRun(const IdleFleetOptions& o, Runtime& runtime)
      : options(o),
        accounts(expand_accounts(o.common.accounts)),
        target(o.common.host, o.common.port, !o.common.plain, o.common.sources),
        rt(runtime) {}

  const IdleFleetOptions& options;
  std::vector<std::string> accounts;
  Target target;
  Runtime& rt;
  std::vector<std::unique_ptr<Idler>> idlers;
  std::vector<std::unique_ptr<Delivery>> deliveries;
  std::string message;

  std::atomic<size_t> next_idler{0};
  std::atomic<size_t> setup_done_workers{0};
  std::atomic<size_t> ready{0}, failed{0}, lost{0};
  std::atomic<size_t> opened_deliveries{0}, delivered{0};
  std::atomic<bool> go{false};  // delivery has begun: a lost idler no longer counts as lost
  std::mutex mutex;
  std::map<std::string, uint64_t> errors;
  LatencySet setup_latency;   // guarded by mutex
  LatencySet append_latency;  // guarded by mutex
  double setup_seconds = 0;
  double delivery_seconds = 0;
  double push_wait_seconds = 0;
  bool stdin_go = false;

  void note_error(const std::string& what) {
    std::lock_guard lock(mutex);
    ++errors[what];
  }

  // Brings idlers up one after the other; --connect-concurrency workers bound the sessions
  // being set up at once.
  Task<void> setup_worker(size_t w) {
    auto ex = co_await asio::this_coro::executor;
    LatencySet lat;
    for (size_t i; (i = next_idler++) < idlers.size();) {
      Idler& idler = *idlers[i];
      try {
        idler.client = co_await open_imap(target, ex, i, accounts[idler.account],
                                          options.common.password, &lat);
        auto t0 = SteadyClock::now();
        ImapReply sel = co_await idler.client->command("SELECT INBOX", [&](std::string_view r) {
          if (int64_t n = untagged_number(r, "EXISTS"); n >= 0) idler.exists_at_select = n;
        });
        lat.add("SELECT", SteadyClock::now() - t0);
        if (!sel.ok()) throw std::runtime_error("SELECT INBOX: " + sel.status + " " + sel.text);
        auto t1 = SteadyClock::now();
        if (!co_await idler.client->idle_start()) throw std::runtime_error("IDLE refused");
        lat.add("IDLE (until +)", SteadyClock::now() - t1);
        idler.ready = true;
        ++ready;
        rt.spawn(w, watch(idler));  // context w: the one this worker and the idler run on
      } catch (const std::exception& e) {
        ++failed;
        note_error(std::string("setup: ") + e.what());
        if (idler.client) idler.client->stream().close();
      }
    }
    {
      std::lock_guard lock(mutex);
      setup_latency.merge(lat);
    }
    ++setup_done_workers;
  }

  // Reads what the server pushes to one idling session; notes the first new EXISTS.
  Task<void> watch(Idler& idler) {
    try {
      for (;;) {
        std::string_view r = co_await idler.client->idle_next();
        int64_t n = untagged_number(r, "EXISTS");
        if (n > idler.exists_at_select && idler.seen_ns == 0) idler.seen_ns = now_ns();
      }
    } catch (const std::exception& e) {
      if (!go || idler.seen_ns == 0) {
        idler.lost = true;
        ++lost;
        note_error(std::string("idle: ") + e.what());
      }
    }
  }

  // Delivers to accounts j = w, w + W, ...: connect, LOGIN, APPEND (timed from sending it),
  // LOGOUT. One connection per worker at a time, so deliveries need few descriptors.
  Task<void> delivery_worker(size_t w, size_t workers) {
    auto ex = co_await asio::this_coro::executor;
    LatencySet lat;
    for (size_t j = w; j < deliveries.size(); j += workers) {
      Delivery& d = *deliveries[j];
      try {
        auto client = co_await open_imap(target, ex, idlers.size() + w, accounts[j],
                                         options.common.password, nullptr);
        ++opened_deliveries;
        d.sent_ns = now_ns();
        ImapReply r = co_await client->append("INBOX", "", message);
        d.ok_ns = now_ns();
        lat.add_micros("APPEND", (d.ok_ns - d.sent_ns) / 1000.0);
        if (r.ok()) {
          d.ok = true;
        } else {
          note_error("delivery APPEND: " + r.status + " " + r.text);
        }
        co_await client->command("LOGOUT");
      } catch (const std::exception& e) {
        note_error(std::string("delivery: ") + e.what());
      }
      ++delivered;
    }
    std::lock_guard lock(mutex);
    append_latency.merge(lat);
  }

  Task<void> coordinate() {
    const auto& o = options;
    auto t0 = SteadyClock::now();
    size_t workers = std::max(1u, std::min<unsigned>(o.connect_concurrency, o.sessions));
    for (size_t w = 0; w < workers; ++w) rt.spawn(w, setup_worker(w));
    while (setup_done_workers < workers) co_await sleep_for(std::chrono::milliseconds(20));
    setup_seconds = seconds_between(t0, SteadyClock::now());

    Json event = Json::object();
    event.set("event", "ready");
    event.set("sessions_ready", ready.load());
    event.set("setup_failed", failed.load());
    event.set("setup_seconds", setup_seconds);
    std::cout << event.dump() << std::endl;

    if (o.sync_stdin) {
      auto line_read = std::make_shared<std::atomic<bool>>(false);
      std::thread reader([line_read] {
        std::string line;
        std::getline(std::cin, line);
        *line_read = true;
      });
      reader.detach();  // a runner that never answers is ended by the hard time limit
      while (!*line_read) co_await sleep_for(std::chrono::milliseconds(20));
      stdin_go = true;
    } else {
      co_await sleep_for(std::chrono::duration_cast<SteadyClock::duration>(
          std::chrono::duration<double>(o.settle_seconds)));
    }

    auto t2 = SteadyClock::now();
    go = true;
    size_t dworkers =
        std::max<size_t>(1, std::min<size_t>(o.delivery_concurrency, deliveries.size()));
    for (size_t w = 0; w < dworkers; ++w) rt.spawn(w, delivery_worker(w, dworkers));
    while (delivered < deliveries.size()) co_await sleep_for(std::chrono::milliseconds(5));
    delivery_seconds = seconds_between(t2, SteadyClock::now());

    auto push_deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                  std::chrono::duration<double>(o.push_timeout));
    for (;;) {
      size_t waiting = 0;
      for (const auto& idler : idlers) {
        if (idler->ready && !idler->lost && idler->account < deliveries.size() &&
            deliveries[idler->account]->ok && idler->seen_ns == 0) {
          ++waiting;
        }
      }
      if (waiting == 0 || SteadyClock::now() >= push_deadline) break;
      co_await sleep_for(std::chrono::milliseconds(10));
    }
    push_wait_seconds = seconds_between(t2, SteadyClock::now());
    rt.stop();
  }
};

}  // namespace

Json run_idle_fleet(const IdleFleetOptions& o) {
  const CommonOptions& c = o.common;
  Runtime rt(c.threads);
  FleetRun run(o, rt);
  if (run.accounts.empty()) throw std::invalid_argument("idle-fleet needs --accounts");
  std::mt19937_64 rng(c.seed);
  run.message = make_message(3000, 4242, rng);
  for (unsigned i = 0; i < o.sessions; ++i) {
    run.idlers.push_back(std::make_unique<Idler>());
    run.idlers.back()->account = i % run.accounts.size();
  }
  size_t deliver = std::min<size_t>(o.deliver_accounts, run.accounts.size());
  for (size_t j = 0; j < deliver; ++j) run.deliveries.push_back(std::make_unique<Delivery>());

  rt.spawn(0, run.coordinate());
  bool in_time = rt.run(c.hard_limit());

  // Every thread has stopped: the atomics below are final.
  std::vector<float> push_from_send, push_from_ok;
  size_t expected = 0, seen = 0, before_ok = 0;
  for (const auto& idler : run.idlers) {
    if (!idler->ready || idler->account >= run.deliveries.size()) continue;
    const Delivery& d = *run.deliveries[idler->account];
    if (!d.ok) continue;
    ++expected;
    if (idler->seen_ns == 0) continue;
    ++seen;
    push_from_send.push_back((idler->seen_ns - d.sent_ns) / 1000.0f);
    int64_t after_ok = idler->seen_ns - d.ok_ns;
    if (after_ok < 0) ++before_ok;
    push_from_ok.push_back(std::max<int64_t>(after_ok, 0) / 1000.0f);
  }
  size_t delivered_ok = 0;
  for (const auto& d : run.deliveries) delivered_ok += d->ok ? 1 : 0;
  auto pct = [](std::vector<float>& v) {
    Json j = Json::object();
    j.set("count", static_cast<uint64_t>(v.size()));
    if (!v.empty()) {
      j.set("p50_ms", percentile(v, 0.5) / 1000.0);
      j.set("p99_ms", percentile(v, 0.99) / 1000.0);
      j.set("max_ms", v.back() / 1000.0);
    }
    return j;
  };

  Json out = Json::object();
  out.set("scenario", "idle-fleet");
  out.set("fd_limit", o.fd_limit);
  out.set("sessions_requested", o.sessions);
  out.set("sessions_ready", run.ready.load());
  out.set("setup_failed", run.failed.load());
  out.set("lost_while_idle", run.lost.load());
  out.set("setup_seconds", run.setup_seconds);
  out.set("setup_latency", run.setup_latency.summary());
  out.set("sync_stdin", run.stdin_go);
  out.set("delivery_accounts", static_cast<uint64_t>(run.deliveries.size()));
  out.set("delivery_logins", run.opened_deliveries.load());
  out.set("delivered", static_cast<uint64_t>(delivered_ok));
  out.set("delivery_seconds", run.delivery_seconds);
  out.set("append_latency", run.append_latency.summary("APPEND"));
  out.set("pushes_expected", static_cast<uint64_t>(expected));
  out.set("pushes_seen", static_cast<uint64_t>(seen));
  out.set("pushes_before_append_ok", static_cast<uint64_t>(before_ok));
  out.set("push_latency_from_append", pct(push_from_send));
  out.set("push_latency_after_append_ok", pct(push_from_ok));
  out.set("push_wait_seconds", run.push_wait_seconds);
  out.set("timed_out", !in_time);
  Json errors = Json::object();
  for (const auto& [k, v] : run.errors) errors.set(k, v);
  out.set("errors", std::move(errors));
  out.set("loadgen", loadgen_usage());
  return out;
}

}  // namespace roost::bench
