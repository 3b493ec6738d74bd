// imap-mixed: N clients, each with a session on its own account and one on a shared hot
// account, loop through a realistic mix (SELECT, FETCH 1:* FLAGS, headers of the newest 50,
// a few whole bodies, STORE, APPEND, UID SEARCH, MOVE, EXPUNGE, NOOP, IDLE spells), either
// keeping their sessions (persistent) or logging out and in again after every loop (churn).
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <optional>
#include <random>

#include "imap_client.h"
#include "latency.h"
#include "messages.h"
#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {
namespace {

// Searches a mail client sends, in rotation (flags, addresses, subject, date, body text).
constexpr const char* kSearches[] = {
    "UID SEARCH UNSEEN",
    "UID SEARCH FROM \"sender1\"",
    "UID SEARCH SUBJECT \"report\"",
    "UID SEARCH SINCE 1-Jan-2024 FLAGGED",
    "UID SEARCH BODY \"budget\"",
};

// A command slower than --slow-ms: when it started (seconds into the run), what, how long.
struct SlowSample {
  double at = 0;
  std::string op;
  double ms = 0;
  size_t session = 0;
};

struct MixedTotals {
  LatencySet latency;
  std::vector<SlowSample> slow;
  uint64_t commands = 0;
  uint64_t loops = 0;
  uint64_t literal_bytes = 0;
  std::map<std::string, uint64_t> no_replies;  // "OP: NO text"
  std::map<std::string, uint64_t> errors;      // lost connections and the like

  void merge(const MixedTotals& o) {
    latency.merge(o.latency);
    commands += o.commands;
    loops += o.loops;
    literal_bytes += o.literal_bytes;
    slow.insert(slow.end(), o.slow.begin(), o.slow.end());
    for (const auto& [k, v] : o.no_replies) no_replies[k] += v;
    for (const auto& [k, v] : o.errors) errors[k] += v;
  }
};

struct MixedRun {
  explicit MixedRun(const MixedOptions& o)
      : options(o),
        own(expand_accounts(o.common.accounts)),
        hot(expand_accounts(o.hot_accounts)),
        pool(o.common.corpus.empty() ? MessagePool::generated(64, 1000, 200000, o.common.seed)
                                     : MessagePool::from_dir(o.common.corpus)),
        target(o.common.host, o.common.port, !o.common.plain, o.common.sources) {}

  const MixedOptions& options;
  std::vector<std::string> own;
  std::vector<std::string> hot;
  MessagePool pool;
  Target target;
  SteadyClock::time_point start;
  SteadyClock::time_point end;
  size_t sessions = 1;  // all sessions of the run (--rate is shared among them)
  std::mutex mutex;
  MixedTotals totals;
};

class MixedSession {
 public:
  static constexpr double kSpreadIntervals = 4;

  MixedSession(MixedRun& run, std::string account, size_t index)
      : run_(run),
        account_(std::move(account)),
        index_(index),
        rng_(run.options.common.seed + index * 1000003),
        // Sessions start at different points of the mix (the SEARCH rotation, INBOX/Archive,
        // the IDLE loop), as real clients do; in lockstep every hot session would run the BODY
        // search of the same mailbox at the same moment.
        loop_(rng_() % 60) {}

  Task<void> run() {
    auto ex = co_await asio::this_coro::executor;
    while (!over()) {
      bool failed = false;
      try {
        if (!client_) {
          co_await pace();  // connect and LOGIN count from their actual start
          client_ = co_await open_imap(run_.target, ex, index_, account_,
                                       run_.options.common.password, &t_.latency);
          t_.commands += 1;
          if (!run_.options.churn && t_.loops == 0) start_schedule();
        }
        co_await one_loop();
        ++t_.loops;
        if (run_.options.churn || over()) co_await logout();
      } catch (const std::exception& e) {
        ++t_.errors[e.what()];
        if (client_) t_.literal_bytes += client_->literal_bytes();
        client_.reset();
        failed = true;
      }
      if (failed) {
        co_await sleep_for(std::chrono::milliseconds(100));  // then reconnect
        restart_schedule();
      }
    }
    if (client_) co_await logout();
    std::lock_guard lock(run_.mutex);
    run_.totals.merge(t_);
  }

 private:
  bool over() const { return SteadyClock::now() >= run_.end; }

  // With --rate: waits for this session's next slot and returns the slot's time, from which
  // the command's latency counts (a command that starts late because the previous answer came
  // late is charged for the delay, as a user would feel it). Without: now.
  Task<SteadyClock::time_point> pace() {
    const auto& o = run_.options;
    if (o.think_ms > 0) {
      co_await sleep_for(std::chrono::microseconds(static_cast<int64_t>(o.think_ms * 1000)));
    }
    auto now = SteadyClock::now();
    if (o.rate <= 0) co_return now;
    if (!next_slot_) {
      // The first slot of each session lands at a random point of one interval: no burst.
      std::uniform_real_distribution<double> offset(0.0, 1.0);
      next_slot_ = now + std::chrono::duration_cast<SteadyClock::duration>(interval() * offset(rng_));
    }
    auto slot = *next_slot_;
    *next_slot_ += std::chrono::duration_cast<SteadyClock::duration>(interval());
    if (slot > now) {
      co_await sleep_for(slot - now);
      co_return slot;
    }
    co_return slot;
  }
  // After a wait that is not a command (an IDLE spell, a reconnect): the schedule restarts now.
  void restart_schedule() {
    if (next_slot_) next_slot_ = SteadyClock::now();
  }
  // After the first LOGIN of a persistent session: its commands are scheduled from now on,
  // starting at a random point of the next kSpreadIntervals intervals, so that the sessions'
  // schedules stay spread out (their random starting loops spread the mix itself). The
  // connection storm at the start is not charged to the commands that follow it.
  void start_schedule() {
    if (run_.options.rate <= 0) return;
    std::uniform_real_distribution<double> offset(0.0, kSpreadIntervals);
    next_slot_ = SteadyClock::now() +
                 std::chrono::duration_cast<SteadyClock::duration>(interval() * offset(rng_));
  }
  std::chrono::duration<double> interval() const {
    return std::chrono::duration<double>(run_.sessions / run_.options.rate);
  }

  void record(const char* op, SteadyClock::time_point t0) {
    auto took = SteadyClock::now() - t0;
    t_.latency.add(op, took);
    double ms = std::chrono::duration<double, std::milli>(took).count();
    if (run_.options.slow_ms > 0 && ms >= run_.options.slow_ms) {
      t_.slow.push_back({seconds_between(run_.start, t0), op, ms, index_});
    }
  }

  Task<ImapReply> timed(const char* op, std::string_view command,
                        const UntaggedHandler& on_untagged = {}) {
    auto t0 = co_await pace();
    ImapReply r = co_await client_->command(command, on_untagged);
    record(op, t0);
    ++t_.commands;
    if (!r.ok()) ++t_.no_replies[std::string(op) + ": " + r.status + " " + r.text.substr(0, 80)];
    co_return r;
  }

  Task<void> logout() {
    auto t0 = SteadyClock::now();
    try {
      co_await client_->command("LOGOUT");
      t_.latency.add("LOGOUT", SteadyClock::now() - t0);
      ++t_.commands;
    } catch (const std::exception&) {
      // The server may close first; LOGOUT still ended the session.
    }
    t_.literal_bytes += client_->literal_bytes();
    client_->stream().close();
    client_.reset();
  }

  uint32_t random_uid() { return uids_[rng_() % uids_.size()]; }

  // One loop of the mix, alternating INBOX and Archive so that MOVE goes both ways and the
  // mailboxes keep about their seeded size (EXPUNGE only above it).
  Task<void> one_loop() {
    const bool inbox = loop_ % 2 == 0;
    const std::string mailbox = inbox ? "INBOX" : "Archive";
    const std::string other = inbox ? "Archive" : "INBOX";
    ++loop_;

    int64_t exists = 0;
    co_await timed("SELECT", "SELECT " + mailbox, [&](std::string_view r) {
      if (int64_t n = untagged_number(r, "EXISTS"); n >= 0) exists = n;
    });
    if (over()) co_return;
    auto [target, inserted] = target_size_.try_emplace(mailbox, std::max<int64_t>(exists, 10));

    uids_.clear();
    co_await timed("FETCH 1:* FLAGS", "FETCH 1:* (UID FLAGS)", [&](std::string_view r) {
      if (int64_t uid = item_number(r, "UID"); uid > 0) uids_.push_back(static_cast<uint32_t>(uid));
    });
    if (over()) co_return;

    if (!uids_.empty()) {
      uint32_t first = uids_[uids_.size() > 50 ? uids_.size() - 50 : 0];
      co_await timed("UID FETCH headers",
                     "UID FETCH " + std::to_string(first) + ":" + std::to_string(uids_.back()) +
                         " (UID FLAGS RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE)");
      for (int i = 0; i < 3 && !over(); ++i) {
        co_await timed("UID FETCH BODY.PEEK[]",
                       "UID FETCH " + std::to_string(random_uid()) + " (BODY.PEEK[])");
      }
      if (over()) co_return;
      const char* change = loop_ % 4 < 2 ? " +FLAGS (\\Seen)" : " -FLAGS (\\Seen \\Flagged)";
      co_await timed("UID STORE", "UID STORE " + std::to_string(random_uid()) + change);
      if (loop_ % 3 == 0) {
        co_await timed("UID STORE",
                       "UID STORE " + std::to_string(random_uid()) + " +FLAGS (\\Flagged)");
      }
    }
    if (over()) co_return;

    co_await timed("UID SEARCH", kSearches[loop_ % std::size(kSearches)]);
    if (over()) co_return;

    const std::string& message = run_.pool.pick(rng_);
    auto t0 = co_await pace();
    ImapReply appended = co_await client_->append("INBOX", "", message);
    record("APPEND", t0);
    ++t_.commands;
    if (!appended.ok()) ++t_.no_replies["APPEND: " + appended.status + " " + appended.text];
    if (over()) co_return;

    if (uids_.size() > 2) {
      uint32_t moved = random_uid();
      co_await timed("UID MOVE", "UID MOVE " + std::to_string(moved) + " " + other);
      if (exists > target->second) {
        uint32_t doomed = uids_.front() != moved ? uids_.front() : uids_[1];
        co_await timed("UID STORE",
                       "UID STORE " + std::to_string(doomed) + " +FLAGS.SILENT (\\Deleted)");
        co_await timed("EXPUNGE", "EXPUNGE");
      }
    }
    if (over()) co_return;

    co_await timed("NOOP", "NOOP");

    const auto& o = run_.options;
    if (o.idle_every > 0 && loop_ % o.idle_every == 0 && !over()) {
      auto t1 = co_await pace();
      if (co_await client_->idle_start()) {
        t_.latency.add("IDLE (until +)", SteadyClock::now() - t1);
        co_await sleep_for(std::chrono::milliseconds(o.idle_ms));
        restart_schedule();
        auto t2 = SteadyClock::now();
        co_await client_->idle_done();
        t_.latency.add("IDLE DONE", SteadyClock::now() - t2);
      } else {
        ++t_.no_replies["IDLE refused"];
      }
      ++t_.commands;
    }
  }

  MixedRun& run_;
  std::string account_;
  size_t index_;
  std::mt19937_64 rng_;
  std::unique_ptr<ImapClient> client_;
  std::vector<uint32_t> uids_;
  std::map<std::string, int64_t> target_size_;  // seeded size per mailbox (first SELECT)
  uint64_t loop_ = 0;
  std::optional<SteadyClock::time_point> next_slot_;  // --rate: this session's next command
  MixedTotals t_;
};

}  // namespace

Json run_imap_mixed(const MixedOptions& o) {
  const CommonOptions& c = o.common;
  MixedRun run(o);
  if (run.own.empty()) throw std::invalid_argument("imap-mixed needs --accounts");

  Runtime rt(c.threads);
  std::vector<std::unique_ptr<MixedSession>> sessions;
  for (unsigned i = 0; i < o.clients; ++i) {
    sessions.push_back(std::make_unique<MixedSession>(run, run.own[i % run.own.size()], 2 * i));
    if (!run.hot.empty()) {
      sessions.push_back(
          std::make_unique<MixedSession>(run, run.hot[i % run.hot.size()], 2 * i + 1));
    }
  }
  run.sessions = sessions.size();
  auto t0 = SteadyClock::now();
  run.start = t0;
  run.end = t0 + std::chrono::duration_cast<SteadyClock::duration>(
                     std::chrono::duration<double>(c.duration));
  for (size_t i = 0; i < sessions.size(); ++i) rt.spawn(i / 2, sessions[i]->run());
  bool in_time = rt.run(c.hard_limit());
  double seconds = seconds_between(t0, SteadyClock::now());

  const MixedTotals& t = run.totals;
  Json out = Json::object();
  out.set("scenario", "imap-mixed");
  out.set("mode", o.churn ? "churn" : "persistent");
  out.set("clients", o.clients);
  out.set("rate", o.rate);
  out.set("sessions", static_cast<uint64_t>(sessions.size()));
  out.set("seconds", seconds);
  out.set("timed_out", !in_time);
  out.set("commands", t.commands);
  out.set("commands_per_second", seconds > 0 ? t.commands / seconds : 0.0);
  out.set("loops", t.loops);
  out.set("body_bytes_received", t.literal_bytes);
  out.set("latency_all", t.latency.summary(""));
  out.set("latency", t.latency.summary());
  Json no = Json::object();
  for (const auto& [k, v] : t.no_replies) no.set(k, v);
  out.set("no_replies", std::move(no));
  Json errors = Json::object();
  for (const auto& [k, v] : t.errors) errors.set(k, v);
  out.set("errors", std::move(errors));
  if (o.slow_ms > 0) {
    std::vector<SlowSample> slow = t.slow;
    std::sort(slow.begin(), slow.end(),
              [](const SlowSample& a, const SlowSample& b) { return a.at < b.at; });
    Json list = Json::array();
    for (size_t i = 0; i < slow.size() && i < 5000; ++i) {
      Json one = Json::object();
      one.set("at", slow[i].at);
      one.set("op", slow[i].op);
      one.set("ms", slow[i].ms);
      one.set("session", static_cast<uint64_t>(slow[i].session));
      list.push(std::move(one));
    }
    out.set("slow_commands", std::move(list));
    out.set("slow_count", static_cast<uint64_t>(slow.size()));
  }
  out.set("loadgen", loadgen_usage());
  return out;
}

}  // namespace roost::bench
