// roost-bench: the load generator of `./dev bench` (bench/README.md). One subcommand per
// scenario; each prints one JSON object of results on stdout (idle-fleet prints a "ready"
// line first) and talks only to the host it is given (bench/run.py: 127.0.0.1).
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>

#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {

Json loadgen_usage() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  auto secs = [](const timeval& tv) { return tv.tv_sec + tv.tv_usec / 1e6; };
  Json j = Json::object();
  j.set("cpu_seconds", secs(ru.ru_utime) + secs(ru.ru_stime));
  j.set("max_rss_mib", ru.ru_maxrss / 1024.0);
  return j;
}

namespace {

void add_common(CLI::App* app, CommonOptions& c, double default_duration) {
  c.duration = default_duration;
  app->add_option("--host", c.host, "Server address (loopback)")->capture_default_str();
  app->add_option("--port", c.port, "Server port")->required();
  app->add_flag("--plain", c.plain, "No TLS (default: TLS from the first byte)");
  app->add_option("--source", c.sources,
                  "Source addresses to spread connections over: 127.0.0.2-127.0.0.9 or a,b,c");
  app->add_option("--accounts", c.accounts, "Accounts: user{1..100}, a,b,c or @FILE")->required();
  app->add_option("--password", c.password, "Password of every account")->required();
  app->add_option("--duration", c.duration, "Seconds of load")->capture_default_str();
  app->add_option("--timeout", c.timeout, "Hard limit in seconds (default: duration + 120)");
  app->add_option("--threads", c.threads, "io_context threads")->capture_default_str();
  app->add_option("--seed", c.seed, "Random seed")->capture_default_str();
  app->add_option("--corpus", c.corpus, "Directory of *.eml messages to APPEND");
}

int run(int argc, char** argv) {
  CLI::App app{"roost-bench: IMAP/POP3 load generator for ./dev bench"};
  app.require_subcommand(1);

  SeedOptions seed;
  auto* s = app.add_subcommand("seed", "APPEND the same messages to every account (set-up)");
  add_common(s, seed.common, 0);
  s->add_option("--mailbox", seed.mailbox)->capture_default_str();
  s->add_option("--create", seed.create, "Mailboxes to CREATE first");
  s->add_option("--messages", seed.messages, "Messages per account")->capture_default_str();
  s->add_option("--connections", seed.connections)->capture_default_str();

  MixedOptions mixed;
  auto* m = app.add_subcommand("imap-mixed", "Realistic IMAP command mix, N clients");
  add_common(m, mixed.common, 60);
  m->add_option("--hot-accounts", mixed.hot_accounts, "Shared accounts (one session each)");
  m->add_option("--clients", mixed.clients)->capture_default_str();
  m->add_flag("--churn", mixed.churn, "LOGOUT + reconnect + LOGIN after every loop");
  m->add_option("--idle-every", mixed.idle_every, "Every Nth loop idles")->capture_default_str();
  m->add_option("--idle-ms", mixed.idle_ms)->capture_default_str();
  m->add_option("--think-ms", mixed.think_ms, "Pause before each command")->capture_default_str();
  m->add_option("--rate", mixed.rate,
                "Commands/s over all sessions, each on a fixed schedule (0: as fast as answered)")
      ->capture_default_str();
  m->add_option("--slow-ms", mixed.slow_ms,
                "List each command that took at least this many ms (0: none)")
      ->capture_default_str();

  IdleFleetOptions fleet;
  auto* f = app.add_subcommand("idle-fleet", "Many idling sessions, then push latency");
  add_common(f, fleet.common, 0);
  f->add_option("--sessions", fleet.sessions)->capture_default_str();
  f->add_option("--deliver-accounts", fleet.deliver_accounts)->capture_default_str();
  f->add_option("--connect-concurrency", fleet.connect_concurrency)->capture_default_str();
  f->add_option("--delivery-concurrency", fleet.delivery_concurrency)->capture_default_str();
  f->add_option("--push-timeout", fleet.push_timeout)->capture_default_str();
  f->add_flag("--sync-stdin", fleet.sync_stdin, "After 'ready', wait for a line on stdin");
  f->add_option("--settle-seconds", fleet.settle_seconds)->capture_default_str();

  AppendOptions append;
  auto* a = app.add_subcommand("append", "Durable APPEND throughput");
  add_common(a, append.common, 30);
  a->add_option("--clients", append.clients)->capture_default_str();
  a->add_option("--min-size", append.min_size)->capture_default_str();
  a->add_option("--max-size", append.max_size)->capture_default_str();

  BigMailboxOptions big;
  auto* b = app.add_subcommand("big-mailbox", "Timed operations on one huge mailbox");
  add_common(b, big.common, 0);
  b->add_option("--mailbox", big.mailbox)->capture_default_str();
  b->add_option("--phases", big.phases)->capture_default_str();
  b->add_option("--header-name", big.header_name)->capture_default_str();
  b->add_option("--header-value", big.header_value);
  b->add_option("--text-word", big.text_word)->capture_default_str();
  b->add_option("--flag-changes", big.flag_changes)->capture_default_str();
  b->add_option("--op-timeout", big.op_timeout)->capture_default_str();

  Pop3Options pop;
  auto* p = app.add_subcommand("pop3-drain", "STAT, UIDL and RETR of a whole maildrop");
  add_common(p, pop.common, 0);
  p->add_option("--pipeline", pop.pipeline)->capture_default_str();

  CLI11_PARSE(app, argc, argv);

  // Every connection is a descriptor; ask for room for the largest fleet plus slack.
  uint64_t fds = raise_fd_limit(1048576);

  Json result;
  if (*s) {
    if (seed.common.timeout == 0) seed.common.timeout = 3600;
    result = run_seed(seed);
  }
  if (*m) result = run_imap_mixed(mixed);
  if (*f) {
    fleet.fd_limit = fds;
    if (fds < fleet.sessions + fleet.delivery_concurrency + 64) {
      std::cerr << "roost-bench: warning: only " << fds << " file descriptors allowed (hard "
                << "limit; raising it needs CAP_SYS_RESOURCE): not enough for " << fleet.sessions
                << " sessions\n";
    }
    if (fleet.common.timeout == 0) {
      fleet.common.timeout = 600 + fleet.push_timeout + fleet.sessions / 50.0;
    }
    result = run_idle_fleet(fleet);
  }
  if (*a) result = run_append_durable(append);
  if (*b) {
    if (big.common.timeout == 0) big.common.timeout = 8 * big.op_timeout;
    result = run_big_mailbox(big);
  }
  if (*p) {
    if (pop.common.timeout == 0) pop.common.timeout = 1800;
    result = run_pop3_drain(pop);
  }
  std::cout << result.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace roost::bench

int main(int argc, char** argv) {
  try {
    return roost::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "roost-bench: " << e.what() << "\n";
    return 1;
  }
}
