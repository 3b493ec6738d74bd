// pop3-drain: one client empties a maildrop the way a POP3 client does: STAT, UIDL, then RETR
// of every message (pipelined only with --pipeline > 1 and CAPA PIPELINING), then QUIT without
// DELE so the maildrop stays for the next round. MB/s is over STAT..last RETR.
#include <deque>
#include <sstream>

#include "latency.h"
#include "pop3_client.h"
#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {
namespace {

struct DrainRun {
  explicit DrainRun(const Pop3Options& o)
      : options(o), target(o.common.host, o.common.port, !o.common.plain, o.common.sources) {}

  const Pop3Options& options;
  Target target;
  LatencySet latency;
  Json result = Json::object();

  Task<void> run() {
    auto ex = co_await asio::this_coro::executor;
    const CommonOptions& c = options.common;
    auto t0 = SteadyClock::now();
    Pop3Client pop(co_await target.connect(ex, 0));
    co_await pop.read_greeting();
    latency.add("connect", SteadyClock::now() - t0);

    std::vector<std::string> capa;
    Pop3Reply capa_reply = co_await pop.command("CAPA");
    if (capa_reply.ok) co_await pop.read_body(&capa);
    bool pipelining = false;
    for (const auto& line : capa) pipelining = pipelining || line == "PIPELINING";

    auto t1 = SteadyClock::now();
    Pop3Reply user = co_await pop.command("USER " + c.accounts);
    Pop3Reply pass = co_await pop.command("PASS " + c.password);
    if (!user.ok || !pass.ok) throw std::runtime_error("POP3 login failed: " + pass.text);
    latency.add("login", SteadyClock::now() - t1);

    auto drain0 = SteadyClock::now();
    Pop3Reply stat = co_await pop.command("STAT");
    auto t2 = SteadyClock::now();
    latency.add("STAT", t2 - drain0);
    if (!stat.ok) throw std::runtime_error("STAT failed: " + stat.text);
    uint64_t count = 0, octets = 0;
    std::istringstream(stat.text) >> count >> octets;

    Pop3Body uidl;
    Pop3Reply uidl_reply = co_await pop.multiline("UIDL", &uidl);
    auto t3 = SteadyClock::now();
    latency.add("UIDL", t3 - t2);
    if (!uidl_reply.ok) throw std::runtime_error("UIDL failed: " + uidl_reply.text);

    // RETR 1..count with up to `window` commands in flight.
    const size_t window = pipelining ? std::max(1u, options.pipeline) : 1;
    uint64_t bytes = 0, retrieved = 0, sent = 0, failed = 0;
    std::deque<SteadyClock::time_point> sent_at;
    while (retrieved + failed < count) {
      while (sent < count && sent_at.size() < window) {
        co_await pop.send("RETR " + std::to_string(++sent));
        sent_at.push_back(SteadyClock::now());
      }
      Pop3Reply r = co_await pop.read_reply();
      if (r.ok) {
        Pop3Body body = co_await pop.read_body();
        bytes += body.bytes;
        ++retrieved;
      } else {
        ++failed;
      }
      latency.add("RETR", SteadyClock::now() - sent_at.front());
      sent_at.pop_front();
    }
    auto drain1 = SteadyClock::now();
    co_await pop.command("QUIT");

    double drain_seconds = seconds_between(drain0, drain1);
    result.set("messages", count);
    result.set("maildrop_octets", octets);
    result.set("retrieved", retrieved);
    result.set("retr_failed", failed);
    result.set("uidl_lines", uidl.lines);
    result.set("bytes", bytes);
    result.set("pipelining", pipelining);
    result.set("window", static_cast<uint64_t>(window));
    result.set("stat_ms", seconds_between(drain0, t2) * 1000);
    result.set("uidl_ms", seconds_between(t2, t3) * 1000);
    result.set("retr_seconds", seconds_between(t3, drain1));
    result.set("drain_seconds", drain_seconds);
    result.set("mb_per_second", drain_seconds > 0 ? bytes / drain_seconds / 1e6 : 0.0);
    result.set("messages_per_second", drain_seconds > 0 ? retrieved / drain_seconds : 0.0);
  }
};

Task<void> run_guarded(DrainRun& run, std::string& failure) {
  try {
    co_await run.run();
  } catch (const std::exception& e) {
    failure = e.what();
  }
}

}  // namespace

Json run_pop3_drain(const Pop3Options& o) {
  const CommonOptions& c = o.common;
  DrainRun run(o);
  Runtime rt(1);
  std::string failure;
  rt.spawn(0, run_guarded(run, failure));
  bool in_time = rt.run(c.hard_limit());

  Json out = Json::object();
  out.set("scenario", "pop3-drain");
  out.set("tls", !c.plain);
  out.set("timed_out", !in_time);
  if (!failure.empty()) out.set("error", failure);
  out.set("drain", std::move(run.result));
  out.set("latency", run.latency.summary());
  out.set("loadgen", loadgen_usage());
  return out;
}

}  // namespace roost::bench
