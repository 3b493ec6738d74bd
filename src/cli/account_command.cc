// roost account add|passwd|del|list
#include <iostream>

#include "auth/directory.h"
#include "cli/commands.h"
#include "cli/password_input.h"
#include "cli/table_printer.h"

namespace roost::cli {
namespace {

struct AccountArgs {
  std::string name;
  bool password_stdin = false;
  bool yes = false;
};

void run_add(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  std::string password = value_or_fail(read_new_password(args.password_stdin));
  auto account = directory.create_account(args.name, password);
  if (!account && account.error().kind == ErrorKind::Exists) {
    fail(make_error(ErrorKind::Exists, "account \"" + args.name + "\" already exists"));
  }
  std::cout << "created account " << value_or_fail(std::move(account)).name << "\n";
}

void run_passwd(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  auto account = value_or_fail(directory.find_account(args.name));  // before asking
  std::string password = value_or_fail(read_new_password(args.password_stdin));
  check_or_fail(directory.set_password(account.name, password));
  std::cout << "changed the password of " << account.name << "\n";
}

void run_del(const GlobalOptions& options, const AccountArgs& args) {
  Context ctx = value_or_fail(open_context(options));
  auth::Directory directory(*ctx.store, Clock::system(), directory_options(ctx.settings));
  auto account = value_or_fail(directory.find_account(args.name));
  if (!args.yes) {
    auto usage = value_or_fail(ctx.store->usage(account.id));
    std::string question = "Delete account " + account.name + " and its " +
                           std::to_string(usage.messages) + " messages?";
    if (!stdin_is_terminal()) {
      fail(make_error(ErrorKind::NoPerm,
                      "not deleting " + account.name + " without confirmation: pass --yes"));
    }
    if (!confirm_on_terminal(question)) fail(make_error(ErrorKind::NoPerm, "not deleted"));
  }
  check_or_fail(directory.delete_account(account.name));
  std::cout << "deleted account " << account.name << "\n";
}

void run_list(const GlobalOptions& options) {
  Context ctx = value_or_fail(open_context(options));
  auto accounts = value_or_fail(ctx.store->list_accounts());
  TablePrinter table({"NAME", "CREATED", "MESSAGES", "BYTES"});
  for (const auto& a : accounts) {
    auto usage = value_or_fail(ctx.store->usage(a.id));
    table.add({a.name, format_utc(a.created_unix), std::to_string(usage.messages),
               std::to_string(usage.bytes)});
  }
  table.print(std::cout);
}

}  // namespace

void add_account_commands(CLI::App& app, GlobalOptions& options) {
  auto* account = app.add_subcommand("account", "Manage accounts");
  account->require_subcommand(1);
  auto args = std::make_shared<AccountArgs>();

  auto* add = account->add_subcommand("add", "Create an account with the default mailboxes");
  add->add_option("NAME", args->name, "Login name (user or user@domain)")->required();
  add->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  add_global_options(*add, options);
  add->callback([&options, args] { run_add(options, *args); });

  auto* passwd = account->add_subcommand("passwd", "Set a new password");
  passwd->add_option("NAME", args->name, "Login name")->required();
  passwd->add_flag("--password-stdin", args->password_stdin, "Read the password from stdin");
  add_global_options(*passwd, options);
  passwd->callback([&options, args] { run_passwd(options, *args); });

  auto* del = account->add_subcommand("del", "Delete an account, its mailboxes and messages");
  del->add_option("NAME", args->name, "Login name")->required();
  del->add_flag("--yes,-y", args->yes, "Do not ask for confirmation");
  add_global_options(*del, options);
  del->callback([&options, args] { run_del(options, *args); });

  auto* list = account->add_subcommand("list", "List accounts with their usage");
  add_global_options(*list, options);
  list->callback([&options] { run_list(options); });
}

}  // namespace roost::cli
