// roost queue list|show|retry|delete: the outbound queue for the administrator. Safe while the
// server runs: it reads and rewrites the same files the server delivers from.
#include <iostream>

#include "base/clock.h"
#include "cli/commands.h"
#include "cli/table_printer.h"
#include "queue/queue_store.h"

namespace roost::cli {
namespace {

struct QueueArgs {
  std::vector<std::string> ids;
  bool all = false;
};

queue::QueueStore open_queue(const GlobalOptions& options) {
  config::Settings settings = value_or_fail(load_settings(options));
  return value_or_fail(queue::QueueStore::open(queue_dir(settings), /*repair=*/false));
}

std::string pending_of(const queue::QueuedMessage& m) {
  size_t pending = 0;
  for (const auto& r : m.recipients) pending += r.state == queue::QueuedRecipient::State::Pending;
  return std::to_string(pending) + "/" + std::to_string(m.recipients.size());
}

void run_list(const GlobalOptions& options) {
  auto q = open_queue(options);
  auto messages = value_or_fail(q.list());
  TablePrinter table({"ID", "QUEUED", "SENDER", "PENDING", "ATTEMPTS", "NEXT ATTEMPT", "SIZE"});
  for (const auto& m : messages) {
    table.add({m.id, format_utc(m.created), m.sender.empty() ? "<>" : m.sender, pending_of(m),
               std::to_string(m.attempts), format_utc(m.next_attempt), std::to_string(m.size)});
  }
  table.print(std::cout);
  std::cout << messages.size() << " message" << (messages.size() == 1 ? "" : "s") << " queued\n";
}

void run_show(const GlobalOptions& options, const QueueArgs& args) {
  auto q = open_queue(options);
  for (const auto& id : args.ids) {
    auto m = value_or_fail(q.get(id));
    std::cout << "id:           " << m.id << "\n"
              << "sender:       " << (m.sender.empty() ? "<>" : m.sender) << "\n"
              << "account:      " << (m.account.empty() ? "-" : m.account) << "\n"
              << "queued:       " << format_utc(m.created) << "\n"
              << "attempts:     " << m.attempts << "\n"
              << "next attempt: " << format_utc(m.next_attempt) << "\n"
              << "size:         " << m.size << " bytes\n";
    for (const auto& r : m.recipients) {
      std::cout << "recipient:    " << r.address << " (" << to_string(r.state) << ")";
      if (!r.reply.empty()) std::cout << "\n              " << r.reply;
      std::cout << "\n";
    }
    std::cout << "\n";
  }
}

void run_retry(const GlobalOptions& options, const QueueArgs& args) {
  auto q = open_queue(options);
  std::vector<queue::QueuedMessage> targets;
  if (args.all) {
    targets = value_or_fail(q.list());
  } else {
    for (const auto& id : args.ids) targets.push_back(value_or_fail(q.get(id)));
  }
  for (auto& m : targets) {
    m.next_attempt = 0;  // due now: the server's next look (within a second) tries it
    check_or_fail(q.update(m));
    std::cout << "retrying " << m.id << "\n";
  }
}

void run_delete(const GlobalOptions& options, const QueueArgs& args) {
  auto q = open_queue(options);
  for (const auto& id : args.ids) {
    check_or_fail(q.remove(id));
    std::cout << "deleted " << id << " (no bounce is sent)\n";
  }
}

}  // namespace

void add_queue_commands(CLI::App& app, GlobalOptions& options) {
  auto* queue = app.add_subcommand("queue", "Inspect and manage the outbound mail queue");
  queue->require_subcommand(1);
  auto args = std::make_shared<QueueArgs>();

  auto* list = queue->add_subcommand("list", "List queued messages");
  add_global_options(*list, options);
  list->callback([&options] { run_list(options); });

  auto* show = queue->add_subcommand("show", "Show queued messages, each recipient and its last reply");
  show->add_option("ID", args->ids, "Queue ids")->required();
  add_global_options(*show, options);
  show->callback([&options, args] { run_show(options, *args); });

  auto* retry = queue->add_subcommand("retry", "Try queued messages again now");
  retry->add_option("ID", args->ids, "Queue ids");
  retry->add_flag("--all", args->all, "Every queued message");
  add_global_options(*retry, options);
  retry->callback([&options, args, retry] {
    if (args->ids.empty() && !args->all) throw CLI::RequiredError("ID or --all");
    run_retry(options, *args);
  });

  auto* del = queue->add_subcommand("delete", "Remove queued messages without delivering them");
  del->add_option("ID", args->ids, "Queue ids")->required();
  add_global_options(*del, options);
  del->callback([&options, args] { run_delete(options, *args); });
}

}  // namespace roost::cli
