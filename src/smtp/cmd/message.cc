// DATA (RFC 5321 §4.1.1.4) and BDAT (RFC 3030), and the end of a message: the submission checks
// (From: must be the account's; Message-ID and Date added when missing, RFC 6409 §8), the
// InboundCheck seam (smtp/lmtp ports), Received: (RFC 5321 §4.4), delivery through
// mailbox::Ingest, and the reply: one for SMTP, one per recipient for LMTP (RFC 2033 §4.2).
#include <algorithm>
#include <functional>
#include <map>
#include <random>

#include "base/log.h"
#include "mime/address.h"
#include "mime/date_time.h"
#include "mime/header_field.h"
#include "smtp/command_table.h"
#include "smtp/session.h"

namespace roost::smtp {

using boost::asio::awaitable;

namespace {

std::string message_id(const std::string& hostname, int64_t now) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return "<" + std::to_string(now) + "." + buf + "@" + hostname + ">";
}

// RFC 3848 / RFC 6531 §4.3 "with" protocol names.
std::string with_protocol(Session& session) {
  bool utf8 = session.mail() && session.mail()->mail.smtputf8;
  std::string p = utf8 ? "UTF8" : "";
  if (session.port() == PortKind::Lmtp) {
    p += "LMTP";
  } else {
    p += utf8 ? "SMTP" : (session.esmtp() ? "ESMTP" : "SMTP");
  }
  if (session.conn().is_tls()) p += "S";
  if (session.account()) p += "A";
  if (p == "SMTPS" || p == "SMTPA" || p == "SMTPSA") p = "E" + p;  // HELO with extensions used
  return p;
}

std::string received_header(Session& session, int64_t now) {
  std::string h = "Received: from " + session.helo().value_or("unknown") + " ([" +
                  session.conn().peer_address() + "])\r\n\tby " + session.options().hostname +
                  " (Roost) with " + with_protocol(session) + " id " +
                  session.conn().session_id();
  if (session.recipients().size() == 1) {
    h += "\r\n\tfor <" + session.recipients()[0].address.address() + ">";
  }
  h += ";\r\n\t" + mime::format_date(now) + "\r\n";
  return h;
}

struct HeaderFacts {
  bool complete = false;  // the header section ends within head()
  bool has_message_id = false;
  bool has_date = false;
  std::vector<Path> from;  // From: mailboxes
  bool from_present = false;
  bool from_unparsable = false;
};

HeaderFacts header_facts(std::string_view head, uint64_t total) {
  HeaderFacts f;
  f.complete = head.starts_with("\r\n") || head.starts_with("\n") ||
               head.find("\r\n\r\n") != std::string_view::npos ||
               head.find("\n\n") != std::string_view::npos || head.size() == total;
  mime::for_each_header_field(head, [&](const mime::HeaderField& field) {
    if (mime::iequals(field.name, "Message-ID")) f.has_message_id = true;
    if (mime::iequals(field.name, "Date")) f.has_date = true;
    if (!mime::iequals(field.name, "From")) return;
    f.from_present = true;
    for (const mime::Address& a : mime::parse_address_list(mime::unfold(field.value))) {
      if (a.is_group_start || a.is_group_end) continue;
      auto path = a.mailbox && a.host ? parse_mailbox(*a.mailbox + "@" + *a.host)
                                      : Result<Path>(make_error(ErrorKind::Syntax, "bad"));
      if (!path) {
        f.from_unparsable = true;
        continue;
      }
      f.from.push_back(std::move(*path));
    }
  });
  return f;
}

struct Target {
  store::AccountId account = 0;
  std::string tag;
  bool junk = false;  // DMARC quarantine: the account's Junk folder
  auto operator<=>(const Target&) const = default;
};

// The account's Junk folder (SPECIAL-USE \Junk), if it has one.
Result<store::MailboxInfo> junk_folder(store::Store& store, store::AccountId account) {
  auto boxes = store.list_mailboxes(account);
  if (!boxes) return boxes.error();
  for (const auto& box : *boxes) {
    if (box.role == store::SpecialUse::Junk) return box;
  }
  return make_error(ErrorKind::NotFound, "no Junk folder");
}

using Ranges = std::vector<std::pair<uint64_t, uint64_t>>;

// Calls write() with the spool's bytes in order, leaving out the sorted `drop` ranges.
Status write_without(const MessageSpool& spool, const Ranges& drop,
                     const std::function<Status(std::string_view)>& write) {
  uint64_t offset = 0;
  size_t next = 0;
  return spool.for_each_chunk([&](std::string_view chunk) -> Status {
    uint64_t chunk_end = offset + chunk.size();
    uint64_t pos = offset;
    while (pos < chunk_end) {
      while (next < drop.size() && drop[next].second <= pos) ++next;
      uint64_t keep_end = next < drop.size() ? std::min(chunk_end, drop[next].first) : chunk_end;
      if (keep_end > pos) {
        ROOST_TRY(write(chunk.substr(pos - offset, keep_end - pos)));
        pos = keep_end;
      }
      if (next < drop.size() && pos >= drop[next].first) pos = std::min(chunk_end, drop[next].second);
    }
    offset = chunk_end;
    return ok();
  });
}

// Blocking: the message (prefix + spool without `drop`) into the account's folder `tag` (when it
// exists) or INBOX, through the one ingest path.
Result<mailbox::Delivered> deliver(mailbox::Ingest& ingest, store::Store& store,
                                   const Target& target, const std::string& source,
                                   const std::string& prefix, const MessageSpool& spool,
                                   const Ranges& drop) {
  Result<store::MailboxInfo> box = make_error(ErrorKind::NotFound, "no folder");
  if (target.junk) box = junk_folder(store, target.account);
  if (!box && !target.tag.empty()) box = store.find_mailbox(target.account, target.tag);
  if (!box) box = store.find_mailbox(target.account, "INBOX");
  if (!box) return box.error();
  auto writer = ingest.begin({box->id, source}, prefix.size() + spool.size());
  if (!writer) return writer.error();
  if (Status st = (*writer)->write(prefix); !st) return st.error();
  if (Status st = write_without(spool, drop, [&](std::string_view c) { return (*writer)->write(c); });
      !st) {
    return st.error();
  }
  return (*writer)->finish({}, std::nullopt);
}

Reply with_address(Reply reply, const Path& address) {
  reply.text = "<" + address.address() + ">: " + reply.text;
  return reply;
}

// The inverse of with_address: the reply's text without its "<address>: ".
std::string without_address(const Reply& reply) {
  size_t colon = reply.text.find(">: ");
  return colon == std::string::npos ? reply.text : reply.text.substr(colon + 3);
}

}  // namespace

awaitable<Reply> Session::finish_message() {
  const SmtpOptions& opts = options();
  int64_t now = shared_->services.clock->now_unix();
  Reply refusal;
  bool refused = false;
  if (spool_failed()) {
    refusal = Reply::make(451, "4.3.0", "Cannot spool the message; try again later");
    refused = true;
  } else if (too_big_) {
    refusal = Reply::make(552, "5.3.4", "Message exceeds the maximum size (" +
                                            std::to_string(opts.max_message_size) + " octets)");
    refused = true;
  }
  MessageSpool& sp = spool();
  std::string extra;  // header fields added after Received:
  if (!refused && port_ == PortKind::Submission) {
    HeaderFacts facts = header_facts(sp.head(), sp.size());
    if (!facts.complete) {
      refusal = Reply::make(554, "5.6.0", "Header section too large");
      refused = true;
    } else if (!facts.from_present || facts.from.empty() || facts.from_unparsable) {
      refusal = Reply::make(553, "5.7.1", "The message needs a From: header with your address");
      refused = true;
    } else {
      const store::Account& account = *account_;
      store::Store* st = &store();
      auto lookup = [st](std::string_view name) { return st->find_account(name); };
      auto mine = co_await blocking().run([&]() -> Result<std::string> {
        for (const Path& p : facts.from) {
          auto may = resolver().may_send_as(account, p, lookup);
          if (!may) return may.error();
          if (!*may) return p.address();
        }
        return std::string();
      });
      if (!mine) {
        refusal = reply_for(mine.error());
        refused = true;
      } else if (!mine->empty()) {
        refusal = Reply::make(553, "5.7.1", "From: address <" + *mine + "> is not yours (" +
                                                account.name + ")");
        refused = true;
      }
    }
    if (!refused) {
      // RFC 6409 §8.2, §8.3: the MSA may add a missing Date and Message-ID.
      if (!facts.has_message_id) extra += "Message-ID: " + message_id(opts.hostname, now) + "\r\n";
      if (!facts.has_date) extra += "Date: " + mime::format_date(now) + "\r\n";
    }
  }
  // Port 25 only: behind LMTP the MTA in front has checked (and stamped) the message. The check
  // and the delivery run in one job on the commit pool: one hand-off per message, not two.
  std::vector<Reply> per_recipient(recipients_.size());
  const InboundCheck* check = nullptr;
  if (port_ == PortKind::Inbound && shared_->services.inbound_check) {
    check = &shared_->services.inbound_check;
  }
  struct Delivery {
    std::optional<Reply> refusal;  // the check refused the message
    std::vector<std::optional<Error>> local;  // per local target, in RCPT order
    std::optional<Error> queued;              // the remote recipients' enqueue
  };
  std::string received = refused ? std::string() : received_header(*this, now);
  std::string source(net::to_string(conn_.protocol()));
  mailbox::Ingest& ingest = *shared_->services.ingest;
  OutboundQueue* queue = shared_->services.outbound;
  auto deliver_all = [&]() -> Delivery {
    Delivery d;
    bool quarantine = false;
    std::string headers;
    Ranges drop;  // forged verdict fields the check found
    if (check != nullptr) {
      InboundEnvelope env{conn_.peer_address(), helo_.value_or(""), mail_->path, {},
                          conn_.is_tls(), account_.has_value()};
      for (const Recipient& r : recipients_) env.recipients.push_back(r.address);
      auto verdict = (*check)(env, sp);
      if (!verdict) {
        d.refusal = reply_for(verdict.error());
        return d;
      }
      if (verdict->action == InboundVerdict::Action::Reject ||
          verdict->action == InboundVerdict::Action::TempFail) {
        d.refusal = Reply::make(verdict->code, verdict->enhanced, verdict->text);
        return d;
      }
      quarantine = verdict->action == InboundVerdict::Action::Quarantine;
      headers = std::move(verdict->headers);
      drop = std::move(verdict->drop);
      std::sort(drop.begin(), drop.end());
    }
    std::string prefix = received + headers + extra;
    std::vector<Target> targets;
    OutboundMessage out_msg{account_ ? account_->id : 0, mail_->path, mail_->mail, {}, prefix,
                            &sp};
    for (const Recipient& r : recipients_) {
      if (r.resolution.kind == RecipientKind::Local) {
        targets.push_back({r.resolution.account->id, r.resolution.tag, quarantine});
      } else {
        out_msg.recipients.push_back({r.address, r.dsn});
      }
    }
    // One copy per (account, folder), however many of its addresses were given.
    std::map<Target, Result<mailbox::Delivered>> done;
    for (const Target& t : targets) {
      if (!done.contains(t)) done.emplace(t, deliver(ingest, store(), t, source, prefix, sp, drop));
    }
    for (const Target& t : targets) {
      const auto& r = done.at(t);
      d.local.push_back(r ? std::nullopt : std::optional<Error>(r.error()));
    }
    if (!out_msg.recipients.empty() && queue) {
      if (Status st = queue->enqueue(out_msg); !st) d.queued = st.error();
    }
    return d;
  };
  Delivery results;
  if (!refused) {
    results = co_await committing().run(deliver_all);
    if (results.refusal) {
      refusal = *results.refusal;
      refused = true;
    }
  }
  if (!refused) {
    size_t local_index = 0;
    for (size_t i = 0; i < recipients_.size(); ++i) {
      std::optional<Error> err;
      if (recipients_[i].resolution.kind == RecipientKind::Local) {
        err = results.local[local_index++];
      } else {
        err = results.queued;
      }
      if (err) {
        log::warn("smtp.delivery_failed", {{"session", conn_.session_id()},
                                           {"recipient", recipients_[i].address.address()},
                                           {"error", err->describe()}});
        per_recipient[i] = with_address(reply_for(*err), recipients_[i].address);
      } else {
        per_recipient[i] = Reply::ok("<" + recipients_[i].address.address() + "> delivered",
                                     "2.1.5");
      }
    }
    log::info("smtp.message", {{"session", conn_.session_id()},
                               {"account", account_name()},
                               {"from", mail_->path.address()},
                               {"recipients", std::to_string(recipients_.size())},
                               {"size", std::to_string(sp.size())}});
  } else {
    for (Reply& r : per_recipient) r = refusal;
  }
  Reply reply;
  size_t failed = 0;
  bool temporary = false;  // a failure the client should retry
  for (const Reply& r : per_recipient) {
    failed += r.positive() ? 0 : 1;
    temporary = temporary || (!r.positive() && r.code < 500);
  }
  OutboundQueue* outbound = shared_->services.outbound;
  // With a queue to carry reports, recipients refused for good need not hold the others back:
  // the message is accepted and the sender gets a report about them (RFC 3461 §5.2.2).
  bool partial = !refused && failed > 0 && failed < per_recipient.size() && !temporary &&
                 outbound != nullptr;
  if (port_ == PortKind::Lmtp) {
    // RFC 2033 §4.2: one reply per accepted recipient, in RCPT order.
    for (const Reply& r : per_recipient) write_reply(out_, r);
    reply = Reply::sent();
  } else if (refused) {
    reply = refusal;
  } else if (failed == 0) {
    reply = Reply::ok("Message accepted (" + std::to_string(sp.size()) + " octets)");
  } else if (failed == per_recipient.size()) {
    reply = per_recipient[0];
    reply.text = without_address(reply);
  } else if (partial) {
    reply = Reply::ok("Message accepted (" + std::to_string(sp.size()) + " octets) for " +
                      std::to_string(per_recipient.size() - failed) + " of " +
                      std::to_string(per_recipient.size()) +
                      " recipients; you will get a report about the others");
  } else {
    // Some recipients failed for now: ask the sender to retry rather than lose mail (the ones
    // that succeeded may get a duplicate; RFC 5321 §6.1 prefers that to a loss).
    reply = Reply::make(451, "4.3.0", "Delivered to some recipients but not all; try again later");
  }
  // Reports about local deliveries (RFC 3461): "delivered" when NOTIFY=SUCCESS asked, "failed"
  // for the recipients refused above. Behind LMTP the MTA in front reports.
  if (reply.positive() && !reply.already_sent && outbound != nullptr) {
    std::vector<LocalOutcome> outcomes;
    for (size_t i = 0; i < recipients_.size(); ++i) {
      const Recipient& r = recipients_[i];
      if (r.resolution.kind != RecipientKind::Local) continue;
      bool delivered = per_recipient[i].positive();
      if (delivered && !(r.dsn.notify & kNotifySuccess)) continue;
      std::string why;
      if (!delivered) {
        const Reply& failure = per_recipient[i];
        why = std::to_string(failure.code) + " " + failure.enhanced + " " + without_address(failure);
      }
      outcomes.push_back({{r.address, r.dsn}, delivered, why});
    }
    if (!outcomes.empty()) {
      OutboundMessage about{account_ ? account_->id : 0, mail_->path, mail_->mail, {}, "", &sp};
      about.prefix = received_header(*this, now);
      Status st = co_await blocking().run([&] { return outbound->report(about, outcomes); });
      if (!st) {
        log::warn("smtp.report_failed", {{"session", conn_.session_id()},
                                         {"error", st.error().describe()}});
      }
    }
  }
  if (failed < per_recipient.size() && port_ == PortKind::Submission && account_) {
    rate().record(account_->id);
  }
  co_await reset_transaction();
  co_return reply;
}

namespace {

// Why DATA cannot start now; nullopt when it can.
std::optional<Reply> data_refused(Session& session) {
  if (session.bdat_open()) {
    return Reply::make(503, "5.5.1", "DATA cannot follow BDAT in one transaction");
  }
  if (!session.mail()) return Reply::make(503, "5.5.1", "Send MAIL first");
  // RFC 5321 §3.3: DATA without a valid recipient gets 503 or 554.
  if (session.recipients().empty()) return Reply::make(554, "5.5.1", "No valid recipients");
  write_reply(session.out(), Reply::make(354, "", "Start mail input; end with <CRLF>.<CRLF>"));
  session.parser().begin_data();
  return std::nullopt;
}

}  // namespace

awaitable<Reply> cmd_data(Session& session, const Command& command) {
  (void)command;
  if (auto refused = data_refused(session)) co_return std::move(*refused);
  bool received = co_await session.receive_message_bytes();
  if (!received) co_return Reply::sent();
  Reply reply = co_await session.finish_message();
  co_return reply;
}

awaitable<Reply> cmd_bdat(Session& session, const Command& command) {
  // RFC 3030 §2: the chunk follows the command whatever the reply; read it in any case.
  bool usable = session.mail() && !session.recipients().empty();
  session.parser().begin_chunk(command.chunk_size);
  if (!usable) {
    while (true) {
      auto ev = co_await session.next_event();
      if (!ev) co_return Reply::sent();
      if (ev->kind == ParseEventKind::DataEnd) break;
    }
    if (!session.mail()) co_return Reply::make(503, "5.5.1", "Send MAIL first");
    co_return Reply::make(554, "5.5.1", "No valid recipients");
  }
  session.set_bdat_open(true);
  if (!(co_await session.receive_message_bytes())) co_return Reply::sent();
  if (!command.last) {
    if (session.message_too_big()) {
      // Keep reading chunks until LAST; the size refusal comes then (RFC 3030 §2 allows either).
      co_return Reply::ok(std::to_string(command.chunk_size) + " octets received (discarded)");
    }
    co_return Reply::ok(std::to_string(command.chunk_size) + " octets received");
  }
  co_return co_await session.finish_message();
}

}  // namespace roost::smtp
