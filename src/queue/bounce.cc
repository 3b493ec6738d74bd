#include "queue/bounce.h"

#include <fmt/format.h>
#include <openssl/rand.h>

#include <regex>

#include "mime/date_time.h"

namespace roost::queue {

namespace {

std::string header_of(std::string_view message) {
  size_t end = message.find("\r\n\r\n");
  if (end != std::string_view::npos) return std::string(message.substr(0, end + 2));
  end = message.find("\n\n");
  return std::string(message.substr(0, end == std::string_view::npos ? message.size() : end + 1));
}

std::string duration(int64_t seconds) {
  auto plural = [](int64_t n, std::string_view unit) {
    return fmt::format("{} {}{}", n, unit, n == 1 ? "" : "s");
  };
  if (seconds >= 86400 && seconds % 86400 == 0) return plural(seconds / 86400, "day");
  if (seconds >= 3600 && seconds % 3600 == 0) return plural(seconds / 3600, "hour");
  if (seconds >= 60 && seconds % 60 == 0) return plural(seconds / 60, "minute");
  return plural(seconds, "second");
}

struct Words {
  std::string_view subject;
  std::string_view action;
};

Words words_for(ReportKind kind) {
  switch (kind) {
    case ReportKind::Failed: return {"Undelivered Mail Returned to Sender", "failed"};
    case ReportKind::Delayed: return {"Delayed Mail (still being retried)", "delayed"};
    case ReportKind::Relayed: return {"Successful Mail Delivery Report", "relayed"};
    case ReportKind::Delivered: return {"Successful Mail Delivery Report", "delivered"};
  }
  return {"", ""};
}

std::string explanation(const QueuedMessage& message, const BounceContext& ctx) {
  switch (ctx.kind) {
    case ReportKind::Failed:
      if (ctx.expired) {
        return fmt::format("Your message could not be delivered to the recipients below for {}, "
                           "so Roost has stopped trying. The last problem with each was:",
                           duration(ctx.max_age_seconds));
      }
      if (ctx.local) {
        return "Your message could not be put into the mailboxes of the recipients below, for "
               "the reasons given (the other recipients got it):";
      }
      return "Your message could not be delivered to the recipients below; their mail servers "
             "refused it for good:";
    case ReportKind::Delayed:
      return fmt::format("Your message has not been delivered to the recipients below yet, {} "
                         "after you sent it. Roost keeps trying until {}; you do not need to "
                         "send it again. The last problem with each was:",
                         duration(ctx.now - message.created),
                         mime::format_date(message.created + ctx.max_age_seconds));
    case ReportKind::Relayed:
      return "Your message was handed to the mail servers of the recipients below. Those "
             "servers do not send delivery reports, so this is the last news of it you will get:";
    case ReportKind::Delivered:
      return "Your message was delivered to the mailboxes of the recipients below:";
  }
  return "";
}

std::string status_for(const QueuedRecipient& r, const BounceContext& ctx) {
  switch (ctx.kind) {
    case ReportKind::Failed: {
      // A refusal keeps the remote status; a recipient given up on is 4.4.7 (RFC 3463).
      std::string status = status_code_of(r.reply, !ctx.expired);
      if (status[0] != '5' && ctx.expired) status = "4.4.7";
      if (status[0] == '2') status = "5.0.0";
      return status;
    }
    case ReportKind::Delayed: {
      std::string status = status_code_of(r.reply, false);
      if (status[0] != '4') status = "4.0.0";
      return status;
    }
    case ReportKind::Relayed:
    case ReportKind::Delivered:
      return "2.0.0";
  }
  return "5.0.0";
}

}  // namespace

std::string status_code_of(std::string_view reply, bool permanent) {
  static const std::regex kStatus(R"(\b([245])\.(\d{1,3})\.(\d{1,3})\b)");
  std::string text(reply);
  std::smatch m;
  if (std::regex_search(text, m, kStatus)) return m.str(0);
  return permanent ? "5.0.0" : "4.0.0";
}

std::string build_report(const QueuedMessage& message, std::string_view original,
                         const std::vector<size_t>& which, const BounceContext& ctx) {
  unsigned char random[8];
  RAND_bytes(random, sizeof random);
  std::string boundary = "roost-report-";
  for (unsigned char b : random) boundary += fmt::format("{:02x}", b);
  Words words = words_for(ctx.kind);

  std::string listing;
  std::string status_fields;
  for (size_t i : which) {
    const QueuedRecipient& r = message.recipients.at(i);
    if (r.reply.empty()) {
      listing += fmt::format("  <{}>\r\n\r\n", r.address);
    } else {
      listing += fmt::format("  <{}>\r\n      {}\r\n\r\n", r.address, r.reply);
    }
    status_fields += "\r\n";
    if (!r.orcpt.empty()) status_fields += fmt::format("Original-Recipient: {}\r\n", r.orcpt);
    status_fields += fmt::format("Final-Recipient: rfc822; {}\r\nAction: {}\r\nStatus: {}\r\n",
                                 r.address, words.action, status_for(r, ctx));
    if (!r.reply.empty()) status_fields += fmt::format("Diagnostic-Code: x-roost; {}\r\n", r.reply);
    if (ctx.kind != ReportKind::Delivered) {
      status_fields += fmt::format("Last-Attempt-Date: {}\r\n", mime::format_date(ctx.now));
    }
    if (ctx.kind == ReportKind::Delayed) {
      status_fields += fmt::format("Will-Retry-Until: {}\r\n",
                                   mime::format_date(message.created + ctx.max_age_seconds));
    }
  }
  // RFC 3461 §4.3: RET=FULL returns the whole message in a failure report.
  bool whole = ctx.kind == ReportKind::Failed && message.ret == Return::Full &&
               original.size() <= kMaxReturnedMessage;
  std::string out;
  out += fmt::format("From: Mail Delivery System <MAILER-DAEMON@{}>\r\n", ctx.reporting_host);
  out += fmt::format("To: <{}>\r\n", message.sender);
  out += fmt::format("Subject: {}\r\n", words.subject);
  out += fmt::format("Date: {}\r\n", mime::format_date(ctx.now));
  out += fmt::format("Message-ID: <{}.{}@{}>\r\n", message.id, words.action, ctx.reporting_host);
  out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834: never answered automatically
  out += "MIME-Version: 1.0\r\n";
  out += fmt::format(
      "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{}\"\r\n",
      boundary);
  out += "\r\n";
  out += fmt::format("--{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", boundary);
  out += fmt::format("This is the mail system at {}.\r\n\r\n{}\r\n\r\n{}", ctx.reporting_host,
                     explanation(message, ctx), listing);
  out += fmt::format("--{}\r\nContent-Type: message/delivery-status\r\n\r\n", boundary);
  out += fmt::format("Reporting-MTA: dns; {}\r\n", ctx.reporting_host);
  if (!message.envid.empty()) out += fmt::format("Original-Envelope-Id: {}\r\n", message.envid);
  out += fmt::format("X-Roost-Queue-ID: {}\r\nArrival-Date: {}\r\n", message.id,
                     mime::format_date(message.created));
  out += status_fields;
  out += "\r\n";
  if (whole) {
    out += fmt::format("--{}\r\nContent-Type: message/rfc822\r\n\r\n", boundary);
    out += original;
    if (!original.ends_with("\n")) out += "\r\n";
  } else {
    out += fmt::format("--{}\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary);
    out += header_of(original);
  }
  out += fmt::format("\r\n--{}--\r\n", boundary);
  return out;
}

std::string build_bounce(const QueuedMessage& message, std::string_view original,
                         const BounceContext& context) {
  std::vector<size_t> failed;
  for (size_t i = 0; i < message.recipients.size(); ++i) {
    if (message.recipients[i].state == QueuedRecipient::State::Failed) failed.push_back(i);
  }
  BounceContext ctx = context;
  ctx.kind = ReportKind::Failed;
  return build_report(message, original, failed, ctx);
}

}  // namespace roost::queue
