// SEARCH / UID SEARCH (RFC 9051 §6.4.4, RFC 3501 §6.4.4, RFC 4731 ESEARCH, RFC 5032 WITHIN),
// SORT / UID SORT and THREAD / UID THREAD (RFC 5256). The SearchProgram runs on the blocking
// executor in batches: keys on the MessageEntry first, the parsed message and bytes loaded only
// when a key needs them. IMAP4rev2 sessions always get ESEARCH (RFC 9051 §6.4.4); IMAP4rev1
// sessions get "* SEARCH" unless they asked for RETURN (...). A MODSEQ key (RFC 7162 §3.1.5)
// makes the session CONDSTORE-aware and adds the highest MODSEQ of the messages returned:
// "(MODSEQ n)" after SEARCH and SORT results, "MODSEQ n" in ESEARCH (RFC 4731 §3.2).
#include <algorithm>
#include <boost/asio/awaitable.hpp>
#include <functional>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>
#include <optional>
#include <span>

#include "base/clock.h"
#include "imap/command_table.h"
#include "imap/engine/search_engine.h"
#include "imap/engine/sort_thread.h"
#include "imap/message_loader.h"
#include "imap/proto/response_writer.h"
#include "imap/session.h"

namespace roost::imap {

using boost::asio::awaitable;

namespace {

constexpr size_t kSearchBatch = 500;

bool known_charset(const std::optional<std::string>& charset) {
  return !charset || *charset == "UTF-8" || *charset == "US-ASCII";
}

Reply bad_charset() {
  return Reply::no("Supported charsets: UTF-8 US-ASCII", "BADCHARSET (UTF-8 US-ASCII)");
}

SearchContext context_of(const SelectedMailbox& selected) {
  const mailbox::MailboxView& view = selected.view;
  SearchContext context;
  context.saved_uids = selected.saved_uids;
  context.max_seq = view.exists();
  context.max_uid = view.exists() == 0 ? 0 : view.uid_at(view.exists());
  context.now_unix = Clock::system().now_unix();
  return context;
}

bool has_modseq_key(const SearchKey& key) {
  return key.type == SearchKeyType::ModSeq ||
         std::any_of(key.children.begin(), key.children.end(), has_modseq_key);
}

// The messages a search matched, in order, with the MODSEQ each had when it was read.
struct Matches {
  std::vector<MessageTarget> targets;
  std::vector<store::ModSeq> modseqs;
};

store::ModSeq highest_of(const std::vector<store::ModSeq>& modseqs) {
  return modseqs.empty() ? 0 : *std::max_element(modseqs.begin(), modseqs.end());
}

SearchMessage search_message(MessageLoader& loader, uint32_t seq,
                             const store::MessageEntry& entry) {
  SearchMessage message;
  message.seq = seq;
  message.entry = &entry;
  message.load_parsed = [&loader, &entry] { return loader.parsed(entry); };
  message.load_bytes = [&loader, &entry] { return loader.bytes(entry); };
  message.load_header = [&loader, &entry]() -> Result<std::optional<std::string_view>> {
    return loader.header(entry);
  };
  return message;
}

// Told of each match on the blocking thread, with its entry, so SORT by DATE, ARRIVAL or SIZE
// builds its records in the search's own pass (the entry carries the sent date).
using MatchVisitor = std::function<Status(const MessageTarget&, const store::MessageEntry&)>;

// What one slice of the targets matched, and (for a visitor) the entries of the matches.
struct SliceMatches {
  Matches matches;
  std::vector<store::MessageEntry> entries;
};

// Blocking: evaluates `program` on `slice` (in order) with its own loader.
Result<SliceMatches> search_slice(store::Store& store, store::MailboxId id, ParsedCache* cache,
                                  const SearchProgram& program, const SearchContext& context,
                                  std::span<const MessageTarget> slice, bool keep_entries) {
  MessageLoader loader(store, id, cache);
  std::vector<MessageTarget> targets(slice.begin(), slice.end());
  auto entries = loader.entries(targets);
  if (!entries) return entries.error();
  if (program.needs_parsed()) ROOST_TRY(loader.load_parsed(*entries));
  if (program.needs_header()) ROOST_TRY(loader.load_headers(*entries));
  if (program.needs_bytes()) ROOST_TRY(loader.load_bytes(*entries));
  SliceMatches out;
  for (size_t i = 0; i < targets.size(); ++i) {
    auto& entry = (*entries)[i];
    if (!entry) continue;  // expunged meanwhile
    auto hit = program.matches(search_message(loader, targets[i].seq, *entry), context);
    if (!hit) return hit.error();
    if (!*hit) continue;
    out.matches.targets.push_back(targets[i]);
    out.matches.modseqs.push_back(entry->modseq);
    if (keep_entries) out.entries.push_back(std::move(*entry));
  }
  return out;
}

// Threads (one per core beyond the first) that take the second half of a big search batch.
// Fork-join without a thread per search: the caller runs the first half, then the second
// itself when no helper has picked it up yet, so a busy machine never waits for a helper.
class SearchHelpers {
 public:
  static SearchHelpers& instance() {
    static SearchHelpers helpers(std::max(1u, std::thread::hardware_concurrency()) - 1);
    return helpers;
  }

  ~SearchHelpers() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : threads_) t.join();
  }

  // Runs first() here and second() here or on a helper; returns when both have.
  void both(const std::function<void()>& first, std::function<void()> second) {
    if (threads_.empty()) {
      first();
      second();
      return;
    }
    auto task = std::make_shared<Task>();
    task->fn = std::move(second);
    {
      std::lock_guard lock(mu_);
      queue_.push_back(task);
    }
    wake_.notify_one();
    std::exception_ptr failed;
    try {
      first();
    } catch (...) {
      failed = std::current_exception();
    }
    run(*task);  // unless a helper took it
    std::unique_lock lock(task->mu);
    task->finished.wait(lock, [&] { return task->done; });
    if (failed) std::rethrow_exception(failed);
    if (task->error) std::rethrow_exception(task->error);
  }

 private:
  struct Task {
    std::function<void()> fn;
    std::atomic<bool> claimed{false};
    std::mutex mu;
    std::condition_variable finished;
    bool done = false;
    std::exception_ptr error;
  };

  explicit SearchHelpers(unsigned threads) {
    for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { loop(); });
  }

  static void run(Task& task) {
    if (task.claimed.exchange(true)) return;
    try {
      task.fn();
    } catch (...) {
      task.error = std::current_exception();
    }
    std::lock_guard lock(task.mu);
    task.done = true;
    task.finished.notify_all();
  }

  void loop() {
    for (;;) {
      std::shared_ptr<Task> task;
      {
        std::unique_lock lock(mu_);
        wake_.wait(lock, [&] { return stop_ || !queue_.empty(); });
        if (queue_.empty()) return;  // stopping
        task = std::move(queue_.front());
        queue_.pop_front();
      }
      run(*task);
    }
  }

  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Task>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

// Blocking: `search_slice` on a batch; a program that reads message contents (TEXT, BODY,
// parsed fields) may run the batch's second half on a helper thread meanwhile, so one big
// search uses two cores (the batch's results stay in order).
Result<SliceMatches> search_batch(store::Store& store, store::MailboxId id, ParsedCache* cache,
                                  const SearchProgram& program, const SearchContext& context,
                                  std::span<const MessageTarget> batch, bool keep_entries) {
  bool heavy = program.needs_bytes() || program.needs_parsed();
  if (!heavy || batch.size() < 64) {
    return search_slice(store, id, cache, program, context, batch, keep_entries);
  }
  size_t half = batch.size() / 2;
  std::optional<Result<SliceMatches>> first, rest;
  SearchHelpers::instance().both(
      [&] {
        first = search_slice(store, id, cache, program, context, batch.first(half), keep_entries);
      },
      [&] {
        rest = search_slice(store, id, cache, program, context, batch.subspan(half), keep_entries);
      });
  if (!*first) return first->error();
  if (!*rest) return rest->error();
  auto append = [](auto& to, auto& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
  };
  append((*first)->matches.targets, (*rest)->matches.targets);
  append((*first)->matches.modseqs, (*rest)->matches.modseqs);
  append((*first)->entries, (*rest)->entries);
  return std::move(*first);
}

// The targets (in order) that match `program`, evaluated in batches off the strand.
awaitable<Result<Matches>> run_search(Session& session, const SearchProgram& program,
                                      const MatchVisitor& visit = {}) {
  const mailbox::MailboxView& view = session.selected()->view;
  std::vector<MessageTarget> targets = all_targets(view);
  SearchContext context = context_of(*session.selected());
  store::Store& store = session.store();
  store::MailboxId id = view.mailbox();
  ParsedCache* cache = session.parsed_cache();
  Matches matched;
  for (size_t start = 0; start < targets.size(); start += kSearchBatch) {
    size_t end = std::min(targets.size(), start + kSearchBatch);
    std::span<const MessageTarget> batch(targets.data() + start, end - start);
    auto found = co_await session.blocking().run([&]() -> Result<Matches> {
      auto slice = search_batch(store, id, cache, program, context, batch, bool(visit));
      if (!slice) return slice.error();
      for (size_t i = 0; visit && i < slice->entries.size(); ++i) {
        ROOST_TRY(visit(slice->matches.targets[i], slice->entries[i]));
      }
      return std::move(slice->matches);
    });
    if (!found) co_return found.error();
    matched.targets.insert(matched.targets.end(), found->targets.begin(), found->targets.end());
    matched.modseqs.insert(matched.modseqs.end(), found->modseqs.begin(), found->modseqs.end());
  }
  co_return matched;
}

// RFC 4731 §3.1 / RFC 9051 §7.3.4: "* ESEARCH (TAG "t") [UID] MIN n MAX n ALL set COUNT n".
void write_esearch(Session& session, const Command& command, const SearchReturn& ret,
                   const std::vector<uint32_t>& numbers, std::optional<store::ModSeq> modseq) {
  std::string& out = session.out();
  out += "* ESEARCH (TAG ";
  write_string(out, command.tag);
  out += ")";
  if (command.uid) out += " UID";
  if (!numbers.empty()) {
    if (ret.min) out += " MIN " + std::to_string(numbers.front());
    if (ret.max) out += " MAX " + std::to_string(numbers.back());
    if (ret.all) out += " ALL " + format_numbers(numbers);
  }
  if (ret.count) out += " COUNT " + std::to_string(numbers.size());
  if (modseq) out += " MODSEQ " + std::to_string(*modseq);
  out += "\r\n";
}

}  // namespace

awaitable<Reply> cmd_search(Session& session, Command& command) {
  auto& args = std::get<SearchArgs>(command.args);
  if (!known_charset(args.charset)) co_return bad_charset();
  bool modseq_key = has_modseq_key(args.key);
  if (modseq_key) session.enable_condstore();  // RFC 7162 §3.1: an enabling command
  SearchProgram program(args.key);
  auto found = co_await run_search(session, program);
  if (!found) co_return reply_for(found.error());
  const std::vector<MessageTarget>& matched = found->targets;
  std::vector<uint32_t> numbers;
  numbers.reserve(matched.size());
  for (const MessageTarget& t : matched) numbers.push_back(command.uid ? t.uid : t.seq);
  if (args.result && args.result->save) {
    // RFC 5182 §2.4: with MIN and/or MAX (and neither ALL nor COUNT) only those are saved.
    const SearchReturn& r = *args.result;
    std::vector<store::Uid> saved;
    if (!matched.empty() && (r.min || r.max) && !r.all && !r.count) {
      if (r.min) saved.push_back(matched.front().uid);
      if (r.max) saved.push_back(matched.back().uid);
    } else {
      for (const MessageTarget& t : matched) saved.push_back(t.uid);
    }
    session.selected()->saved_uids.clear();
    for (const store::UidRange& u : store::uid_set_of(saved)) {
      session.selected()->saved_uids.push_back({u.first, u.last});
    }
  }
  bool only_save = args.result && args.result->save && !args.result->min && !args.result->max &&
                   !args.result->all && !args.result->count;
  if (only_save) {
    // RFC 5182 §2.4: RETURN (SAVE) alone answers no ESEARCH.
  } else if (args.result || session.rev2()) {
    SearchReturn ret;
    ret.all = true;  // RFC 9051 §6.4.4: no RETURN means RETURN (ALL)
    if (args.result) ret = *args.result;
    std::optional<store::ModSeq> modseq;
    if (modseq_key && !matched.empty()) {
      // RFC 4731 §3.2: of the MIN/MAX messages when only those are returned, else of all.
      const std::vector<store::ModSeq>& m = found->modseqs;
      if ((ret.min || ret.max) && !ret.all && !ret.count) {
        modseq = std::max(ret.min ? m.front() : 0, ret.max ? m.back() : 0);
      } else {
        modseq = highest_of(m);
      }
    }
    write_esearch(session, command, ret, numbers, modseq);
  } else {
    std::string& out = session.out();
    out += "* SEARCH";
    for (uint32_t n : numbers) out += " " + std::to_string(n);
    // RFC 7162 §3.1.5: not when nothing matched.
    if (modseq_key && !matched.empty()) {
      out += " (MODSEQ " + std::to_string(highest_of(found->modseqs)) + ")";
    }
    out += "\r\n";
  }
  co_return Reply::ok(command.uid ? "UID SEARCH completed" : "SEARCH completed");
}

namespace {

struct OrderingInput {
  bool needs_parsed = false;     // some key reads the parsed message
  bool needs_date_only = false;  // ... but only its Date: records keep no parsed message
  bool needs_references = false;
};

SortRecord record_of(const MessageTarget& target, const store::MessageEntry& entry, bool uid) {
  SortRecord record;
  record.number = uid ? target.uid : target.seq;
  record.seq = target.seq;
  record.internal_date = entry.internal_date;
  record.size = entry.blob.size;
  return record;
}

// SORT and THREAD: search, then build one SortRecord per match and order them. A sort by
// ARRIVAL, SIZE and DATE only builds its records in the search's pass, keeping only each
// message's date (a million parsed messages would not fit in memory). Other sorts and THREAD
// read the matches again in one blocking call, so the parsed messages the records point at stay
// alive. `highest` receives the highest MODSEQ of the matches (0 when none).
template <class Order>
awaitable<Result<std::string>> search_and_order(Session& session, const Command& command,
                                                const SearchKey& key, OrderingInput input,
                                                Order order, store::ModSeq& highest) {
  if (has_modseq_key(key)) session.enable_condstore();  // RFC 7162 §3.1: an enabling command
  SearchProgram program(key);
  bool uid = command.uid;
  std::vector<SortRecord> records;
  bool one_pass = !input.needs_parsed || input.needs_date_only;
  MatchVisitor build = [&](const MessageTarget& target,
                           const store::MessageEntry& entry) -> Status {
    SortRecord record = record_of(target, entry, uid);
    if (input.needs_parsed) record.date_unix = entry.sent_date;  // kept by the index (schema v4)
    records.push_back(std::move(record));
    return ok();
  };
  // Named, not a temporary in the co_await expression (GCC 12 destroys such temporaries twice).
  MatchVisitor visit = one_pass ? std::move(build) : MatchVisitor();
  auto found = co_await run_search(session, program, visit);
  if (!found) co_return found.error();
  highest = highest_of(found->modseqs);
  if (one_pass) co_return co_await session.blocking().run([&] { return order(records); });
  const std::vector<MessageTarget>* matched = &found->targets;
  store::Store& store = session.store();
  store::MailboxId id = session.selected()->view.mailbox();
  ParsedCache* cache = session.parsed_cache();
  co_return co_await session.blocking().run([&]() -> Result<std::string> {
    MessageLoader loader(store, id, cache);
    auto entries = loader.entries(*matched);
    if (!entries) return entries.error();
    ROOST_TRY(loader.load_parsed(*entries));
    records.reserve(matched->size());
    for (size_t i = 0; i < matched->size(); ++i) {
      const auto& entry = (*entries)[i];
      if (!entry) continue;
      SortRecord record = record_of((*matched)[i], *entry, uid);
      auto parsed = loader.parsed(*entry);
      if (!parsed) return parsed.error();
      record.parsed = *parsed;
      if (input.needs_references && !record.parsed->parts.empty()) {
        auto bytes = loader.bytes(*entry);
        if (!bytes) return bytes.error();
        std::string_view header =
            bytes->substr(0, static_cast<size_t>(record.parsed->parts[0].header_size));
        record.references = header_value(header, "References");
      }
      records.push_back(std::move(record));
    }
    return order(records);
  });
}

}  // namespace

awaitable<Reply> cmd_sort(Session& session, Command& command) {
  auto& args = std::get<SortArgs>(command.args);
  if (!known_charset(args.charset)) co_return bad_charset();
  bool needs_parsed = false, needs_more_than_date = false;
  for (const SortCriterion& c : args.criteria) {
    using Key = SortCriterion::Key;
    needs_parsed = needs_parsed || (c.key != Key::Arrival && c.key != Key::Size);
    needs_more_than_date =
        needs_more_than_date || (c.key != Key::Arrival && c.key != Key::Size && c.key != Key::Date);
  }
  auto criteria = args.criteria;
  store::ModSeq highest = 0;
  auto sorted = co_await search_and_order(
      session, command, args.key, {needs_parsed, needs_parsed && !needs_more_than_date, false},
      [&criteria](const std::vector<SortRecord>& records) -> Result<std::string> {
        std::string line = "* SORT";
        for (uint32_t n : sort_messages(records, criteria)) line += " " + std::to_string(n);
        return line;
      },
      highest);
  if (!sorted) co_return reply_for(sorted.error());
  session.out() += *sorted;
  // RFC 7162 §3.1.5: SORT with a MODSEQ key also ends with the highest MODSEQ it returned.
  if (highest != 0 && has_modseq_key(args.key)) {
    session.out() += " (MODSEQ " + std::to_string(highest) + ")";
  }
  session.out() += "\r\n";
  co_return Reply::ok(command.uid ? "UID SORT completed" : "SORT completed");
}

awaitable<Reply> cmd_thread(Session& session, Command& command) {
  auto& args = std::get<ThreadArgs>(command.args);
  auto algorithm = thread_algorithm_from_name(args.algorithm);
  if (!algorithm) co_return Reply::bad("Unknown THREAD algorithm " + args.algorithm);
  if (!known_charset(args.charset)) co_return bad_charset();
  bool references = *algorithm == ThreadAlgorithm::References;
  ThreadAlgorithm chosen = *algorithm;
  store::ModSeq highest = 0;
  auto threads = co_await search_and_order(
      session, command, args.key, {true, false, references},
      [chosen](const std::vector<SortRecord>& records) -> Result<std::string> {
        std::string list = thread_messages(records, chosen);
        return list.empty() ? std::string("* THREAD\r\n") : "* THREAD " + list + "\r\n";
      },
      highest);
  if (!threads) co_return reply_for(threads.error());
  session.out() += *threads;
  co_return Reply::ok(command.uid ? "UID THREAD completed" : "THREAD completed");
}

}  // namespace roost::imap
