// big-mailbox: one session on a very large mailbox, timing each phase named in --phases:
//   select          SELECT
//   fetch-flags     FETCH 1:* (UID FLAGS)
//   search-header   UID SEARCH HEADER <name> <value>
//   search-text     SEARCH TEXT <word>  (the word is in 1% of the messages)
//   sort-date       SORT (DATE) UTF-8 ALL
//   qresync         a second client changes flags on --flag-changes messages, then a QRESYNC
//                   SELECT (RFC 7162 §3.2.5) resynchronises; only the resync is timed
// Every phase has its own time limit (--op-timeout); after one times out the rest are skipped.
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "imap_client.h"
#include "runtime.h"
#include "scenarios.h"

namespace roost::bench {
namespace {

// Closes a stream when a phase overruns its time limit (the pending read then fails).
class Watchdog {
 public:
  Watchdog(asio::any_io_executor ex, Stream& stream, double seconds)
      : state_(std::make_shared<State>()), timer_(ex) {
    state_->stream = &stream;
    timer_.expires_after(
        std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(seconds)));
    timer_.async_wait([state = state_](boost::system::error_code ec) {
      if (!ec && state->stream != nullptr) {
        state->fired = true;
        state->stream->close();
      }
    });
  }
  ~Watchdog() {
    state_->stream = nullptr;
    timer_.cancel();
  }
  bool fired() const { return state_->fired; }

 private:
  struct State {
    Stream* stream = nullptr;
    bool fired = false;
  };
  std::shared_ptr<State> state_;
  asio::steady_timer timer_;
};

Json status_only(const std::string& status) {
  Json j = Json::object();
  j.set("status", status);
  return j;
}

size_t count_numbers(std::string_view search_response) {
  // "* SEARCH 1 5 9" / "* SORT 3 1 2": the numbers after the keyword.
  size_t n = 0;
  std::istringstream words{std::string(search_response)};
  std::string w;
  words >> w >> w;  // "*" and the keyword
  while (words >> w) n += std::isdigit(static_cast<unsigned char>(w[0])) ? 1 : 0;
  return n;
}

struct BigRun {
  explicit BigRun(const BigMailboxOptions& o)
      : options(o), target(o.common.host, o.common.port, !o.common.plain, o.common.sources) {}

  const BigMailboxOptions& options;
  Target target;
  Json phases = Json::object();
  bool stopped = false;
  int64_t exists = -1;
  std::vector<uint32_t> uids;

  bool wants(std::string_view phase) const {
    std::string list = "," + options.phases + ",";
    return list.find("," + std::string(phase) + ",") != std::string::npos;
  }

  // Runs one timed command; records seconds, status and what `result` counted.
  Task<void> phase(ImapClient& c, const std::string& name, const std::string& command,
                   const UntaggedHandler& on_untagged, const std::function<Json()>& result) {
    if (stopped || !wants(name)) co_return;
    Json p = Json::object();
    auto ex = co_await asio::this_coro::executor;
    auto t0 = SteadyClock::now();
    Watchdog dog(ex, c.stream(), options.op_timeout);
    try {
      ImapReply r = co_await c.command(command, on_untagged);
      p.set("seconds", seconds_between(t0, SteadyClock::now()));
      p.set("status", r.ok() ? std::string("ok") : r.status + " " + r.text.substr(0, 200));
      if (result) p.set("result", result());
    } catch (const std::exception& e) {
      p.set("seconds", seconds_between(t0, SteadyClock::now()));
      p.set("status", dog.fired() ? std::string("timeout") : std::string("error: ") + e.what());
      stopped = true;
    }
    phases.set(name, std::move(p));
  }

  Task<void> run() {
    auto ex = co_await asio::this_coro::executor;
    const auto& o = options;
    auto c = co_await open_imap(target, ex, 0, o.common.accounts, o.common.password, nullptr);
    co_await c->command("CAPABILITY");

    co_await phase(
        *c, "select", "SELECT " + imap_quote(o.mailbox),
        [&](std::string_view r) {
          if (int64_t n = untagged_number(r, "EXISTS"); n >= 0) exists = n;
        },
        [&] { return Json(exists); });
    if (!wants("select")) {
      co_await c->command("SELECT " + imap_quote(o.mailbox), [&](std::string_view r) {
        if (int64_t n = untagged_number(r, "EXISTS"); n >= 0) exists = n;
      });
    }

    co_await phase(
        *c, "fetch-flags", "FETCH 1:* (UID FLAGS)",
        [&](std::string_view r) {
          if (int64_t uid = item_number(r, "UID"); uid > 0) uids.push_back(uid);
        },
        [&] { return Json(static_cast<uint64_t>(uids.size())); });

    size_t found = 0;
    auto count_search = [&](std::string_view r) {
      if (r.starts_with("* SEARCH") || r.starts_with("* SORT")) found += count_numbers(r);
    };
    auto found_json = [&] { return Json(static_cast<uint64_t>(found)); };
    if (!o.header_value.empty()) {
      found = 0;
      co_await phase(
          *c, "search-header",
          "UID SEARCH HEADER " + imap_quote(o.header_name) + " " + imap_quote(o.header_value),
          count_search, found_json);
    }
    found = 0;
    co_await phase(*c, "search-text", "SEARCH TEXT " + imap_quote(o.text_word), count_search,
                   found_json);
    found = 0;
    if (c->has_capability("SORT")) {
      co_await phase(*c, "sort-date", "SORT (DATE) UTF-8 ALL", count_search, found_json);
    } else if (wants("sort-date")) {
      phases.set("sort-date", status_only("n/a: no SORT capability"));
    }
    if (wants("qresync") && !stopped) co_await qresync(*c);
    try {
      co_await c->command("LOGOUT");
    } catch (const std::exception&) {
    }
  }

  // RFC 7162 §3.2.5: remember (UIDVALIDITY, HIGHESTMODSEQ), let another client change flags
  // on flag_changes messages, then time the QRESYNC SELECT that fetches those changes.
  Task<void> qresync(ImapClient& changer) {
    if (!changer.has_capability("QRESYNC")) {
      phases.set("qresync", status_only("n/a: no QRESYNC capability"));
      co_return;
    }
    auto ex = co_await asio::this_coro::executor;
    const auto& o = options;
    std::string mailbox = imap_quote(o.mailbox);
    int64_t uidvalidity = -1, modseq = -1;
    {
      auto q = co_await open_imap(target, ex, 1, o.common.accounts, o.common.password, nullptr);
      co_await q->command("ENABLE QRESYNC");
      co_await q->command("SELECT " + mailbox, [&](std::string_view r) {
        if (int64_t v = item_number(r, "UIDVALIDITY"); v >= 0) uidvalidity = v;
        if (int64_t m = item_number(r, "HIGHESTMODSEQ"); m >= 0) modseq = m;
      });
      co_await q->command("LOGOUT");
    }
    if (uidvalidity < 0 || modseq < 0 || exists <= 0) {
      phases.set("qresync", status_only("error: no UIDVALIDITY/HIGHESTMODSEQ after SELECT"));
      co_return;
    }
    // Spread the changes over the mailbox; a keyword new to this run always changes the flags.
    std::ostringstream set;
    size_t n = std::min<size_t>(o.flag_changes, exists);
    std::mt19937_64 rng(o.common.seed);
    const uint64_t stride = std::max<uint64_t>(1, exists / n);
    for (size_t i = 0; i < n; ++i) {
      uint64_t seq = std::min<uint64_t>(exists, 1 + i * exists / n + rng() % stride);
      set << (i ? "," : "") << seq;
    }
    std::string keyword = "$Bench" + std::to_string(o.common.seed);
    auto t0 = SteadyClock::now();
    ImapReply stored =
        co_await changer.command("STORE " + set.str() + " +FLAGS.SILENT (" + keyword + ")");
    double store_seconds = seconds_between(t0, SteadyClock::now());

    auto q = co_await open_imap(target, ex, 2, o.common.accounts, o.common.password, nullptr);
    co_await q->command("ENABLE QRESYNC");
    size_t fetches = 0, vanished = 0;
    co_await phase(
        *q, "qresync",
        "SELECT " + mailbox + " (QRESYNC (" + std::to_string(uidvalidity) + " " +
            std::to_string(modseq) + "))",
        [&](std::string_view r) {
          if (untagged_number(r, "FETCH") >= 0) ++fetches;
          if (r.starts_with("* VANISHED")) ++vanished;
        },
        [&] {
          Json j = Json::object();
          j.set("fetch_responses", static_cast<uint64_t>(fetches));
          j.set("vanished_responses", static_cast<uint64_t>(vanished));
          j.set("changed", static_cast<uint64_t>(n));
          j.set("store_status", stored.status);
          j.set("store_seconds", store_seconds);
          return j;
        });
    try {
      co_await q->command("LOGOUT");
    } catch (const std::exception&) {
    }
  }
};

Task<void> run_guarded(BigRun& run, std::string& failure) {
  try {
    co_await run.run();
  } catch (const std::exception& e) {
    failure = e.what();
  }
}

}  // namespace

Json run_big_mailbox(const BigMailboxOptions& o) {
  const CommonOptions& c = o.common;
  BigRun run(o);
  Runtime rt(1);
  std::string failure;
  rt.spawn(0, run_guarded(run, failure));
  bool in_time = rt.run(c.hard_limit());

  Json out = Json::object();
  out.set("scenario", "big-mailbox");
  out.set("messages", run.exists);
  out.set("timed_out", !in_time);
  if (!failure.empty()) out.set("error", failure);
  out.set("phases", std::move(run.phases));
  out.set("loadgen", loadgen_usage());
  return out;
}

}  // namespace roost::bench
