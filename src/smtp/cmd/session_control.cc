// HELO/EHLO/LHLO (with the EHLO keywords: only what works is advertised, RFC 5321 §4.1.1.1),
// RSET, NOOP, QUIT, VRFY, EXPN, HELP.
#include "auth/sasl_server.h"
#include "smtp/command_table.h"
#include "smtp/session.h"

namespace roost::smtp {

using boost::asio::awaitable;

awaitable<Reply> cmd_helo(Session& session, const Command& command) {
  // RFC 5321 §4.1.4: EHLO/HELO mid-transaction resets it.
  co_await session.reset_transaction();
  bool esmtp = command.verb != Verb::Helo;
  session.greeted(command.argument, esmtp);
  Reply reply = Reply::make(250, "", session.options().hostname + " greets " + command.argument);
  if (!esmtp) co_return reply;
  // RFC 2034 §3: no enhanced codes in the EHLO reply.
  reply.more = {"PIPELINING",            // RFC 2920
                "8BITMIME",              // RFC 6152
                "SMTPUTF8",              // RFC 6531
                "ENHANCEDSTATUSCODES",   // RFC 2034
                "SIZE " + std::to_string(session.options().max_message_size),  // RFC 1870
                "CHUNKING"};             // RFC 3030
  // RFC 3461: reports travel through the outbound queue; behind LMTP the MTA in front reports.
  if (session.port() != PortKind::Lmtp && session.services().outbound != nullptr) {
    reply.more.push_back("DSN");
  }
  net::Connection& conn = session.conn();
  if (!conn.is_tls() && conn.tls_available()) reply.more.push_back("STARTTLS");  // RFC 3207
  if (session.port() == PortKind::Submission && session.passwords_allowed()) {
    // RFC 4954 §3; never SCRAM-SHA-256-PLUS: no channel binding (auth/scram.h).
    std::string mechs = "AUTH";
    for (std::string_view m : auth::kSaslMechanisms) mechs += " " + std::string(m);
    reply.more.push_back(mechs);
  }
  co_return reply;
}

awaitable<Reply> cmd_rset(Session& session, const Command&) {
  co_await session.reset_transaction();
  co_return Reply::ok("Reset");
}

awaitable<Reply> cmd_noop(Session&, const Command&) { co_return Reply::ok("OK"); }

awaitable<Reply> cmd_quit(Session& session, const Command&) {
  session.quit();
  co_return Reply::make(221, "2.0.0", session.options().hostname + " closing connection");
}

awaitable<Reply> cmd_vrfy(Session&, const Command&) {
  // RFC 5321 §3.5.3: 252 when the server will not verify; addresses are not disclosed.
  co_return Reply::make(252, "2.0.0", "Cannot VRFY user, but will accept message for local "
                                      "recipients and attempt delivery");
}

awaitable<Reply> cmd_expn(Session&, const Command&) {
  co_return Reply::make(502, "5.5.1", "EXPN is not available");  // RFC 5321 §3.5.2
}

awaitable<Reply> cmd_help(Session& session, const Command&) {
  Reply reply = Reply::make(214, "2.0.0", "Roost SMTP server; commands:");
  reply.more = {session.port() == PortKind::Lmtp
                    ? "LHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS"
                    : "HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH",
                "End of HELP"};
  co_return reply;
}

}  // namespace roost::smtp
