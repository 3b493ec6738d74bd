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

std::string days(int64_t seconds) {
  if (seconds % 86400 == 0) return fmt::format("{} day{}", seconds / 86400, seconds == 86400 ? "" : "s");
  if (seconds % 3600 == 0) return fmt::format("{} hour{}", seconds / 3600, seconds == 3600 ? "" : "s");
  return fmt::format("{} seconds", seconds);
}

}  // namespace

std::string status_code_of(std::string_view reply, bool permanent) {
  static const std::regex kStatus(R"(\b([245])\.(\d{1,3})\.(\d{1,3})\b)");
  std::string text(reply);
  std::smatch m;
  if (std::regex_search(text, m, kStatus)) return m.str(0);
  return permanent ? "5.0.0" : "4.0.0";
}

std::string build_bounce(const QueuedMessage& message, std::string_view original,
                         const BounceContext& ctx) {
  unsigned char random[8];
  RAND_bytes(random, sizeof random);
  std::string boundary = "roost-report-";
  for (unsigned char b : random) boundary += fmt::format("{:02x}", b);

  std::string explanation;
  std::string status_fields;
  for (const auto& r : message.recipients) {
    if (r.state != QueuedRecipient::State::Failed) continue;
    explanation += fmt::format("  <{}>\r\n      {}\r\n\r\n", r.address, r.reply);
    // A refusal keeps the remote status; a recipient given up on is 4.4.7 (RFC 3463).
    std::string status = status_code_of(r.reply, !ctx.expired);
    if (status[0] != '5' && ctx.expired) status = "4.4.7";
    status_fields += fmt::format(
        "\r\nFinal-Recipient: rfc822; {}\r\nAction: failed\r\nStatus: {}\r\n"
        "Diagnostic-Code: x-roost; {}\r\nLast-Attempt-Date: {}\r\n",
        r.address, status, r.reply, mime::format_date(ctx.now));
  }
  std::string why =
      ctx.expired
          ? fmt::format("Your message could not be delivered to the recipients below for {}, "
                        "so Roost has stopped trying. The last problem with each was:",
                        days(ctx.max_age_seconds))
          : "Your message could not be delivered to the recipients below; their mail servers "
            "refused it for good:";
  std::string out;
  out += fmt::format("From: Mail Delivery System <MAILER-DAEMON@{}>\r\n", ctx.reporting_host);
  out += fmt::format("To: <{}>\r\n", message.sender);
  out += "Subject: Undelivered Mail Returned to Sender\r\n";
  out += fmt::format("Date: {}\r\n", mime::format_date(ctx.now));
  out += fmt::format("Message-ID: <{}.bounce@{}>\r\n", message.id, ctx.reporting_host);
  out += "Auto-Submitted: auto-replied\r\n";  // RFC 3834: never answered automatically
  out += "MIME-Version: 1.0\r\n";
  out += fmt::format(
      "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"{}\"\r\n",
      boundary);
  out += "\r\n";
  out += fmt::format("--{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n", boundary);
  out += fmt::format("This is the mail system at {}.\r\n\r\n{}\r\n\r\n{}", ctx.reporting_host,
                     why, explanation);
  out += fmt::format("--{}\r\nContent-Type: message/delivery-status\r\n\r\n", boundary);
  out += fmt::format("Reporting-MTA: dns; {}\r\nX-Roost-Queue-ID: {}\r\nArrival-Date: {}\r\n",
                     ctx.reporting_host, message.id, mime::format_date(message.created));
  out += status_fields;
  out += "\r\n";
  out += fmt::format("--{}\r\nContent-Type: text/rfc822-headers\r\n\r\n", boundary);
  out += header_of(original);
  out += fmt::format("\r\n--{}--\r\n", boundary);
  return out;
}

}  // namespace roost::queue
