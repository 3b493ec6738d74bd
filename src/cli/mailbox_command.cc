// roost mailbox list|create|delete
#include <iostream>

#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/table_printer.h"

namespace roost::cli {
namespace {

struct MailboxArgs {
  std::string account;
  std::string name;
  std::string special_use;
  bool yes = false;
};

store::Account find_account_or_fail(store::Store& store, const std::string& name) {
  auto account = store.find_account(name);
  if (!account && account.error().kind == ErrorKind::NotFound) {
    fail(make_error(ErrorKind::NotFound, "no account named \"" + name + "\""));
  }
  return value_or_fail(std::move(account));
}

store::MailboxInfo find_mailbox_or_fail(store::Store& store, const store::Account& account,
                                        const std::string& name) {
  auto mailbox = store.find_mailbox(account.id, name);
  if (!mailbox && mailbox.error().kind == ErrorKind::NotFound) {
    fail(make_error(ErrorKind::NotFound,
                    "account " + account.name + " has no mailbox \"" + name + "\""));
  }
  return value_or_fail(std::move(mailbox));
}

void run_list(const GlobalOptions& options, const MailboxArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auto account = find_account_or_fail(*ctx.store, args.account);
  auto mailboxes = value_or_fail(ctx.store->list_mailboxes(account.id));
  TablePrinter table({"NAME", "ROLE", "MESSAGES", "SIZE", "BYTES", "SUBSCRIBED"});
  for (const auto& m : mailboxes) {
    std::string role(store::to_attribute(m.role));
    table.add({m.name, role.empty() ? "-" : role, std::to_string(m.messages),
               config::human_size(m.bytes), std::to_string(m.bytes), m.subscribed ? "yes" : "no"});
  }
  table.print(std::cout);
}

void run_create(const GlobalOptions& options, const MailboxArgs& args) {
  store::SpecialUse role = store::SpecialUse::None;
  if (!args.special_use.empty()) {
    auto parsed = store::special_use_from_attribute(args.special_use);
    if (!parsed || *parsed == store::SpecialUse::None) {
      fail(make_error(ErrorKind::Syntax,
                      "unknown --special-use \"" + args.special_use +
                          "\" (one of \\Sent \\Drafts \\Trash \\Junk \\Archive \\All \\Flagged)"));
    }
    role = *parsed;
  }
  Context ctx = value_or_fail(open_context(options));
  auto account = find_account_or_fail(*ctx.store, args.account);
  auto created = ctx.store->create_mailbox(account.id, args.name, role);
  if (!created && created.error().kind == ErrorKind::Exists) {
    fail(make_error(ErrorKind::Exists,
                    "account " + account.name + " already has a mailbox \"" + args.name + "\""));
  }
  auto mailbox = value_or_fail(std::move(created));
  std::cout << "created mailbox " << mailbox.name << " in " << account.name << "\n";
}

void run_delete(const GlobalOptions& options, const MailboxArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auto account = find_account_or_fail(*ctx.store, args.account);
  auto mailbox = find_mailbox_or_fail(*ctx.store, account, args.name);
  // Deleting messages cannot be undone: ask, as `account del` does, unless it is empty.
  if (mailbox.messages > 0 && !args.yes) {
    std::string what = mailbox.name + " of " + account.name + " and its " +
                       std::to_string(mailbox.messages) + " messages";
    if (!stdin_is_terminal()) {
      fail(make_error(ErrorKind::NoPerm,
                      "not deleting " + what + " without confirmation: pass --yes"));
    }
    if (!confirm_on_terminal("Delete mailbox " + what + "?")) {
      fail(make_error(ErrorKind::NoPerm, "not deleted"));
    }
  }
  check_or_fail(ctx.store->delete_mailbox(mailbox.id));
  std::cout << "deleted mailbox " << mailbox.name << " of " << account.name << " ("
            << mailbox.messages << " messages)\n";
}

}  // namespace

void add_mailbox_commands(CLI::App& app, GlobalOptions& options) {
  auto* mailbox = app.add_subcommand("mailbox", "Manage the mailboxes of an account");
  mailbox->require_subcommand(1);
  auto args = std::make_shared<MailboxArgs>();

  auto* list = mailbox->add_subcommand("list", "List mailboxes with role, counts and size");
  list->add_option("ACCOUNT", args->account, "Account name")->required();
  add_global_options(*list, options);
  list->callback([&options, args] { run_list(options, *args); });

  auto* create = mailbox->add_subcommand("create", "Create a mailbox (and missing parents)");
  create->add_option("ACCOUNT", args->account, "Account name")->required();
  create->add_option("NAME", args->name, "Mailbox name, '/' separates levels")->required();
  create->add_option("--special-use", args->special_use, "RFC 6154 role, e.g. \\Archive");
  add_global_options(*create, options);
  create->callback([&options, args] { run_create(options, *args); });

  auto* del = mailbox->add_subcommand("delete", "Delete a mailbox and its messages");
  del->add_option("ACCOUNT", args->account, "Account name")->required();
  del->add_option("NAME", args->name, "Mailbox name")->required();
  del->add_flag("--yes,-y", args->yes, "Do not ask when the mailbox holds messages");
  add_global_options(*del, options);
  del->callback([&options, args] { run_delete(options, *args); });
}

}  // namespace roost::cli
