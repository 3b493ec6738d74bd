// `roost message list ACCOUNT MAILBOX` and `roost message cat ACCOUNT MAILBOX UID`:
// what an administrator reads to answer "where did my mail go?". One line per message:
//   UID (FLAGS) INTERNALDATE SIZE BLOB
//   e.g. 7 (\Seen $Label1) 2024-03-01T09:30:00+01:00 5120 9f86d0...
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>

#include "cli/commands.h"

namespace roost::cli {
namespace {

struct MessageArgs {
  std::string account;
  std::string mailbox;
  store::Uid uid = 0;
};

std::string flags_text(const store::Flags& flags) {
  static constexpr std::pair<store::SystemFlag, const char*> kNames[] = {
      {store::kSeen, "\\Seen"},
      {store::kAnswered, "\\Answered"},
      {store::kFlagged, "\\Flagged"},
      {store::kDeleted, "\\Deleted"},
      {store::kDraft, "\\Draft"}};
  std::string out = "(";
  for (const auto& [bit, name] : kNames) {
    if ((flags.system & bit) == 0) continue;
    if (out.size() > 1) out += ' ';
    out += name;
  }
  for (const std::string& keyword : flags.keywords) {
    if (out.size() > 1) out += ' ';
    out += keyword;
  }
  return out + ")";
}

// ISO 8601 in the zone the message arrived with ("2024-03-01T09:30:00+01:00").
std::string iso_date(int64_t unix_seconds, int32_t tz_minutes) {
  std::time_t local = static_cast<std::time_t>(unix_seconds + int64_t{tz_minutes} * 60);
  std::tm tm{};
  gmtime_r(&local, &tm);
  int32_t offset = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                tz_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return buf;
}

struct Opened {
  Context context;
  store::MailboxId mailbox = 0;
};

Opened open_mailbox(const GlobalOptions& options, const MessageArgs& args) {
  auto context = open_context(options);
  if (!context) fail(context.error());
  auto account = context->store->find_account(args.account);
  if (!account) fail(account.error());
  auto mailbox = context->store->find_mailbox(account->id, args.mailbox);
  if (!mailbox) fail(mailbox.error());
  return {std::move(*context), mailbox->id};
}

void run_list(const GlobalOptions& options, const MessageArgs& args) {
  Opened opened = open_mailbox(options, args);
  auto entries = opened.context.store->list_messages(opened.mailbox, store::all_uids());
  if (!entries) fail(entries.error());
  for (const store::MessageEntry& e : *entries) {
    std::printf("%u %s %s %llu %s\n", e.uid, flags_text(e.flags).c_str(),
                iso_date(e.internal_date, e.internal_date_tz).c_str(),
                static_cast<unsigned long long>(e.blob.size), e.blob.id.c_str());
  }
  std::fflush(stdout);
}

void run_cat(const GlobalOptions& options, const MessageArgs& args) {
  Opened opened = open_mailbox(options, args);
  auto entries =
      opened.context.store->list_messages(opened.mailbox, {store::UidRange{args.uid, args.uid}});
  if (!entries) fail(entries.error());
  if (entries->empty()) {
    fail(make_error(ErrorKind::NotFound,
                    "no message with UID " + std::to_string(args.uid) + " in " + args.mailbox));
  }
  auto bytes = opened.context.store->blobs().read(entries->front().blob.id);
  if (!bytes) fail(bytes.error());
  std::string_view view = (*bytes)->bytes();
  // The exact stored bytes, no newline added: `cat` output hashes to the blob id.
  if (std::fwrite(view.data(), 1, view.size(), stdout) != view.size() || std::fflush(stdout) != 0) {
    fail(make_error(ErrorKind::Io, "writing to stdout failed"));
  }
}

}  // namespace

void add_message_commands(CLI::App& app, GlobalOptions& options) {
  CLI::App* message = app.add_subcommand("message", "Inspect stored messages");
  message->require_subcommand(1);

  auto list_args = std::make_shared<MessageArgs>();
  CLI::App* list = message->add_subcommand(
      "list", "One line per message: UID (FLAGS) INTERNALDATE SIZE BLOB-SHA256");
  list->add_option("ACCOUNT", list_args->account)->required();
  list->add_option("MAILBOX", list_args->mailbox)->required();
  add_global_options(*list, options);
  list->callback([&options, list_args] { run_list(options, *list_args); });

  auto cat_args = std::make_shared<MessageArgs>();
  CLI::App* cat = message->add_subcommand("cat", "Write the exact stored bytes to stdout");
  cat->add_option("ACCOUNT", cat_args->account)->required();
  cat->add_option("MAILBOX", cat_args->mailbox)->required();
  cat->add_option("UID", cat_args->uid)->required()->check(CLI::PositiveNumber);
  add_global_options(*cat, options);
  cat->callback([&options, cat_args] { run_cat(options, *cat_args); });
}

}  // namespace roost::cli
