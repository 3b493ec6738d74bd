// MAIL (RFC 5321 §4.1.1.2) and RCPT (§4.1.1.3): who may send (submission: an authenticated
// account, as itself or one of its aliases; the hourly message limit) and who can be reached
// (local recipients; relaying is refused on every port; remote recipients only on submission,
// into the outbound queue).
#include "base/log.h"
#include "smtp/command_table.h"
#include "smtp/session.h"

namespace roost::smtp {

using boost::asio::awaitable;

namespace {

RecipientResolver::AccountLookup account_lookup(Session& session) {
  store::Store* store = &session.store();
  return [store](std::string_view name) { return store->find_account(name); };
}

}  // namespace

awaitable<Reply> cmd_mail(Session& session, const Command& command) {
  if (session.mail()) co_return Reply::make(503, "5.5.1", "Sender already given (nested MAIL)");
  const SmtpOptions& options = session.options();
  if (session.port() == PortKind::Submission && !session.account()) {
    if (!session.passwords_allowed()) {
      co_return Reply::make(530, "5.7.0", "Must issue a STARTTLS command first");  // RFC 3207 §4
    }
    co_return Reply::make(530, "5.7.0", "Authentication required");  // RFC 4954 §6
  }
  const MailParams& params = command.mail;
  if (params.size && *params.size > options.max_message_size) {
    co_return Reply::make(552, "5.3.4", "Message size exceeds the fixed maximum (" +
                                            std::to_string(options.max_message_size) + " octets)");
  }
  if (params.body == BodyType::BinaryMime) {
    co_return Reply::make(504, "5.5.4", "BODY=BINARYMIME is not supported");
  }
  if (command.path.is_utf8() && !params.smtputf8) {
    co_return Reply::make(553, "5.6.7", "Non-ASCII address needs the SMTPUTF8 parameter");
  }
  if (session.port() == PortKind::Submission) {
    const store::Account& account = *session.account();
    if (!session.rate().allowed(account.id)) {
      co_return Reply::make(450, "4.7.0",
                            "Sending limit reached (" + std::to_string(session.rate().per_hour()) +
                                " messages per hour); try again later");
    }
    // RFC 6409 §6.1: the MSA may check that the sender is the authenticated user.
    auto may = co_await session.blocking().run([&] {
      return session.resolver().may_send_as(account, command.path, account_lookup(session));
    });
    if (!may) co_return reply_for(may.error());
    if (!*may) {
      co_return Reply::make(553, "5.7.1", "Sender address <" + command.path.address() +
                                              "> is not yours (" + account.name + ")");
    }
  }
  session.start_mail(command);
  co_return Reply::ok("Sender OK", "2.1.0");
}

awaitable<Reply> cmd_rcpt(Session& session, const Command& command) {
  if (!session.mail()) co_return Reply::make(503, "5.5.1", "Send MAIL first");
  if (session.recipients().size() >= session.options().max_recipients) {
    // RFC 5321 §4.5.3.1.10: 452 for too many recipients.
    co_return Reply::make(452, "4.5.3", "Too many recipients (the limit is " +
                                            std::to_string(session.options().max_recipients) +
                                            " per message)");
  }
  if (command.path.is_utf8() && !session.mail()->mail.smtputf8) {
    co_return Reply::make(553, "5.6.7", "Non-ASCII address needs SMTPUTF8 on MAIL");
  }
  auto resolved = co_await session.blocking().run(
      [&] { return session.resolver().resolve(command.path, account_lookup(session)); });
  if (!resolved) co_return reply_for(resolved.error());
  std::string addr = "<" + command.path.address() + ">";
  switch (resolved->kind) {
    case RecipientKind::Unknown:
      co_return Reply::make(550, "5.1.1", addr + ": no such user here");
    case RecipientKind::Remote:
      if (session.port() != PortKind::Submission || !session.account()) {
        co_return Reply::make(554, "5.7.1", addr + ": relay access denied");
      }
      if (session.services().outbound == nullptr) {
        co_return Reply::make(553, "5.3.0",
                              addr + ": remote delivery is not available on this server; "
                                     "only local recipients can be reached");
      }
      break;
    case RecipientKind::Local:
      break;
  }
  session.recipients().push_back({command.path, command.rcpt, std::move(*resolved)});
  co_return Reply::ok("Recipient OK", "2.1.5");
}

}  // namespace roost::smtp
